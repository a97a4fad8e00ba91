import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Compiler, loadProject, type Connection } from '@dvt/core';
import adapter from '../src/index.js';

/**
 * The package's `duckdb__` macros, rendered by core's compiler (so dispatch
 * really picks them) and run on DuckDB. Each helper here fails on DuckDB, or
 * loses precision, with core's default spelling.
 */
const dir = mkdtempSync(path.join(os.tmpdir(), 'dvt-duckdb-macros-'));
let compiler: Compiler;
let connection: Connection;

beforeAll(async () => {
  mkdirSync(path.join(dir, 'models'));
  writeFileSync(path.join(dir, 'dbt_project.yml'), 'name: macro_check\nversion: "1.0"\nprofile: macro_check\n');
  writeFileSync(path.join(dir, 'profiles.yml'), 'macro_check:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: ":memory:"\n');
  const project = loadProject({ projectDir: dir, profilesDir: dir, env: {} });
  compiler = await Compiler.create({ project, adapters: { duckdb: adapter }, env: {}, writeCompiled: false });
  connection = await adapter.connect({}, { projectDir: dir, logger: { debug() {}, info() {}, warn() {} } });
});

afterAll(async () => {
  await connection?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function value(jinja: string): Promise<unknown> {
  const sql = compiler.renderHook(`select ${jinja} as v`);
  return (await connection.query(sql)).rows[0][0];
}

describe('duckdb__ macros', () => {
  it('datediff counts date-part boundaries between dates or timestamps', async () => {
    expect(await value(`{{ dbt.datediff("date '2024-01-01'", "date '2024-03-01'", 'day') }}`)).toBe(60n);
    expect(await value(`{{ dbt.datediff("timestamp '2024-01-31 23:00'", "date '2024-02-01'", 'month') }}`)).toBe(1n);
  });

  it('dateadd takes a bare string literal as a timestamp, as PostgreSQL does', async () => {
    expect(await value(`{{ dbt.dateadd('day', 2, "'2018-01-01'") }}`)).toEqual(await value(`timestamp '2018-01-03'`));
    expect(await value(`cast({{ dbt.dateadd('month', '1', "date '2024-01-31'") }} as date)`)).toEqual(await value(`date '2024-02-29'`));
  });

  it("last_day is the period's last date, quarters included (core's default spelling)", async () => {
    const lastDay = (part: string) => value(`{{ dbt.last_day("date '2024-02-10'", '${part}') }}`);
    expect(String(await lastDay('month'))).toBe(String(await value(`date '2024-02-29'`)));
    expect(String(await lastDay('quarter'))).toBe(String(await value(`date '2024-03-31'`)));
    expect(String(await lastDay('year'))).toBe(String(await value(`date '2024-12-31'`)));
  });

  it('type_float is double precision', async () => {
    expect(await value(`cast(1.1 as {{ dbt.type_float() }})`)).toBe(1.1);
  });

  it('safe_cast yields NULL for what does not convert', async () => {
    expect(await value(`{{ dbt.safe_cast("'x'", 'integer') }}`)).toBeNull();
    expect(await value(`{{ dbt.safe_cast("'12'", 'integer') }}`)).toBe(12);
  });

  it('listagg honours order and limit', async () => {
    const from = "(select unnest(['a', 'b', 'c']) as x) t";
    const limited = compiler.renderHook(`select {{ dbt.listagg('x', "', '", 'order by x desc', 2) }} from ${from}`);
    expect((await connection.query(limited)).rows[0][0]).toBe('c, b');
    const all = compiler.renderHook(`select {{ dbt.listagg('x', "'|'", 'order by x') }} from ${from}`);
    expect((await connection.query(all)).rows[0][0]).toBe('a|b|c');
  });
});
