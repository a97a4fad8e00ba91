import { execFileSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const cliDir = fileURLToPath(new URL('../..', import.meta.url));

/** The CLI tests spawn the built bin: bring dist/ up to date with src/ first. */
export default function buildCli(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: cliDir, stdio: 'inherit' });
  chmodSync(`${cliDir}/dist/bin.js`, 0o755);
}
