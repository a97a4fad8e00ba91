import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AdapterDefinition } from '../src/adapter/contract.js';
import { addBatches, batchWindows, formatBatchTime, parseBatchTime, truncateToBatch } from '../src/run/materialize/batches.js';
import { loadDuckdb, projectCopy, query, runDvt, type TestProject } from './run-support.js';

const at = (s: string) => new Date(`${s}Z`);
const iso = (windows: [Date, Date][]) => windows.map(([a, b]) => `${formatBatchTime(a)}..${formatBatchTime(b)}`);

describe('microbatch windows', () => {
  it('truncates and steps in UTC periods', () => {
    expect(formatBatchTime(truncateToBatch(at('2024-03-15T13:45:10'), 'hour'))).toBe('2024-03-15 13:00:00');
    expect(formatBatchTime(truncateToBatch(at('2024-03-15T13:45:10'), 'day'))).toBe('2024-03-15 00:00:00');
    expect(formatBatchTime(truncateToBatch(at('2024-03-15T13:45:10'), 'month'))).toBe('2024-03-01 00:00:00');
    expect(formatBatchTime(truncateToBatch(at('2024-03-15T13:45:10'), 'year'))).toBe('2024-01-01 00:00:00');
    expect(formatBatchTime(addBatches(at('2024-01-31T00:00:00'), 'month', 1))).toBe('2024-02-29 00:00:00');
  });

  it('first runs start at begin; later runs take the current period and lookback', () => {
    const now = at('2024-03-03T10:00:00');
    expect(iso(batchWindows({ size: 'day', now, lookback: 1, begin: at('2024-03-01T05:00:00'), firstRun: true }))).toEqual([
      '2024-03-01 00:00:00..2024-03-02 00:00:00',
      '2024-03-02 00:00:00..2024-03-03 00:00:00',
      '2024-03-03 00:00:00..2024-03-04 00:00:00',
    ]);
    expect(iso(batchWindows({ size: 'day', now, lookback: 1, firstRun: false }))).toEqual([
      '2024-03-02 00:00:00..2024-03-03 00:00:00',
      '2024-03-03 00:00:00..2024-03-04 00:00:00',
    ]);
    expect(iso(batchWindows({ size: 'month', now, lookback: 0, firstRun: false }))).toEqual(['2024-03-01 00:00:00..2024-04-01 00:00:00']);
  });

  it('reads begin as UTC', () => {
    expect(parseBatchTime('2024-01-02')?.toISOString()).toBe('2024-01-02T00:00:00.000Z');
    expect(parseBatchTime('2024-01-02 06:30:00')?.toISOString()).toBe('2024-01-02T06:30:00.000Z');
    expect(parseBatchTime('soon')).toBeUndefined();
  });
});

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

describe('microbatch models on DuckDB', () => {
  it('build window by window, then reprocess only the lookback', async (ctx) => {
    if (!duckdb) ctx.skip(skipReason);
    const db = duckdb!;
    const day = (offset: number, hour = 12) => formatBatchTime(new Date(truncateToBatch(new Date(), 'day').getTime() + offset * 86_400_000 + hour * 3_600_000));
    const p = projectCopy('run-shop', {
      'models/schema.yml': 'version: 2\n',
      'seeds/events.csv': `id,occurred_at,v\n1,${day(-3)},1\n2,${day(-2)},2\n3,${day(-1)},3\n4,${day(0, 0)},4\n`,
      'models/events_mb.sql': `{{ config(materialized='incremental', incremental_strategy='microbatch', event_time='occurred_at', batch_size='day', begin='${day(-3, 0).slice(0, 10)}') }}
select id, occurred_at, v from {{ ref('events') }}`,
    });
    projects.push(p);
    const first = await runDvt(db, p, 'build', { select: ['events', 'events_mb'] });
    const result = first.results.find((r) => r.unique_id === 'model.run_shop.events_mb')!;
    expect(result.status).toBe('success');
    expect(result.batch_results?.successful).toHaveLength(4);
    expect(result.adapter_response).toMatchObject({ rows_affected: 4 });

    // id 1 (3 days ago) changes but is outside the lookback; id 3 (yesterday) changes; id 5 is new today
    p.write({ 'seeds/events.csv': `id,occurred_at,v\n1,${day(-3)},100\n2,${day(-2)},2\n3,${day(-1)},30\n4,${day(0, 0)},4\n5,${day(0, 1)},5\n` });
    const second = await runDvt(db, p, 'build', { select: ['events', 'events_mb'] });
    const again = second.results.find((r) => r.unique_id === 'model.run_shop.events_mb')!;
    expect(again.status).toBe('success');
    expect(again.batch_results?.successful).toHaveLength(2);
    const rows = (await query(db, p, 'select id, v from events_mb order by id')).map((r) => r.map(Number));
    expect(rows).toEqual([
      [1, 1],
      [2, 2],
      [3, 30],
      [4, 4],
      [5, 5],
    ]);
  });

  it('needs event_time, batch_size and a begin for the first run', async (ctx) => {
    if (!duckdb) ctx.skip(skipReason);
    const p = projectCopy('run-shop', {
      'models/schema.yml': 'version: 2\n',
      'models/mb_bad.sql': "{{ config(materialized='incremental', incremental_strategy='microbatch', event_time='at', batch_size='week') }} select 1 as id",
    });
    projects.push(p);
    const out = await runDvt(duckdb!, p, 'run', { select: ['mb_bad'] });
    expect(out.results[0]!.message).toContain('needs batch_size: one of hour, day, month, year');
  });
});
