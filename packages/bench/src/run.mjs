// `pnpm bench [name ...] [--runs N] [--warmup N]`: runs the named benchmarks
// (all when none are named) and prints each figure beside its baselines.
import { parseArgs } from 'node:util';
import { loadBenchmarks, runBenchmark } from './harness.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    runs: { type: 'string', default: process.env.BENCH_RUNS ?? '5' },
    warmup: { type: 'string', default: process.env.BENCH_WARMUP ?? '1' },
    list: { type: 'boolean', default: false },
  },
});

const runs = Number(values.runs);
const warmup = Number(values.warmup);
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(warmup) || warmup < 0) {
  console.error('bench: --runs must be an integer >= 1 and --warmup an integer >= 0');
  process.exit(2);
}

const all = await loadBenchmarks(new URL('./benches/', import.meta.url));
if (values.list) {
  for (const b of all) console.log(`${b.name.padEnd(16)}${b.description}`);
  process.exit(0);
}
const unknown = positionals.filter((p) => !all.some((b) => b.name === p));
if (unknown.length > 0) {
  console.error(`bench: unknown benchmark ${unknown.join(', ')}; available: ${all.map((b) => b.name).join(', ')}`);
  process.exit(2);
}
const selected = positionals.length === 0 ? all : all.filter((b) => positionals.includes(b.name));
console.log(`node ${process.version}, ${runs} timed run(s) after ${warmup} warm-up run(s)`);
let failed = false;
for (const bench of selected) {
  try {
    await runBenchmark(bench, { runs, warmup }, (line) => console.log(line));
  } catch (error) {
    failed = true;
    console.error(`  ${bench.name} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
process.exit(failed ? 1 : 0);
