import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dvt, tempDir } from './helpers.js';

/** A DuckDB project whose model has one unit test that passes and one that fails. */
function project(): string {
  const dir = tempDir('dvt-unit-');
  const files: Record<string, string> = {
    'dbt_project.yml': 'name: units\nversion: "1.0"\nconfig-version: 2\nprofile: units\nmodels:\n  units:\n    +materialized: table\n',
    'profiles.yml': `units:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: ${join(dir, 'units.duckdb')}\n      schema: main\n`,
    'seeds/raw_people.csv': 'id,name\n1,ada\n2,bo\n',
    'models/people.sql': "select id, upper(name) as name from {{ ref('raw_people') }}",
    'models/unit_tests.yml': [
      'unit_tests:',
      '  - name: names_are_upper_case',
      '    model: people',
      '    given:',
      "      - input: ref('raw_people')",
      '        rows: [{id: 1, name: ada}]',
      '    expect:',
      '      rows: [{id: 1, name: ADA}]',
      '  - name: names_stay_lower_case',
      '    model: people',
      '    given:',
      "      - input: ref('raw_people')",
      '        rows: [{id: 1, name: ada}]',
      '    expect:',
      '      rows: [{id: 1, name: ada}]',
      '',
    ].join('\n'),
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const statuses = (dir: string) =>
  Object.fromEntries(
    (JSON.parse(readFileSync(join(dir, 'target/run_results.json'), 'utf8')) as { results: { unique_id: string; status: string }[] }).results.map((r) => [r.unique_id, r.status]),
  );

describe('dvt and unit tests', () => {
  it('dvt test runs them, prints the diff of a failing one and exits 1', () => {
    const dir = project();
    const run = dvt(['test', '--select', 'test_type:unit'], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.output).toMatch(/Found 1 model, 1 seed, 2 unit tests/);
    expect(run.output).toMatch(/START unit_test people::names_are_upper_case/);
    expect(run.output).toMatch(/PASS people::names_are_upper_case/);
    expect(run.output).toMatch(/FAIL 2 people::names_stay_lower_case/);
    expect(run.output).toContain('Failure in unit_test names_stay_lower_case (models/unit_tests.yml)');
    expect(run.output).toMatch(/actual differs from expected:\n\s*\n\s*@@ +\| id +\| name\n\s*--- \| 1 +\| ada\n\s*\+\+\+ \| 1 +\| ADA/);
    expect(statuses(dir)).toEqual({ 'unit_test.units.people.names_are_upper_case': 'pass', 'unit_test.units.people.names_stay_lower_case': 'fail' });
    const manifest = JSON.parse(readFileSync(join(dir, 'target/manifest.json'), 'utf8')) as { unit_tests: Record<string, unknown> };
    expect(Object.keys(manifest.unit_tests).sort()).toEqual(['unit_test.units.people.names_are_upper_case', 'unit_test.units.people.names_stay_lower_case']);

    const retried = dvt(['retry'], { cwd: dir });
    expect(retried.code).toBe(1);
    expect(statuses(dir)).toEqual({ 'unit_test.units.people.names_stay_lower_case': 'fail' });
  });

  it('dvt build skips a model whose unit test fails, unless unit tests are excluded; dvt ls lists them', () => {
    const dir = project();
    expect(dvt(['build'], { cwd: dir }).code).toBe(1);
    expect(statuses(dir)['model.units.people']).toBe('skipped');
    const without = dvt(['build', '--exclude-resource-type', 'unit_test'], { cwd: dir });
    expect(without.code).toBe(0);
    expect(statuses(dir)).toEqual({ 'seed.units.raw_people': 'success', 'model.units.people': 'success' });
    const listed = dvt(['ls', '--resource-type', 'unit_test', '--output', 'name'], { cwd: dir });
    expect(listed.stdout.trim().split('\n')).toEqual(['names_are_upper_case', 'names_stay_lower_case']);
  });
});
