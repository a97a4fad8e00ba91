import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AdapterDefinition, Value } from '../src/adapter/contract.js';
import { Compiler } from '../src/compile/index.js';
import { compareContract, contractTableSql } from '../src/contract/index.js';
import { loadProject } from '../src/project/index.js';
import { runCommand } from '../src/run/index.js';
import { loadDuckdb } from './run-support.js';

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

const CONTRACT_YML = (model: string, columns: string) => `version: 2
models:
  - name: ${model}
    config:
      materialized: table
      contract: {enforced: true}
    columns:
${columns}`;

const ORDERS_COLUMNS = `      - name: id
        data_type: integer
        constraints: [{type: not_null}, {type: primary_key}]
      - name: amount
        data_type: decimal(10,2)
        constraints:
          - type: check
            expression: "amount >= 0"
      - name: note
        data_type: varchar
`;

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'dvt-contract-'));
  dirs.push(dir);
  const all: Record<string, string> = {
    'dbt_project.yml': 'name: ct\nversion: "1.0"\nconfig-version: 2\nprofile: ct\n',
    'profiles.yml': `ct:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: ${join(dir, 'wh.duckdb')}\n      schema: main\n`,
    ...files,
  };
  for (const [path, text] of Object.entries(all)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

async function run(db: AdapterDefinition, dir: string) {
  const loaded = loadProject({ projectDir: dir, profilesDir: dir, env: {} });
  const compiler = await Compiler.create({ project: loaded, adapters: { duckdb: db }, env: {}, writeCompiled: false });
  compiler.parseProject();
  return runCommand({
    command: 'run',
    project: loaded,
    compiler,
    selection: [...loaded.nodes.values()].filter((n) => n.resource_type === 'model').map((n) => n.unique_id),
    targetPath: join(dir, 'target'),
    resolveAdapter: async () => db,
  });
}

async function query(db: AdapterDefinition, dir: string, sql: string): Promise<Value[][]> {
  const conn = await db.connect({ path: join(dir, 'wh.duckdb') }, { projectDir: dir, logger: { debug() {}, info() {}, warn() {} } });
  try {
    return (await conn.query(sql)).rows;
  } finally {
    await conn.close();
  }
}

describe('contracts (pure)', () => {
  it('compares names case-insensitively and types by kind, listing every difference', async () => {
    const db = await loadDuckdb();
    if (typeof db === 'string') return;
    const declared = [
      { name: 'id', data_type: 'int', constraints: [] },
      { name: 'Amount', data_type: 'numeric(12,4)', constraints: [] },
      { name: 'gone', data_type: 'text', constraints: [] },
    ];
    const actual = [
      { name: 'id', nativeType: 'INTEGER', type: { kind: 'integer' as const } },
      { name: 'amount', nativeType: 'DECIMAL(10,2)', type: { kind: 'decimal' as const, precision: 10, scale: 2 } },
      { name: 'extra', nativeType: 'VARCHAR', type: { kind: 'text' as const } },
    ];
    expect(compareContract(declared, actual, db.dialect)).toEqual([
      { column: 'gone', contract_type: 'text', model_type: null, reason: 'missing in model' },
      { column: 'extra', contract_type: null, model_type: 'VARCHAR', reason: 'missing in contract' },
    ]);
    expect(compareContract([{ name: 'id', data_type: 'bigint', constraints: [] }], actual.slice(0, 1), db.dialect)).toEqual([
      { column: 'id', contract_type: 'bigint', model_type: 'INTEGER', reason: 'type differs' },
    ]);
    const { create, insert } = contractTableSql('"t"', [{ name: 'id', data_type: 'integer', constraints: [{ type: 'not_null' }, { type: 'check', expression: 'id > 0' }] }], db.dialect, 'select 1 as id;');
    expect(create).toBe('create table "t" (\n    "id" integer not null check (id > 0)\n)');
    expect(insert).toBe('insert into "t" ("id")\nselect "id"\nfrom (\nselect 1 as id\n) as model_subq');
  });
});

describe('contracts on DuckDB', () => {
  it('builds the declared columns with their constraints, and the engine enforces them', async (ctx) => {
    if (!duckdb) ctx.skip(skipReason);
    const db = duckdb!;
    const dir = project({
      'models/orders.sql': "select 1 as id, 9.5 as amount, 'x' as note union all select 2, 0, null",
      'models/schema.yml': CONTRACT_YML('orders', ORDERS_COLUMNS),
    });
    const ok = await run(db, dir);
    expect(ok.results.map((r) => [r.status, r.message])).toEqual([['success', 'SELECT 2']]);
    expect(await query(db, dir, "select column_name, data_type, is_nullable from information_schema.columns where table_name = 'orders' order by ordinal_position")).toEqual([
      ['id', 'INTEGER', 'NO'],
      ['amount', 'DECIMAL(10,2)', 'YES'],
      ['note', 'VARCHAR', 'YES'],
    ]);
    // Rebuilt with a row the check refuses: the node fails and the old table stays.
    writeFileSync(join(dir, 'models/orders.sql'), "select 1 as id, -1.0 as amount, 'x' as note");
    const refused = await run(db, dir);
    expect(refused.results[0]!.status).toBe('error');
    expect(refused.results[0]!.message).toMatch(/CHECK constraint/i);
    expect(await query(db, dir, 'select count(*) from orders')).toEqual([[2n]]);
  });

  it('fails before building when the columns do not match, listing each mismatch', async (ctx) => {
    if (!duckdb) ctx.skip(skipReason);
    const db = duckdb!;
    const dir = project({
      'models/orders.sql': "select 'one' as id, 9.5 as amount, 3 as surprise",
      'models/schema.yml': CONTRACT_YML('orders', ORDERS_COLUMNS),
    });
    const out = await run(db, dir);
    expect(out.results[0]!.status).toBe('error');
    const message = out.results[0]!.message!;
    expect(message).toMatch(/enforced contract that failed/);
    expect(message).toMatch(/id\s+integer\s+VARCHAR\s+type differs/);
    expect(message).toMatch(/note\s+varchar\s+-\s+missing in model/);
    expect(message).toMatch(/surprise\s+-\s+INTEGER\s+missing in contract/);
    expect(await query(db, dir, "select count(*) from information_schema.tables where table_name = 'orders'")).toEqual([[0n]]);
  });

  it('needs a data_type on every column of an enforced contract', async (ctx) => {
    if (!duckdb) ctx.skip(skipReason);
    const db = duckdb!;
    const dir = project({
      'models/orders.sql': 'select 1 as id',
      'models/schema.yml': CONTRACT_YML('orders', '      - name: id\n'),
    });
    const out = await run(db, dir);
    expect(out.results[0]!.status).toBe('error');
    expect(out.results[0]!.message).toMatch(/column 'id' needs a data_type/);
  });

  it('keeps an incremental model to its contract: first build with constraints, later runs checked', async (ctx) => {
    if (!duckdb) ctx.skip(skipReason);
    const db = duckdb!;
    const yml = `version: 2
models:
  - name: events
    config: {materialized: incremental, unique_key: id, contract: {enforced: true}}
    columns:
      - name: id
        data_type: integer
        constraints: [{type: not_null}]
      - name: kind
        data_type: varchar
`;
    const dir = project({ 'models/events.sql': "select 1 as id, 'a' as kind", 'models/schema.yml': yml });
    expect((await run(db, dir)).results[0]!.status).toBe('success');
    expect(await query(db, dir, "select is_nullable from information_schema.columns where table_name = 'events' and column_name = 'id'")).toEqual([['NO']]);
    writeFileSync(join(dir, 'models/events.sql'), "select 2 as id, 'b' as kind");
    expect((await run(db, dir)).results[0]!.status).toBe('success');
    writeFileSync(join(dir, 'models/events.sql'), "select 3 as id, 'c' as kind, 1.5 as weight");
    const drifted = await run(db, dir);
    expect(drifted.results[0]!.status).toBe('error');
    expect(drifted.results[0]!.message).toMatch(/weight\s+-\s+DECIMAL\(2,1\)\s+missing in contract/);
    expect(await query(db, dir, 'select id from events order by id')).toEqual([[1], [2]]);
  });

  it('applies model-level constraints (composite primary key, check, not_null over columns)', async (ctx) => {
    if (!duckdb) ctx.skip(skipReason);
    const db = duckdb!;
    const yml = `version: 2
models:
  - name: lines
    config: {materialized: table, contract: {enforced: true}}
    constraints:
      - {type: primary_key, columns: [order_id, line]}
      - {type: check, expression: "qty > 0"}
      - {type: not_null, columns: [sku]}
    columns:
      - {name: order_id, data_type: integer}
      - {name: line, data_type: integer}
      - {name: sku, data_type: varchar}
      - {name: qty, data_type: integer}
`;
    const dir = project({ 'models/lines.sql': "select 1 as order_id, 1 as line, 'a' as sku, 2 as qty union all select 1, 2, 'b', 1", 'models/schema.yml': yml });
    const ok = await run(db, dir);
    expect(ok.results[0]!.status, ok.results[0]!.message ?? '').toBe('success');
    expect(await query(db, dir, "select column_name, is_nullable from information_schema.columns where table_name = 'lines' order by ordinal_position")).toEqual([
      ['order_id', 'NO'],
      ['line', 'NO'],
      ['sku', 'NO'],
      ['qty', 'YES'],
    ]);
    writeFileSync(join(dir, 'models/lines.sql'), "select 1 as order_id, 1 as line, 'a' as sku, 2 as qty union all select 1, 1, 'b', 1");
    const duplicate = await run(db, dir);
    expect(duplicate.results[0]!.status).toBe('error');
    expect(duplicate.results[0]!.message).toMatch(/primary key|duplicate/i);

    const typo = project({ 'models/lines.sql': 'select 1 as order_id', 'models/schema.yml': CONTRACT_YML('lines', '      - {name: order_id, data_type: integer}\n').replace('    columns:', '    constraints: [{type: unique, columns: [order]}]\n    columns:') });
    const refused = await run(db, typo);
    expect(refused.results[0]!.message).toMatch(/names column 'order', which the contract does not declare/);
  });
});

