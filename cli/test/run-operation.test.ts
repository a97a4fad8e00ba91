import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dvt, tempDir } from './helpers.js';

function project(): string {
  const dir = tempDir('dvt-runop-');
  const files: Record<string, string> = {
    'dbt_project.yml': 'name: ops\nversion: "1.0"\nconfig-version: 2\nprofile: ops\n',
    'profiles.yml': `ops:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: ${join(dir, 'ops.duckdb')}\n      schema: main\n`,
    'models/numbers.sql': 'select 1 as n union all select 2 union all select 3',
    'macros/ops.sql': `{% macro make_table(name, rows=2) %}
  {% do run_query('create or replace table ' ~ name ~ ' as select range as i from range(' ~ rows ~ ')') %}
  {% set counted = run_query('select count(*) as c from ' ~ name) %}
  {% do log('made ' ~ name ~ ' with ' ~ counted.columns['c'].values()[0] ~ ' rows', info=True) %}
{% endmacro %}

{% macro describe_numbers() %}
  {% set rel = adapter.get_relation(database=target.database, schema=target.schema, identifier='numbers') %}
  {% if rel is none %}{% do log('numbers is absent', info=True) %}{% else %}
  {% do log('numbers columns: ' ~ (adapter.get_columns_in_relation(rel) | map(attribute='name') | join(',')), info=True) %}{% endif %}
{% endmacro %}

{% macro refuse(reason) %}
  {{ exceptions.raise_compiler_error('refused: ' ~ reason) }}
{% endmacro %}`,
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe('dvt run-operation', () => {
  it('calls a macro with --args (YAML or JSON) on the database, and sees what models built', () => {
    const dir = project();
    const yamlArgs = dvt(['run-operation', 'make_table', '--args', '{name: made, rows: 4}'], { cwd: dir });
    expect(yamlArgs.output).toMatch(/made made with 4 rows/);
    expect(yamlArgs.code).toBe(0);
    const recorded = JSON.parse(readFileSync(join(dir, 'target', 'run_results.json'), 'utf8'));
    expect(recorded.results).toHaveLength(1);
    expect(recorded.results[0]).toMatchObject({ unique_id: 'macro.ops.make_table', status: 'success', failures: 0, timing: [{ name: 'make_table' }] });
    expect(recorded.args).toMatchObject({ which: 'run-operation', args: '{name: made, rows: 4}' });
    const jsonArgs = dvt(['run-operation', 'make_table', '--args', '{"name": "other"}'], { cwd: dir });
    expect(jsonArgs.output).toMatch(/made other with 2 rows/);

    expect(dvt(['run-operation', 'describe_numbers'], { cwd: dir }).output).toMatch(/numbers is absent/);
    expect(dvt(['run', '-s', 'numbers'], { cwd: dir }).code).toBe(0);
    const described = dvt(['run-operation', 'describe_numbers'], { cwd: dir });
    expect(described.output).toMatch(/numbers columns: n/);
    expect(described.code).toBe(0);
  });

  it('exits 1 with the macro error, and 2 for an unknown macro or bad --args', () => {
    const dir = project();
    const refused = dvt(['run-operation', 'refuse', '--args', 'reason: no'], { cwd: dir });
    expect(refused.code).toBe(1);
    expect(refused.output).toMatch(/Encountered an error while running operation: .*refused: no/s);
    expect(refused.output).toMatch(/macros\/ops\.sql/);
    expect(refused.output).not.toMatch(/at .*\.js:\d+/);
    const recorded = JSON.parse(readFileSync(join(dir, 'target', 'run_results.json'), 'utf8'));
    expect(recorded.results[0]).toMatchObject({ unique_id: 'macro.ops.refuse', status: 'error', failures: 1 });

    const unknown = dvt(['run-operation', 'no_such_macro'], { cwd: dir });
    expect(unknown.code).toBe(2);
    expect(unknown.output).toMatch(/No macro named 'no_such_macro'/);

    const badArgs = dvt(['run-operation', 'make_table', '--args', '[1, 2]'], { cwd: dir });
    expect(badArgs.code).toBe(2);
    expect(badArgs.output).toMatch(/--args must be a YAML or JSON mapping/);

    expect(dvt(['run-operation'], { cwd: dir }).code).toBe(2);
  });
});
