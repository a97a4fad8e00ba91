#!/usr/bin/env node
// The README's first command (`pnpm demo`, after the build): builds the
// example project on embedded DuckDB with the built CLI, then shows a mart.
// Exits non-zero as soon as a step fails.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../cli/dist/bin.js', import.meta.url));
const example = fileURLToPath(new URL('../docs/examples/jaffle-shop', import.meta.url));

if (!existsSync(bin)) {
  console.error(`The CLI is not built (${bin} is missing): run 'pnpm build' first, or use 'pnpm demo'.`);
  process.exit(2);
}

const steps = [
  ['build', '--project-dir', example],
  ['show', '--project-dir', example, '--select', 'customers', '--limit', '5'],
];

for (const args of steps) {
  console.log(`\n$ dvt ${args.join(' ').replace(example, 'docs/examples/jaffle-shop')}\n`);
  const { status, signal } = spawnSync(process.execPath, [bin, ...args], { stdio: 'inherit' });
  if (status !== 0) {
    console.error(`\ndemo: 'dvt ${args[0]}' failed (${signal ? `signal ${signal}` : `exit code ${status}`}).`);
    process.exit(status || 1);
  }
}
console.log('\ndemo: the example project built, every test passed, and the customers mart is above.');
