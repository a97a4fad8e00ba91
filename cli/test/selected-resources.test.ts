import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { dvt, tempDir } from './helpers.js';

/**
 * `selected_resources` as dbt fills it: the unique_ids the command selected
 * (after --exclude, limited to the types the command runs), seen by
 * on-run-start hooks and by models while they compile; empty in run-operation.
 */
function project(): string {
  const dir = tempDir('dvt-selected-');
  const files: Record<string, string> = {
    'dbt_project.yml': [
      'name: picks',
      'version: "1.0"',
      'config-version: 2',
      'profile: picks',
      'on-run-start:',
      "  - \"{{ report_selected('HOOK') }}\"",
      '',
    ].join('\n'),
    'profiles.yml': `picks:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: ${join(dir, 'p.duckdb')}\n      schema: main\n`,
    'macros/report_selected.sql': "{% macro report_selected(label) %}{% do log(label ~ ' [' ~ (selected_resources | sort | join(',')) ~ ']', info=True) %}{% endmacro %}",
    'models/model1.sql': 'select 1 as id',
    'models/model2.sql': "{% if execute %}{{ report_selected('MODEL2') }}{% endif %}select * from {{ ref('model1') }}",
    'models/schema.yml': 'version: 2\nmodels:\n  - name: model1\n    columns:\n      - name: id\n        data_tests: [not_null]\n',
    'snapshots/snap.sql':
      "{% snapshot snap %}{{ config(unique_key='id', strategy='check', check_cols='all', target_schema='main') }}select * from {{ ref('model2') }}{% endsnapshot %}",
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const TEST_ID = 'test.picks.not_null_model1_id.3aa9996103';
const seen = (output: string, label: string) => [...output.matchAll(new RegExp(`${label} \\[([^\\]]*)\\]`, 'g'))].map((m) => m[1]);

describe('selected_resources', () => {
  let dir: string;
  beforeAll(() => {
    dir = project();
  });

  it('run: the selected models, before any node runs', () => {
    const r = dvt(['run', '-s', 'model1+'], { cwd: dir });
    expect(r.code, r.output).toBe(0);
    expect(seen(r.output, 'HOOK')).toEqual(['model.picks.model1,model.picks.model2']);
    expect(seen(r.output, 'MODEL2')).toEqual(['model.picks.model1,model.picks.model2']);
  });

  it('build: what --exclude leaves, tests and snapshots included', () => {
    const r = dvt(['build', '-s', 'model1+', '--exclude', 'model2'], { cwd: dir });
    expect(r.code, r.output).toBe(0);
    expect(seen(r.output, 'HOOK')).toEqual([`model.picks.model1,snapshot.picks.snap,${TEST_ID}`]);
  });

  it('test: only the tests of the selection', () => {
    const r = dvt(['test', '-s', 'model1'], { cwd: dir });
    expect(r.code, r.output).toBe(0);
    expect(seen(r.output, 'HOOK')).toEqual([TEST_ID]);
  });

  it('compile: what a model sees while it compiles', () => {
    const r = dvt(['compile', '-s', 'model2'], { cwd: dir });
    expect(r.code, r.output).toBe(0);
    expect(seen(r.output, 'MODEL2')).toEqual(['model.picks.model2']);
  });

  it('run-operation: empty, as in dbt (it selects nothing)', () => {
    const r = dvt(['run-operation', 'report_selected', '--args', '{label: OPERATION}'], { cwd: dir });
    expect(r.code, r.output).toBe(0);
    expect(seen(r.output, 'OPERATION')).toEqual(['']);
  });
});
