import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ColumnMeta, RelationInfo, RelationRef } from '../src/adapter/contract.js';
import type { Compiler, StatementResult, TemplateDatabase } from '../src/compile/index.js';
import { compilerFor, projectCopy } from './compile-support.js';

// Templates that read the database (statement, run_query, adapter
// introspection) against the local PostgreSQL, through a synchronous
// TemplateDatabase made of `psql` calls: the real server, blocking as the
// runner's worker-thread bridge will.

const host = process.env.DVT_TEST_PG_HOST ?? '127.0.0.1';
const port = process.env.DVT_TEST_PG_PORT ?? '5432';

function psql(sql: string): string {
  return execFileSync('psql', ['-h', host, '-p', port, '-U', 'postgres', '-d', 'test', '--csv', '-v', 'ON_ERROR_STOP=1', '-c', sql], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function skipReason(): string | undefined {
  try {
    psql('select 1');
    return undefined;
  } catch {
    const reason = `PostgreSQL is not reachable with psql at ${host}:${port} (database test, user postgres)`;
    if (process.env.DVT_TEST_REQUIRE_SERVICES === '1') throw new Error(`DVT_TEST_REQUIRE_SERVICES=1 but ${reason}`);
    return reason;
  }
}

/** RFC 4180 CSV as psql --csv writes it; an empty unquoted field is NULL. */
function parseCsv(text: string): { header: string[]; rows: (string | null)[][] } {
  const records: (string | null)[][] = [];
  let field = '';
  let quoted = false;
  let wasQuoted = false;
  let record: (string | null)[] = [];
  const endField = () => {
    record.push(field === '' && !wasQuoted ? null : field);
    field = '';
    wasQuoted = false;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') {
      quoted = true;
      wasQuoted = true;
    } else if (c === ',') endField();
    else if (c === '\n') {
      endField();
      records.push(record);
      record = [];
    } else field += c;
  }
  const [header = [], ...rows] = records;
  return { header: header.map(String), rows };
}

const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;

const psqlDatabase: TemplateDatabase = {
  execute(sql: string, _output: string, fetch: boolean): StatementResult {
    const out = psql(sql);
    const { header, rows } = parseCsv(out);
    // A statement without rows prints its command tag (`CREATE TABLE`) instead of a header.
    if (rows.length === 0 && header.length === 1 && /^[A-Z]+( [A-Z]+)*( \d+)*$/.test(header[0])) return { columns: [], rows: [], message: header[0] };
    return { columns: fetch ? header.map((name) => ({ name })) : [], rows: fetch ? rows : [], message: `SELECT ${rows.length}` };
  },
  getRelation(ref: RelationRef): RelationInfo | undefined {
    const { rows } = parseCsv(
      psql(`select table_schema, table_name, table_type from information_schema.tables where table_schema = ${literal(ref.schema)} and table_name = ${literal(ref.identifier)}`),
    );
    const row = rows[0];
    if (!row) return undefined;
    return { database: ref.database, schema: row[0]!, identifier: row[1]!, kind: row[2] === 'VIEW' ? 'view' : 'table' };
  },
  describe(ref: RelationRef): ColumnMeta[] | undefined {
    const { rows } = parseCsv(
      psql(`select column_name, data_type from information_schema.columns where table_schema = ${literal(ref.schema)} and table_name = ${literal(ref.identifier)} order by ordinal_position`),
    );
    if (rows.length === 0) return undefined;
    return rows.map(([name, type]) => ({ name: name!, nativeType: type!, type: { kind: 'unknown', native: type! } }));
  },
};

const skip = skipReason();
const schema = `dvt_compile_${randomBytes(4).toString('hex')}`;
let compiler: Compiler;
let cleanup = () => {};

describe.skipIf(skip !== undefined)(`templates reading the database${skip ? ` (skipped: ${skip})` : ''}`, () => {
  beforeAll(async () => {
    psql(`create schema ${schema}; create table ${schema}.people (id integer, name text); insert into ${schema}.people values (1, 'ada'), (2, 'grace'); create view ${schema}.people_v as select * from ${schema}.people`);
    const copy = projectCopy('compile-shop', {
      'models/reads_db.sql': [
        // Guarded as dbt projects guard it: at parse time run_query answers None.
        `{% if execute %}`,
        `{% set names = run_query("select name from ${schema}.people order by id") %}`,
        `{% call statement('counted', fetch_result=True) %}select count(*) as n from ${schema}.people{% endcall %}`,
        `{% set view = adapter.get_relation(database='test', schema='${schema}', identifier='people_v') %}`,
        `{% set cols = adapter.get_columns_in_relation(api.Relation.create(schema='${schema}', identifier='people')) %}`,
        `select '{{ names.columns[0].values() | join(',') }}' as names,`,
        `  {{ load_result('counted').table.rows[0][0] }} as n,`,
        `  {{ load_result('counted').data[0][0] }} as n_again,`,
        `  '{{ view.type }}' as view_type, '{{ adapter.get_relation(database='test', schema='${schema}', identifier='missing') is none }}' as missing,`,
        `  '{{ cols | map(attribute='name') | join(',') }}' as cols, '{{ cols[1].data_type }}' as name_type, {{ cols[1].is_string() }} as is_text,`,
        `  '{{ names.columns['name'].values()[1] }}' as second`,
        `{% endif %}`,
      ].join('\n'),
    });
    cleanup = copy.cleanup;
    compiler = await compilerFor(copy.dir, { database: psqlDatabase });
    compiler.parseProject();
  });

  afterAll(() => {
    psql(`drop schema if exists ${schema} cascade`);
    cleanup();
  });

  it('run_query, statement/load_result and adapter introspection read the real server', () => {
    const sql = compiler.compileNode('model.compile_shop.reads_db').compiled_code.trim();
    expect(sql).toBe(
      [
        "select 'ada,grace' as names,",
        '  2 as n,',
        '  2 as n_again,',
        "  'view' as view_type, 'True' as missing,",
        "  'id,name' as cols, 'text' as name_type, True as is_text,",
        "  'grace' as second",
      ].join('\n'),
    );
  });

  it('nothing runs at parse time', () => {
    // The parse above rendered reads_db with execute=false: no statement ran, so no result was kept.
    expect(compiler.project.nodes.get('model.compile_shop.reads_db')?.depends_on.nodes).toEqual([]);
  });
});
