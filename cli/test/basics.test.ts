import { spawnSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, copyExample, dvt } from './helpers.js';

describe('dvt bin', () => {
  it('prints its version', () => {
    const r = dvt(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^dvt \d+\.\d+\.\d+/);
  });

  // CPU time, not wall time: the tests run in parallel on a shared machine, and a loaded
  // machine slows wall-clock startup of any process; CPU spent is what dvt itself loads.
  it.skipIf(spawnSync('bash', ['-c', 'true']).status !== 0)('starts --version on about the CPU of bare node startup (no core, no drivers)', () => {
    const cpuMs = (command: string) => {
      const r = spawnSync('bash', ['-c', `TIMEFORMAT='%3U %3S'; time ${command} >/dev/null`], { encoding: 'utf8' });
      const [user, sys] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
      return (user + sys) * 1000;
    };
    const node = `"${process.execPath}"`;
    const dvtCpu: number[] = [];
    const nodeCpu: number[] = [];
    for (let i = 0; i < 5; i++) {
      nodeCpu.push(cpuMs(`${node} -e 0`));
      dvtCpu.push(cpuMs(`${node} "${BIN}" --version`));
    }
    // Loading @dvt/core alone costs well over 100 ms of CPU; the bin must not pay it.
    expect(Math.min(...dvtCpu) - Math.min(...nodeCpu)).toBeLessThan(40);
  });

  it("takes dbt's flag environment variables (DBT_PROJECT_DIR, DBT_RESOURCE_TYPES), the command line winning", () => {
    const project = copyExample();
    const env = { DBT_PROJECT_DIR: project, DBT_RESOURCE_TYPES: 'seed' };
    const seeds = dvt(['ls'], { env });
    expect(seeds.code).toBe(0);
    expect(seeds.stdout.trim().split('\n')).toEqual(['jaffle_shop.raw_customers', 'jaffle_shop.raw_orders', 'jaffle_shop.raw_payments']);
    const models = dvt(['ls', '--resource-type', 'model'], { env });
    expect(models.stdout).toMatch(/jaffle_shop\.marts\.customers/);
    expect(models.stdout).not.toMatch(/raw_customers/);
    const bad = dvt(['ls'], { env: { ...env, DBT_LOG_FORMAT: 'yaml' } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Invalid value 'yaml' for environment variable DBT_LOG_FORMAT/);
    expect(bad.stderr).not.toMatch(/\bat .*\.js:\d+/);
  });

  it('uses the profile --profile or DBT_PROFILE names instead of the project\'s', () => {
    const project = copyExample();
    appendFileSync(join(project, 'profiles.yml'), '\nnightly:\n  target: ci\n  outputs:\n    ci:\n      type: duckdb\n      path: target/nightly.duckdb\n      schema: main\n');
    const missing = dvt(['parse', '--project-dir', project], { env: { DBT_PROFILE: 'nope' } });
    expect(missing.code).not.toBe(0);
    expect(missing.output).toMatch(/Could not find profile named 'nope'/);
    expect(dvt(['parse', '--project-dir', project, '--profile', 'nightly'], { env: { DBT_PROFILE: 'nope' } }).code).toBe(0);
    const debug = dvt(['debug', '--project-dir', project], { env: { DBT_PROFILE: 'nightly' } });
    expect(debug.output).toMatch(/nightly\.duckdb/);
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
