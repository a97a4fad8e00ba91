import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dvt, tempDir } from './helpers.js';

function project(): string {
  const dir = tempDir('dvt-freshness-');
  const files: Record<string, string> = {
    'dbt_project.yml': 'name: fresh\nversion: "1.0"\nconfig-version: 2\nprofile: fresh\n',
    'profiles.yml': `fresh:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: ${join(dir, 'fresh.duckdb')}\n      schema: main\n`,
    'models/loads_recent.sql': "{{ config(materialized='table') }} select now() - interval 5 minute as loaded_at",
    'models/loads_old.sql': "{{ config(materialized='table') }} select now() - interval 2 hour as loaded_at",
    'models/sources.yml': `version: 2
sources:
  - name: raw
    schema: main
    loaded_at_field: loaded_at
    freshness:
      warn_after: {count: 1, period: hour}
      error_after: {count: 1, period: day}
    tables:
      - name: recent
        identifier: loads_recent
      - name: old
        identifier: loads_old
      - name: very_old
        identifier: loads_old
        freshness:
          error_after: {count: 30, period: minute}
      - name: gone
        identifier: no_such_table
`,
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe('dvt source freshness', () => {
  it("prints dbt's lines, writes sources.json and exits by the worst status", () => {
    const dir = project();
    expect(dvt(['run'], { cwd: dir }).code).toBe(0);

    const fine = dvt(['source', 'freshness', '-s', 'source:raw.recent', 'source:raw.old'], { cwd: dir });
    expect(fine.output).toMatch(/1 of 2 START freshness of raw\.old \.+ \[RUN\]/);
    expect(fine.output).toMatch(/of 2 WARN freshness of raw\.old \.+ \[WARN in \d+\.\d\ds\]/);
    expect(fine.output).toMatch(/of 2 PASS freshness of raw\.recent \.+ \[PASS in/);
    expect(fine.output).toMatch(/Done\. PASS=1 WARN=1 ERROR=0 SKIP=0 TOTAL=2/);
    expect(fine.code).toBe(0);
    const written = JSON.parse(readFileSync(join(dir, 'target/sources.json'), 'utf8'));
    expect(written.metadata.dbt_schema_version).toBe('https://schemas.getdbt.com/dbt/sources/v3.json');
    expect(written.results.map((r: { unique_id: string; status: string }) => [r.unique_id, r.status])).toEqual([
      ['source.fresh.raw.old', 'warn'],
      ['source.fresh.raw.recent', 'pass'],
    ]);

    const all = dvt(['source', 'freshness'], { cwd: dir });
    expect(all.output).toMatch(/ERROR STALE freshness of raw\.very_old \.+ \[ERROR STALE in/);
    expect(all.output).toMatch(/ERROR freshness of raw\.gone \.+ \[ERROR in/);
    expect(all.output).toMatch(/no_such_table/);
    expect(all.output).toMatch(/Done\. PASS=1 WARN=1 ERROR=2 SKIP=0 TOTAL=4/);
    expect(all.code).toBe(1);
  });

  it('is a usage error without the freshness sub-command; a selection without checks has nothing to do', () => {
    const dir = project();
    const bare = dvt(['source'], { cwd: dir });
    expect(bare.code).toBe(2);
    expect(bare.output).toMatch(/dvt source freshness/);
    const none = dvt(['source', 'freshness', '-s', 'loads_old'], { cwd: dir });
    expect(none.output).toMatch(/Nothing to do/);
    expect(none.code).toBe(0);
    expect(existsSync(join(dir, 'target/sources.json'))).toBe(true);
  });
});
