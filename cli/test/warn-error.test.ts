import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dvt, tempDir } from './helpers.js';

/** A DuckDB project whose one test warns (a null where not_null has severity warn). */
function project(): string {
  const dir = tempDir('dvt-warn-error-');
  const files: Record<string, string> = {
    'dbt_project.yml': 'name: warns\nversion: "1.0"\nconfig-version: 2\nprofile: warns\n',
    'profiles.yml': `warns:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: ${join(dir, 'w.duckdb')}\n      schema: main\n`,
    'models/people.sql': "select 1 as id, 'ada' as name union all select 2, null",
    'models/schema.yml': 'version: 2\nmodels:\n  - name: people\n    columns:\n      - name: name\n        data_tests:\n          - not_null:\n              config:\n                severity: warn\n',
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const testStatus = (dir: string) => JSON.parse(readFileSync(join(dir, 'target', 'run_results.json'), 'utf8')).results.find((r: { unique_id: string }) => r.unique_id.startsWith('test.')).status;

describe('--warn-error (codegen runs its CI as `dbt --warn-error ...`)', () => {
  it('a test that would warn fails, and the command exits 1', () => {
    const dir = project();
    const plain = dvt(['build'], { cwd: dir });
    expect(plain.code).toBe(0);
    expect(testStatus(dir)).toBe('warn');
    const strict = dvt(['--warn-error', 'build'], { cwd: dir });
    expect(strict.code).toBe(1);
    expect(testStatus(dir)).toBe('fail');
    expect(strict.output).toMatch(/Got 1 result, configured to warn if != 0/);
  });

  it("reads warn_error from dbt_project.yml's flags:, under the environment and the command line", () => {
    const dir = project();
    writeFileSync(join(dir, 'dbt_project.yml'), 'name: warns\nversion: "1.0"\nconfig-version: 2\nprofile: warns\nflags:\n  warn_error: true\n  send_anonymous_usage_stats: false\n');
    expect(dvt(['build'], { cwd: dir }).code).toBe(1);
    expect(testStatus(dir)).toBe('fail');
    expect(dvt(['build'], { cwd: dir, env: { DBT_WARN_ERROR: 'false' } }).code).toBe(0);
    expect(testStatus(dir)).toBe('warn');
    writeFileSync(join(dir, 'dbt_project.yml'), 'name: warns\nversion: "1.0"\nconfig-version: 2\nprofile: warns\nflags:\n  warn_error: "yes please"\n');
    const odd = dvt(['build'], { cwd: dir });
    expect(odd.code).toBe(0);
    expect(odd.output).toMatch(/flags\.warn_error must be true or false/);
  });

  it('any other warning makes the command exit 1', () => {
    const dir = project();
    expect(dvt(['run', '-s', 'no_such_model'], { cwd: dir }).code).toBe(0);
    const strict = dvt(['run', '-s', 'no_such_model', '--warn-error'], { cwd: dir });
    expect(strict.code).toBe(1);
    expect(strict.output).toMatch(/Nothing to do/);
  });
});
