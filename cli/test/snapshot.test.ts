import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dvt, tempDir } from './helpers.js';

function project(): string {
  const dir = tempDir('dvt-snapshot-');
  const files: Record<string, string> = {
    'dbt_project.yml': 'name: snaps\nversion: "1.0"\nconfig-version: 2\nprofile: snaps\nmodels:\n  snaps:\n    +materialized: table\n',
    'profiles.yml': `snaps:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: ${join(dir, 'snaps.duckdb')}\n      schema: main\n`,
    'models/people.sql': "select 1 as id, '{{ var(\"city\") }}' as city",
    'snapshots/people_history.sql': `{% snapshot people_history %}
{{ config(unique_key='id', strategy='check', check_cols='all') }}
select * from {{ ref('people') }}
{% endsnapshot %}`,
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe('dvt snapshot', () => {
  it('takes the selected snapshots, keeping history between runs', () => {
    const dir = project();
    expect(dvt(['run', '--vars', '{city: Oslo}'], { cwd: dir }).code).toBe(0);
    const first = dvt(['snapshot'], { cwd: dir });
    expect(first.code).toBe(0);
    expect(first.output).toMatch(/snapshot main\.people_history/);
    expect(dvt(['run', '--vars', '{city: Bergen}'], { cwd: dir }).code).toBe(0);
    expect(dvt(['snapshot', '-s', 'people_history'], { cwd: dir }).code).toBe(0);
    const shown = dvt(['show', '--inline', "select city, dbt_valid_to is null as current from people_history order by dbt_valid_from", '--limit', '10', '--log-format', 'json'], { cwd: dir });
    expect(shown.code).toBe(0);
    const rows = shown.stdout
      .split('\n')
      .filter((l) => l.includes('"ShowNode"'))
      .flatMap((l) => (JSON.parse(l) as { data: { rows: unknown[] } }).data.rows);
    expect(rows).toEqual([
      { city: 'Oslo', current: false },
      { city: 'Bergen', current: true },
    ]);
  });
});
