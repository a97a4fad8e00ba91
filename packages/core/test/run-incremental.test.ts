import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AdapterDefinition } from '../src/adapter/contract.js';
import { loadDuckdb, projectCopy, query, runDvt, type RunOptions, type TestProject } from './run-support.js';

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

const MODEL = `{{ config(
    materialized='incremental',
    unique_key=var('key', none),
    incremental_strategy=var('strategy', none),
    on_schema_change=var('osc', 'ignore'),
) }}
select {{ var('cols', 'id, k2, val') }} from {{ ref('events') }}
`;

/** A project whose incremental model reads the rows of the current `events` seed. */
function eventsProject(): TestProject {
  const p = projectCopy('run-shop', { 'models/schema.yml': 'version: 2\n', 'models/events_incr.sql': MODEL });
  p.remove('models/customer_payments.sql');
  p.remove('models/stg_customers.sql');
  p.remove('tests/no_negative_payments.sql');
  projects.push(p);
  return p;
}

/** Loads `csv` as the events seed, then runs the incremental model; returns the model's result. */
async function batch(db: AdapterDefinition, p: TestProject, csv: string, options: RunOptions = {}) {
  p.write({ 'seeds/events.csv': csv });
  const out = await runDvt(db, p, 'build', { ...options, select: ['events', 'events_incr'] });
  return out.results.find((r) => r.unique_id === 'model.run_shop.events_incr')!;
}

const table = async (db: AdapterDefinition, p: TestProject, sql = 'select id, k2, val from events_incr order by id, k2 nulls first, val') =>
  (await query(db, p, sql)).map((r) => r.map((v) => (typeof v === 'bigint' ? Number(v) : v)));

function need(ctx: { skip: (reason?: string) => void }): AdapterDefinition {
  if (!duckdb) ctx.skip(skipReason);
  return duckdb!;
}

const FIRST = 'id,k2,val\n1,a,10\n1,b,11\n2,b,20\n3,,30\n';

describe('incremental models on DuckDB', () => {
  it('append adds the new rows', async (ctx) => {
    const db = need(ctx);
    const p = eventsProject();
    expect((await batch(db, p, FIRST)).status).toBe('success');
    const second = await batch(db, p, 'id,k2,val\n4,a,40\n');
    expect(second.status).toBe('success');
    expect(second.adapter_response).toMatchObject({ code: 'APPEND', rows_affected: 1 });
    expect(await table(db, p)).toEqual([
      [1, 'a', 10],
      [1, 'b', 11],
      [2, 'b', 20],
      [3, null, 30],
      [4, 'a', 40],
    ]);
  });

  for (const strategy of ['delete+insert', 'merge']) {
    it(`${strategy} with a composite key replaces exactly the matching tuples, NULL keys included`, async (ctx) => {
      const db = need(ctx);
      const p = eventsProject();
      const vars = { strategy, key: ['id', 'k2'] };
      await batch(db, p, FIRST, { vars });
      // (1,b) changes, (2,c) is new, (3,NULL) changes: (1,a) and (2,b) must survive
      const second = await batch(db, p, 'id,k2,val\n1,b,111\n2,c,22\n3,,33\n', { vars });
      expect(second.status).toBe('success');
      expect(await table(db, p)).toEqual([
        [1, 'a', 10],
        [1, 'b', 111],
        [2, 'b', 20],
        [2, 'c', 22],
        [3, null, 33],
      ]);
    });
  }

  it('a unique_key without a strategy means delete+insert', async (ctx) => {
    const db = need(ctx);
    const p = eventsProject();
    await batch(db, p, 'id,k2,val\n1,a,1\n', { vars: { key: 'id' } });
    const second = await batch(db, p, 'id,k2,val\n1,a,2\n', { vars: { key: 'id' } });
    expect(second.adapter_response).toMatchObject({ code: 'DELETE+INSERT' });
    expect(await table(db, p)).toEqual([[1, 'a', 2]]);
  });

  it('an unknown strategy is an error naming it', async (ctx) => {
    const db = need(ctx);
    const p = eventsProject();
    await batch(db, p, FIRST);
    const second = await batch(db, p, FIRST, { vars: { strategy: 'upsert_somehow' } });
    expect(second.status).toBe('error');
    expect(second.message).toContain("incremental_strategy 'upsert_somehow' is not available");
  });

  it('a custom strategy macro is used by name', async (ctx) => {
    const db = need(ctx);
    const p = eventsProject();
    p.write({
      'macros/replace_all.sql': `{% macro get_incremental_replace_all_sql(arg_dict) %}
{{ return(['delete from ' ~ arg_dict['target_relation'], 'insert into ' ~ arg_dict['target_relation'] ~ ' select * from ' ~ arg_dict['temp_relation']]) }}
{% endmacro %}`,
    });
    await batch(db, p, FIRST, { vars: { strategy: 'replace_all' } });
    await batch(db, p, 'id,k2,val\n9,z,90\n', { vars: { strategy: 'replace_all' } });
    expect(await table(db, p)).toEqual([[9, 'z', 90]]);
  });

  it('--full-refresh rebuilds, and the full_refresh config can refuse it', async (ctx) => {
    const db = need(ctx);
    const p = eventsProject();
    await batch(db, p, FIRST);
    await batch(db, p, 'id,k2,val\n5,e,50\n', { fullRefresh: true });
    expect(await table(db, p)).toEqual([[5, 'e', 50]]);
    p.write({ 'models/events_incr.sql': MODEL.replace("materialized='incremental',", "materialized='incremental', full_refresh=false,") });
    await batch(db, p, 'id,k2,val\n6,f,60\n', { fullRefresh: true });
    expect(await table(db, p)).toEqual([
      [5, 'e', 50],
      [6, 'f', 60],
    ]);
  });

  describe('on_schema_change', () => {
    const columns = (db: AdapterDefinition, p: TestProject) =>
      query(db, p, "select column_name, data_type from information_schema.columns where table_name = 'events_incr' order by ordinal_position");
    const SECOND = 'id,k2,val,extra\n7,g,70,x\n';

    it('ignore keeps the target columns', async (ctx) => {
      const db = need(ctx);
      const p = eventsProject();
      await batch(db, p, FIRST);
      const out = await batch(db, p, SECOND, { vars: { cols: 'id, k2, val, extra' } });
      expect(out.status).toBe('success');
      expect((await columns(db, p)).map((c) => c[0])).toEqual(['id', 'k2', 'val']);
    });

    it('fail stops with the differences', async (ctx) => {
      const db = need(ctx);
      const p = eventsProject();
      await batch(db, p, FIRST);
      const out = await batch(db, p, SECOND, { vars: { cols: 'id, k2, val, extra', osc: 'fail' } });
      expect(out.status).toBe('error');
      expect(out.message).toContain('out of sync (new columns: extra VARCHAR)');
      expect((await columns(db, p)).map((c) => c[0])).toEqual(['id', 'k2', 'val']);
    });

    it('append_new_columns adds columns and keeps removed ones (NULL for new rows)', async (ctx) => {
      const db = need(ctx);
      const p = eventsProject();
      await batch(db, p, FIRST);
      const out = await batch(db, p, SECOND, { vars: { cols: 'id, val, extra', osc: 'append_new_columns' } });
      expect(out.status).toBe('success');
      expect((await columns(db, p)).map((c) => c[0])).toEqual(['id', 'k2', 'val', 'extra']);
      expect(await table(db, p, 'select id, k2, extra from events_incr where id = 7')).toEqual([[7, null, 'x']]);
    });

    it('sync_all_columns adds, drops and retypes columns', async (ctx) => {
      const db = need(ctx);
      const p = eventsProject();
      await batch(db, p, FIRST);
      const out = await batch(db, p, SECOND, { vars: { cols: "id, cast(val as varchar) as val, extra", osc: 'sync_all_columns' } });
      expect(out.status).toBe('success');
      expect(await columns(db, p)).toEqual([
        ['id', 'INTEGER'],
        ['val', 'VARCHAR'],
        ['extra', 'VARCHAR'],
      ]);
      expect(await table(db, p, 'select id, val, extra from events_incr order by id')).toEqual([
        [1, '10', null],
        [1, '11', null],
        [2, '20', null],
        [3, '30', null],
        [7, '70', 'x'],
      ]);
    });
  });
});
