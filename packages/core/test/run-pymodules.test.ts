import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AdapterDefinition } from '../src/adapter/contract.js';
import { loadDuckdb, projectCopy, query, runDvt, statusOf, type TestProject } from './run-support.js';

/**
 * What dbt_date and dbt_expectations lean on, end to end on DuckDB: a model generated with
 * `modules.itertools` and `modules.pytz` (wall times across a daylight-saving change), and
 * schema tests whose `config:` depends on the target.
 */
let duckdb: AdapterDefinition | undefined;
let skipReason: string | undefined;
beforeAll(async () => {
  const loaded = await loadDuckdb();
  if (typeof loaded === 'string') skipReason = loaded;
  else duckdb = loaded;
});
const projects: TestProject[] = [];
afterEach(() => {
  for (const p of projects.splice(0)) p.cleanup();
});
function need(ctx: { skip: (reason?: string) => void }): AdapterDefinition {
  if (!duckdb) ctx.skip(skipReason);
  return duckdb!;
}

// 09:00 in Amsterdam and in Los Angeles on the days around Europe's 2024 clock change, as UTC.
const SLOTS_SQL = `{{ config(materialized='table') }}
{%- set zones = ['Europe/Amsterdam', 'America/Los_Angeles'] -%}
{%- set days = [modules.datetime.date(2024, 3, 30), modules.datetime.date(2024, 3, 31)] -%}
{%- for zone, day in modules.itertools.product(zones, days) %}
{%- set local = modules.pytz.timezone(zone).localize(modules.datetime.datetime(day.year, day.month, day.day, 9)) %}
select '{{ zone }}' as zone, cast('{{ day }}' as date) as day,
       cast('{{ local.astimezone(modules.pytz.utc).strftime('%Y-%m-%d %H:%M:%S') }}' as timestamp) as starts_utc,
       '{{ local.tzname() }}' as abbreviation
{%- if not loop.last %} union all{% endif %}
{%- endfor %}
`;

const SLOTS_YML = `version: 2
models:
  - name: slots
    columns:
      - name: abbreviation
        data_tests:
          - accepted_values:
              arguments:
                values: ['CET', 'CEST', 'PDT']
          # Would fail here (no such value): the rendered config leaves it out on DuckDB.
          - accepted_values:
              arguments:
                values: ['never']
              config:
                enabled: "{{ target.type != 'duckdb' }}"
          - not_null:
              config:
                severity: "{{ 'warn' if target.name == 'dev' else 'error' }}"
                where: "abbreviation <> '{{ var('excluded_abbreviation', 'none') }}'"
`;

describe('modules.pytz / itertools in a DuckDB build', () => {
  it('builds a model from product() and localize(), and honours rendered test configs', async (ctx) => {
    const adapter = need(ctx);
    const project = projectCopy('run-shop', { 'models/slots.sql': SLOTS_SQL, 'models/slots.yml': SLOTS_YML });
    projects.push(project);

    const outcome = await runDvt(adapter, project, 'build', { select: ['slots', 'accepted_values_slots_abbreviation__CET__CEST__PDT', 'not_null_slots_abbreviation'] });
    expect(outcome.results.map((r) => `${r.unique_id.split('.')[2]}: ${r.status}${['pass', 'success'].includes(r.status) ? '' : ` ${r.message}`}`).sort()).toEqual([
      'accepted_values_slots_abbreviation__CET__CEST__PDT: pass',
      'not_null_slots_abbreviation: pass',
      'slots: success',
    ]);
    expect(statusOf(outcome, 'accepted_values_slots_abbreviation__never')).toBeUndefined();

    const rows = await query(adapter, project, "select zone, strftime(day, '%Y-%m-%d'), strftime(starts_utc, '%H:%M'), abbreviation from slots order by zone, day");
    expect(rows).toEqual([
      ['America/Los_Angeles', '2024-03-30', '16:00', 'PDT'],
      ['America/Los_Angeles', '2024-03-31', '16:00', 'PDT'],
      ['Europe/Amsterdam', '2024-03-30', '08:00', 'CET'],
      ['Europe/Amsterdam', '2024-03-31', '07:00', 'CEST'],
    ]);
  });
});
