import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dvt, tempDir } from './helpers.js';

function project(): string {
  const dir = tempDir('dvt-retry-');
  const files: Record<string, string> = {
    'dbt_project.yml': 'name: again\nversion: "1.0"\nconfig-version: 2\nprofile: again\nmodels:\n  again:\n    +materialized: table\n',
    'profiles.yml': `again:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: ${join(dir, 'again.duckdb')}\n      schema: main\n`,
    'models/base.sql': 'select 1 as id',
    'models/after_base.sql': "select * from {{ ref('base') }}",
    // Reads a table nothing has made: fails until the test rewrites it.
    'models/needs_late.sql': 'select * from main.late_table',
    'models/after_late.sql': "select * from {{ ref('needs_late') }}",
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const results = (dir: string) => JSON.parse(readFileSync(join(dir, 'target/run_results.json'), 'utf8')) as {
  args: Record<string, unknown>;
  results: { unique_id: string; status: string; compiled_code: string | null }[];
};

describe('dvt retry', () => {
  it('runs again what errored or was skipped, with the previous command and flags, until nothing is left', () => {
    const dir = project();
    const first = dvt(['run', '--empty'], { cwd: dir });
    expect(first.code).toBe(1);
    expect(results(dir).args).toMatchObject({ which: 'run', empty: true });
    expect(results(dir).results.map((r) => [r.unique_id, r.status]).sort()).toEqual([
      ['model.again.after_base', 'success'],
      ['model.again.after_late', 'skipped'],
      ['model.again.base', 'success'],
      ['model.again.needs_late', 'error'],
    ]);

    const still = dvt(['retry'], { cwd: dir });
    expect(still.code).toBe(1);
    expect(still.output).toMatch(/Retrying 2 nodes of the previous 'run'/);
    expect(still.output).toMatch(/1 of 2 START sql table model main\.needs_late/);
    expect(still.output).not.toMatch(/model main\.base /);

    // The fix lands in the model itself; run_results.json still holds the failed run.
    writeFileSync(join(dir, 'models/needs_late.sql'), 'select 7 as id');
    const fixed = dvt(['retry'], { cwd: dir });
    expect(fixed.code).toBe(0);
    const after = results(dir);
    expect(after.results.map((r) => [r.unique_id, r.status]).sort()).toEqual([
      ['model.again.after_late', 'success'],
      ['model.again.needs_late', 'success'],
    ]);
    // --empty came back from the first run's args: the inputs were read as zero rows.
    expect(after.results.find((r) => r.unique_id === 'model.again.after_late')!.compiled_code).toMatch(/where false limit 0/);
    expect(after.args).toMatchObject({ which: 'run', empty: true });

    const done = dvt(['retry'], { cwd: dir });
    expect(done.code).toBe(0);
    expect(done.output).toMatch(/Nothing to retry: every node of the previous 'run' succeeded/);
  });

  it('says there is nothing to retry without run_results.json (exit 2)', () => {
    const dir = project();
    const none = dvt(['retry'], { cwd: dir });
    expect(none.code).toBe(2);
    expect(none.output).toMatch(/Nothing to retry: .*run_results\.json does not exist/);
  });
});
