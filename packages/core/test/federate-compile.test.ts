import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdapterDefinition } from '../src/adapter/contract.js';
import { Compiler, Relation } from '../src/compile/index.js';
import { loadProject } from '../src/project/index.js';

const adapters: Record<string, AdapterDefinition> = {};
let dir: string;
let compiler: Compiler;

const FILES: Record<string, string> = {
  'dbt_project.yml': 'name: fed\nprofile: fed\nconfig-version: 2\n',
  'profiles.yml': `fed:
  target: pg
  outputs:
    pg: { type: postgres, host: 127.0.0.1, user: postgres, dbname: test, schema: public }
    elsewhere: { type: postgres, host: 127.0.0.1, user: postgres, dbname: postgres, schema: public }
`,
  'models/sources.yml': 'version: 2\nsources:\n  - name: crm\n    connection: elsewhere\n    tables: [{ name: customers }]\n',
  'models/base.sql': "{{ config(materialized='table') }} select 1 as id",
  'models/eph.sql': "{{ config(materialized='ephemeral') }} select * from {{ source('crm', 'customers') }}",
  'models/joined.sql':
    "{{ config(materialized='incremental') }} select * from {{ ref('base') }} join {{ ref('eph') }} using (id){% if is_incremental() %} where id > (select max(id) from {{ this }}){% endif %}",
};

beforeAll(async () => {
  for (const name of ['duckdb', 'postgres']) {
    const mod = (await import(pathToFileURL(join(import.meta.dirname, `../../../adapters/${name}/dist/index.js`)).href)) as { default: AdapterDefinition };
    adapters[mod.default.type] = mod.default;
  }
  dir = mkdtempSync(join(tmpdir(), 'dvt-fedcompile-'));
  for (const [path, text] of Object.entries(FILES)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  const project = loadProject({ projectDir: dir, profilesDir: dir, env: {} });
  compiler = await Compiler.create({ project, adapters, env: {}, writeCompiled: false });
  compiler.parseProject();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cache = (identifier: string) => new Relation(adapters.duckdb!.dialect, 'duckdb', { database: null, schema: 'main', identifier, type: 'table' });

describe('federated compilation', () => {
  it('resolves ref(), source() (inside ephemerals too) and this to the copies, through the relation objects', () => {
    const copies: Record<string, Relation> = {
      'model.fed.base': cache('__model__base'),
      'source.fed.crm.customers': cache('crm__customers'),
    };
    const federated = { adapterType: 'duckdb', relationFor: (id: string) => copies[id], thisRelation: cache('__model__joined') };
    const sql = compiler.compileNode('model.fed.joined', { relationExists: true, relationType: 'table', federated }).compiled_code;
    expect(sql).toContain('from "main"."__model__base" join __dbt__cte__eph');
    expect(sql).toContain('select * from "main"."crm__customers"');
    expect(sql).toContain('(select max(id) from "main"."__model__joined")');
  });

  it('leaves normal compilation untouched afterwards (ephemerals are not cached with federated names)', () => {
    const sql = compiler.compileNode('model.fed.joined', { relationExists: false }).compiled_code;
    expect(sql).toContain('"test"."public"."base"');
    // The source lives on 'elsewhere', whose database is 'postgres'.
    expect(sql).toContain('select * from "postgres"."crm"."customers"');
    expect(sql).not.toContain('__model__');
  });
});
