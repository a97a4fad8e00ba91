import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN, dvt } from './helpers.js';

describe('dvt bin', () => {
  it('prints its version', () => {
    const r = dvt(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^dvt \d+\.\d+\.\d+/);
  });

  it('starts --version well under 200 ms', () => {
    // Warm the file cache once, then take the best of several runs (the machine is shared).
    dvt(['--version']);
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const start = process.hrtime.bigint();
      spawnSync(process.execPath, [BIN, '--version']);
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    expect(Math.min(...times)).toBeLessThan(200);
  });

  it('exits 2 with a message on an unknown command or flag, without a stack trace', () => {
    for (const args of [['frobnicate'], ['run', '--bogus'], ['show', '--limit', 'many']]) {
      const r = dvt(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.output).toMatch(/Unknown command|Unknown flag|--limit expects/);
      expect(r.output).not.toMatch(/\n\s+at /);
    }
  });

  it('prints help for the tool and for each command', () => {
    expect(dvt(['--help']).stdout).toMatch(/Commands:/);
    const r = dvt(['build', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--fail-fast/);
  });

  it('without a command prints usage and exits 2', () => {
    const r = dvt([]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/Usage: dvt/);
  });
});
