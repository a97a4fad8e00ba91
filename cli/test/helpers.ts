import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

export const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
export const EXAMPLE = fileURLToPath(new URL('../../docs/examples/jaffle-shop', import.meta.url));

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr together, for messages whichever stream carries them. */
  output: string;
}

/** Runs the built `dvt` bin; colours off unless the caller sets the environment otherwise. */
export function dvt(args: string[], opts: { cwd?: string; env?: Record<string, string | undefined> } = {}): Run {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, DBT_PROFILES_DIR: undefined, DVT_PROFILES_DIR: undefined, ...opts.env };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? tmpdir(), env: env as NodeJS.ProcessEnv, encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, output: r.stdout + r.stderr };
}

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary directory, removed after the test file. */
export function tempDir(prefix = 'dvt-cli-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** A private copy of the example project (without build output). */
export function copyExample(): string {
  const dir = join(tempDir(), 'jaffle-shop');
  cpSync(EXAMPLE, dir, { recursive: true, filter: (src) => !/[\\/](target|\.dvt|logs)$/.test(src) });
  return dir;
}
