import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AdapterDefinition } from '../src/adapter/contract.js';
import { Compiler } from '../src/compile/index.js';
import {
  buildSourcesJson,
  freshnessCriteria,
  freshnessStatus,
  mergeFreshness,
  parseLoadedAt,
  runSourceFreshness,
} from '../src/freshness/index.js';
import { loadProject } from '../src/project/index.js';
import { loadDuckdb } from './run-support.js';

describe('freshness criteria', () => {
  it('merges table-level freshness over the source key by key, one level deep; null turns it off', () => {
    const source = { warn_after: { count: 12, period: 'hour' }, error_after: { count: 1, period: 'day' }, filter: 'x > 0' };
    expect(mergeFreshness([source, undefined, { warn_after: { count: 2 } }, undefined])).toEqual({
      warn_after: { count: 2, period: 'hour' },
      error_after: { count: 1, period: 'day' },
      filter: 'x > 0',
    });
    expect(mergeFreshness([source, undefined, null, undefined])).toBeNull();
    expect(mergeFreshness([null, undefined, { error_after: { count: 3, period: 'day' } }])).toEqual({ error_after: { count: 3, period: 'day' } });
    expect(mergeFreshness([undefined, undefined])).toBeNull();
  });

  it('judges the age against error_after first, then warn_after', () => {
    const c = freshnessCriteria({ warn_after: { count: 1, period: 'hour' }, error_after: { count: 1, period: 'day' } }, { source: 's.t', file: 'm.yml' })!;
    expect(freshnessStatus(c, 3599)).toBe('pass');
    expect(freshnessStatus(c, 3601)).toBe('warn');
    expect(freshnessStatus(c, 86401)).toBe('error');
    const onlyError = freshnessCriteria({ error_after: { count: 30, period: 'minute' } }, { source: 's.t', file: 'm.yml' })!;
    expect(freshnessStatus(onlyError, 1799)).toBe('pass');
    expect(freshnessStatus(onlyError, 1801)).toBe('error');
  });

  it('has nothing to check without a complete threshold, and names the file for a bad one', () => {
    expect(freshnessCriteria(null, { source: 's.t', file: 'm.yml' })).toBeNull();
    expect(freshnessCriteria({ filter: 'a' }, { source: 's.t', file: 'm.yml' })).toBeNull();
    expect(() => freshnessCriteria({ warn_after: { count: 1, period: 'week' } }, { source: 's.t', file: 'models/src.yml', line: 7 })).toThrow(
      /source 's.t': freshness.warn_after.period must be minute, hour or day/,
    );
    try {
      freshnessCriteria({ warn_after: { count: 1 } }, { source: 's.t', file: 'models/src.yml', line: 7 });
      expect.unreachable();
    } catch (e) {
      expect((e as { location?: unknown }).location).toEqual({ file: 'models/src.yml', line: 7 });
    }
  });

  it('reads adapter timestamps (no zone = UTC) and treats NULL as never loaded', () => {
    expect(parseLoadedAt('2026-01-02 03:04:05.123456').toISOString()).toBe('2026-01-02T03:04:05.123Z');
    expect(parseLoadedAt('2026-01-02 05:04:05+02').toISOString()).toBe('2026-01-02T03:04:05.000Z');
    expect(parseLoadedAt('2026-01-02').toISOString()).toBe('2026-01-02T00:00:00.000Z');
    expect(parseLoadedAt(null).getUTCFullYear()).toBe(1);
    expect(() => parseLoadedAt('yesterday')).toThrow(/not a timestamp/);
  });
});

// dbt's published schemas live beside the repository (../shared), never in it.
const SCHEMAS = resolve(import.meta.dirname, '../../../../shared/fixtures/dbt-artifact-schemas');
const sourcesSchema = join(SCHEMAS, 'sources-v3.json');

let duckdb: AdapterDefinition | undefined;
let skipReason: string | undefined;
beforeAll(async () => {
  const loaded = await loadDuckdb();
  if (typeof loaded === 'string') skipReason = loaded;
  else duckdb = loaded;
});
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const NOW = new Date('2026-03-01T12:00:00Z');

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'dvt-freshness-'));
  dirs.push(dir);
  const all: Record<string, string> = {
    'dbt_project.yml': 'name: fresh\nversion: "1.0"\nconfig-version: 2\nprofile: fresh\n',
    'profiles.yml': `fresh:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: ${join(dir, 'warehouse.duckdb')}\n      schema: main\n    lake:\n      type: duckdb\n      path: ${join(dir, 'lake.duckdb')}\n      schema: main\n`,
    ...files,
  };
  for (const [path, text] of Object.entries(all)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

async function exec(adapter: AdapterDefinition, path: string, sql: string): Promise<void> {
  const conn = await adapter.connect({ path }, { projectDir: dirname(path), logger: { debug() {}, info() {}, warn() {} } });
  try {
    await conn.query(sql);
  } finally {
    await conn.close();
  }
}

const SOURCES = `version: 2
sources:
  - name: raw
    schema: raw
    loaded_at_field: loaded_at
    freshness:
      warn_after: {count: 1, period: hour}
      error_after: {count: 1, period: day}
    tables:
      - name: fresh_orders
      - name: stale_orders
      - name: old_orders
      - name: filtered
        freshness:
          warn_after: {count: 2}
          filter: kind = 'live'
      - name: missing
      - name: empty_orders
      - name: no_check
        freshness: null
  - name: lake
    schema: raw
    connection: lake
    database: lake
    loaded_at_field: "cast(loaded_at as timestamp)"
    freshness:
      error_after: {count: 10, period: minute}
    tables:
      - name: events
`;

describe('runSourceFreshness on DuckDB', () => {
  it('checks each source on its connection, with inherited thresholds and filters, and writes a valid sources.json', async (ctx) => {
    if (!duckdb) ctx.skip(skipReason);
    const db = duckdb!;
    const dir = project({ 'models/sources.yml': SOURCES });
    await exec(db, join(dir, 'warehouse.duckdb'), `create schema raw;
      create table raw.fresh_orders as select timestamp '2026-03-01 11:30:00' as loaded_at;
      create table raw.stale_orders as select timestamp '2026-03-01 09:00:00' as loaded_at;
      create table raw.old_orders as select timestamptz '2026-02-27 12:00:00+00' as loaded_at;
      create table raw.filtered as select * from (values (timestamp '2026-03-01 10:30:00', 'live'), (timestamp '2026-03-01 11:59:00', 'test')) t(loaded_at, kind);
      create table raw.empty_orders (loaded_at timestamp);
      create table raw.no_check as select timestamp '2000-01-01' as loaded_at;`);
    await exec(db, join(dir, 'lake.duckdb'), `create schema raw; create table raw.events as select '2026-03-01 11:55:00' as loaded_at;`);

    const loaded = loadProject({ projectDir: dir, profilesDir: dir, env: {} });
    const compiler = await Compiler.create({ project: loaded, adapters: { duckdb: db }, env: {}, writeCompiled: false });
    compiler.parseProject();
    const events: string[] = [];
    const outcome = await runSourceFreshness({
      project: loaded,
      compiler,
      selection: [...loaded.sources.keys()],
      resolveAdapter: async () => db,
      now: () => NOW,
      events: (e) => events.push(e.type),
    });
    const byName = Object.fromEntries(outcome.results.map((r) => [r.unique_id.split('.').slice(-2).join('.'), r]));
    expect(Object.keys(byName).sort()).toEqual(
      ['lake.events', 'raw.empty_orders', 'raw.filtered', 'raw.fresh_orders', 'raw.missing', 'raw.old_orders', 'raw.stale_orders'].sort(),
    );
    expect(byName['raw.fresh_orders']!.status).toBe('pass');
    expect(byName['raw.stale_orders']!.status).toBe('warn');
    expect(byName['raw.old_orders']!.status).toBe('error');
    // Only 'live' rows count (10:30): 1.5 h old is a pass under the table's own 2-hour warn_after.
    expect(byName['raw.filtered']).toMatchObject({ status: 'pass', max_loaded_at_time_ago_in_s: 5400 });
    expect(byName['raw.empty_orders']!.status).toBe('error');
    expect(byName['raw.missing']!.status).toBe('runtime error');
    expect((byName['raw.missing'] as { error: string }).error).toMatch(/missing/);
    // The lake source lives in the other DuckDB file: it is found there, 5 minutes old.
    expect(byName['lake.events']).toMatchObject({ status: 'pass', max_loaded_at_time_ago_in_s: 300 });
    expect(outcome.success).toBe(false);
    expect(events[0]).toBe('start');
    expect(events.at(-1)).toBe('end');

    const json = buildSourcesJson(outcome.results, outcome.elapsed, { invocationId: 'inv-1' });
    expect((json.results as { max_loaded_at?: string }[]).find((r) => r.max_loaded_at === '2026-03-01T11:30:00.000000Z')).toBeDefined();
    if (!existsSync(sourcesSchema)) {
      ctx.annotate?.(`sources.json not validated: ${sourcesSchema} is absent`);
      return;
    }
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    (addFormats as unknown as (a: Ajv2020) => void)(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(sourcesSchema, 'utf8')));
    expect(validate(json), JSON.stringify(validate.errors)).toBe(true);
  });

  it('passes when every source is fresh', async (ctx) => {
    if (!duckdb) ctx.skip(skipReason);
    const db = duckdb!;
    const dir = project({
      'models/sources.yml': `version: 2\nsources:\n  - name: raw\n    schema: raw\n    tables:\n      - name: t\n        loaded_at_field: synced_at\n        freshness: {warn_after: {count: 1, period: day}}\n`,
    });
    await exec(db, join(dir, 'warehouse.duckdb'), `create schema raw; create table raw.t as select timestamp '2026-03-01 00:00:00' as synced_at;`);
    const loaded = loadProject({ projectDir: dir, profilesDir: dir, env: {} });
    const compiler = await Compiler.create({ project: loaded, adapters: { duckdb: db }, env: {}, writeCompiled: false });
    compiler.parseProject();
    const outcome = await runSourceFreshness({ project: loaded, compiler, selection: [...loaded.sources.keys()], resolveAdapter: async () => db, now: () => NOW });
    expect(outcome.results.map((r) => (r.status === "runtime error" ? r.error : r.status))).toEqual(["pass"]);
    expect(outcome.success).toBe(true);
  });
});
