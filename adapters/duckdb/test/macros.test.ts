import { existsSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Compiler, DatabaseBridge, loadProject, type Connection } from '@dvt/core';
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

/**
 * `macros/shims/dbt_utils/`: DuckDB versions of macros dbt_utils dispatches.
 * The package here is a stand-in written for this test, with dbt_utils'
 * names and its default reading `<database>.information_schema.tables`.
 */
describe('dbt_utils shims', () => {
  const projectDir = mkdtempSync(path.join(os.tmpdir(), 'dvt-duckdb-shims-'));
  let shimCompiler: Compiler;
  let shimConnection: Connection;
  const database = path.join(projectDir, 'shims.duckdb');

  beforeAll(async () => {
    const files: Record<string, string> = {
      'dbt_project.yml': 'name: shim_check\nversion: "1.0"\nprofile: shim_check\n',
      'profiles.yml': `shim_check:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: ${database}\n`,
      'dbt_packages/dbt_utils/dbt_project.yml': 'name: dbt_utils\nversion: "1.0"\n',
      'dbt_packages/dbt_utils/macros/tables.sql': `{% macro get_tables_by_pattern_sql(schema_pattern, table_pattern, exclude='', database=target.database) %}
  {{ return(adapter.dispatch('get_tables_by_pattern_sql', 'dbt_utils')(schema_pattern, table_pattern, exclude, database)) }}
{% endmacro %}
{% macro default__get_tables_by_pattern_sql(schema_pattern, table_pattern, exclude='', database=target.database) %}
  select table_schema, table_name from {{ database }}.information_schema.tables where table_name ilike '{{ table_pattern }}'
{% endmacro %}
{% macro get_table_types_sql() %}{{ return(adapter.dispatch('get_table_types_sql', 'dbt_utils')()) }}{% endmacro %}
{% macro default__get_table_types_sql() %}case table_type when 'BASE TABLE' then 'table' else lower(table_type) end as {{ adapter.quote('table_type') }}{% endmacro %}
`,
    };
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(projectDir, file)), { recursive: true });
      writeFileSync(path.join(projectDir, file), text);
    }
    const project = loadProject({ projectDir, profilesDir: projectDir, env: {} });
    shimCompiler = await Compiler.create({ project, adapters: { duckdb: adapter }, env: {}, writeCompiled: false });
    shimConnection = await adapter.connect({ path: database }, { projectDir, logger: { debug() {}, info() {}, warn() {} } });
    await shimConnection.query('create table sh_a as select 1 as x');
    await shimConnection.query('create view sh_v as select * from sh_a');
    await shimConnection.query('create table other as select 1 as x');
  });

  afterAll(async () => {
    await shimConnection?.close();
    rmSync(projectDir, { recursive: true, force: true });
  });

  it("get_tables_by_pattern_sql reads the system catalog's information_schema for the target database", async () => {
    const sql = shimCompiler.renderHook("{{ dbt_utils.get_tables_by_pattern_sql('main', 'sh%') }} order by 2");
    expect(sql).toContain('system.information_schema.tables');
    expect((await shimConnection.query(sql)).rows).toEqual([
      ['main', 'sh_a', 'table'],
      ['main', 'sh_v', 'view'],
    ]);
  });
});

describe("core's series and date helpers on DuckDB", () => {
  it('get_powers_of_two and generate_series count to the bound', async () => {
    expect(await value(`{{ dbt.get_powers_of_two(1) }} * 1000 + {{ dbt.get_powers_of_two(3) }} * 100 + {{ dbt.get_powers_of_two(1024) }}`)).toBe(1210);
    const series = compiler.renderHook(`select count(*), sum(generated_number), min(generated_number) from ({{ dbt.generate_series(1025) }}) s`);
    expect((await connection.query(series)).rows[0]).toEqual([1025n, 525825n, 1]);
  });

  it('date, equals and the array helpers', async () => {
    expect(String(await value(`{{ dbt.date(2024, 2, 29) }}`))).toBe(String(await value(`date '2024-02-29'`)));
    expect(await value(`{{ dbt.equals('cast(null as integer)', 'cast(null as integer)') }} and not {{ dbt.equals('1', 'cast(null as integer)') }}`)).toBe(true);
    expect(await value(`{{ dbt.array_concat(dbt.array_append(dbt.array_construct([1, 2]), 3), dbt.array_construct([4])) }}::varchar`)).toBe('[1, 2, 3, 4]');
    expect(await value(`len({{ dbt.array_construct([]) }})`)).toBe(0n);
  });

  // date_spine asks the database how many periods there are, through the runner's bridge (a built adapter in a worker).
  const built = path.join(import.meta.dirname, '..', 'dist', 'index.js');
  it.skipIf(!existsSync(built))('date_spine lists each period from the start up to the end', async () => {
    const project = loadProject({ projectDir: dir, profilesDir: dir, env: {} });
    const bridge = new DatabaseBridge({ projectDir: dir, outputs: project.profile.outputs, modules: { duckdb: pathToFileURL(built).href } });
    try {
      const bridged = await Compiler.create({ project, adapters: { duckdb: adapter }, env: {}, writeCompiled: false, database: bridge.templateDatabase });
      const sql = bridged.renderHook(`select strftime(date_day, '%m-%d') as d from ({{ dbt.date_spine('day', "date '2024-02-27'", "date '2024-03-02'") }}) s order by 1`);
      expect((await connection.query(sql)).rows.map((r) => r[0])).toEqual(['02-27', '02-28', '02-29', '03-01']);
    } finally {
      await bridge.close();
    }
  });
});
