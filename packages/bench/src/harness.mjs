// Runs benchmarks and prints every figure next to its baselines, measured in
// the same run: the median wall time of N runs, and the ratio subject/baseline.
//
// A benchmark is a module in ./benches exporting:
//   name          short name used on the command line (`pnpm bench <name>`)
//   description   one line printed above its figures
//   prepare(ctx)  async; returns { subject, baselines, teardown? } or { unavailable: reason }
//     subject     { label, setup?, run }   what we measure (ours)
//     baselines   [{ label, setup?, run, note? }]   the same workload done another way
//     setup(round)  optional, not timed: prepares the input of one run; `round` (0, 1, ...) lets a
//                 benchmark use fresh inputs per run (so no cache carries over between runs)
//     run(input)  the timed work of one run, given what setup returned
//     teardown    async cleanup (connections, temp files)
//   ctx = { runs, warmup, log }
import { readdir } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';

export async function loadBenchmarks(dir) {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.mjs')).sort();
  const benches = [];
  for (const file of files) {
    const mod = await import(new URL(file, dir));
    for (const key of ['name', 'description', 'prepare']) {
      if (!(key in mod)) throw new Error(`benchmark ${file} does not export '${key}'`);
    }
    benches.push(mod);
  }
  return benches;
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Wall and CPU seconds of one run. CPU time (this process, user + system) stays honest when
 * other work shares the machine; wall time is what a user waits. */
async function timeOnce(entry, round) {
  // No forced GC here: a full collection before each run (node --expose-gc) was measured to make
  // the following run up to 2x slower (heap limits shrink back, compiled code ages), which no real
  // process pays.
  const input = entry.setup ? await entry.setup(round) : undefined;
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  await entry.run(input);
  const wall = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  return { wall, cpu: (cpu.user + cpu.system) / 1e6 };
}

/**
 * Times the subject and every baseline: `warmup` untimed rounds, then `runs` timed ones. Within a
 * round all entries do the same work; their order rotates from round to round so that none always
 * runs first (or last) after a GC or a JIT tier-up.
 */
export async function measure(entries, { runs, warmup }) {
  const samples = entries.map(() => ({ wall: [], cpu: [] }));
  for (let round = 0; round < warmup + runs; round++) {
    const order = entries.map((_, i) => (i + round) % entries.length);
    for (const i of order) {
      const { wall, cpu } = await timeOnce(entries[i], round);
      if (round < warmup) continue;
      samples[i].wall.push(wall);
      samples[i].cpu.push(cpu);
    }
  }
  return samples.map((s) => ({ wall: median(s.wall), cpu: median(s.cpu) }));
}

const seconds = (n) => `${n.toFixed(3)} s`;

export function formatReport(subject, baselines, medians, { runs }) {
  const labels = [subject, ...baselines].map((e) => e.label);
  const width = Math.max(...labels.map((l) => l.length)) + 2;
  const figures = (m) => `wall ${seconds(m.wall).padStart(9)}  cpu ${seconds(m.cpu).padStart(9)}`;
  const ours = medians[0];
  const lines = [`  ${subject.label.padEnd(width)}${figures(ours)}   (medians of ${runs} runs)`];
  baselines.forEach((b, i) => {
    const theirs = medians[i + 1];
    const ratio = ours.wall / theirs.wall;
    const verdict = ratio <= 1 ? `${(1 / ratio).toFixed(2)}x faster` : `${ratio.toFixed(2)}x slower`;
    const note = b.note ? `   [${b.note}]` : '';
    lines.push(
      `  ${b.label.padEnd(width)}${figures(theirs)}   ratio ${ratio.toFixed(3)} (cpu ${(ours.cpu / theirs.cpu).toFixed(3)})` +
        ` -> ${subject.label} is ${verdict}${note}`,
    );
  });
  return lines.join('\n');
}

export async function runBenchmark(bench, options, print) {
  print(`\n${bench.name}: ${bench.description}`);
  const prepared = await bench.prepare({ ...options, log: (m) => print(`  ${m}`) });
  if (prepared.unavailable) {
    print(`  skipped: ${prepared.unavailable}`);
    return { name: bench.name, skipped: prepared.unavailable };
  }
  try {
    const entries = [prepared.subject, ...prepared.baselines];
    const medians = await measure(entries, options);
    print(formatReport(prepared.subject, prepared.baselines, medians, options));
    return { name: bench.name, medians: Object.fromEntries(entries.map((e, i) => [e.label, medians[i]])) };
  } finally {
    await prepared.teardown?.();
  }
}
