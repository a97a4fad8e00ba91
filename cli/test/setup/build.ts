import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const cliDir = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The CLI tests spawn the built bin: bring dist/ up to date with src/ first, the way the package's
 * build does it (tsc, then the bundle that dist/bin.js loads).
 */
export default function buildCli(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: cliDir, stdio: 'inherit' });
  execFileSync(process.execPath, ['../scripts/bundle.mjs', '--launcher', './launch/index.js', '--lazy-twin', 'src/main.ts', 'src/bin.ts'], { cwd: cliDir, stdio: 'inherit' });
}
