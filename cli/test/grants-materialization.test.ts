import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { POSTGRES, serviceSkipReason } from '@dvt/adapter-testkit';
import type { Value } from '@dvt/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dvt, tempDir } from './helpers.js';

/**
 * A project's own `{% materialization %}` calling dbt's grant macros
 * (`apply_grants`, `should_revoke`), as copies of dbt's materializations do:
 * on a kept relation the grantee the config dropped is revoked.
 */
const skip = await serviceSkipReason(POSTGRES);
const schema = `dvt_grants_mat_${process.pid}_${Date.now().toString(36)}`;
const r1 = `${schema}_r1`;
const r2 = `${schema}_r2`;
const config = { host: POSTGRES.host, port: POSTGRES.port, user: 'postgres', dbname: 'test', schema: 'public' };

async function sql(text: string): Promise<Value[][]> {
  const { default: postgres } = await import('@dvt/adapter-postgres');
  const conn = await postgres.connect(config, { projectDir: '.', logger: { debug() {}, info() {}, warn() {} } });
  try {
    return (await conn.query(text)).rows;
  } finally {
    await conn.close();
  }
}

const MATERIALIZATION = `{% materialization appended, default %}
  {%- set existing = load_relation(this) -%}
  {%- set target = this.incorporate(type='table') -%}
  {%- if existing is none -%}
    {%- call statement('main') -%}create table {{ target }} as {{ sql }}{%- endcall -%}
  {%- else -%}
    {%- call statement('main') -%}insert into {{ target }} {{ sql }}{%- endcall -%}
  {%- endif -%}
  {%- do apply_grants(target, config.get('grants'), should_revoke=should_revoke(existing, full_refresh_mode=False)) -%}
  {{ return({'relations': [target]}) }}
{% endmaterialization %}`;

describe.skipIf(skip)(`grant macros in a project's materialization${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let dir: string;
  beforeAll(async () => {
    await sql(`create role "${r1}" nologin`);
    await sql(`create role "${r2}" nologin`);
    dir = tempDir('dvt-grants-mat-');
    const files: Record<string, string> = {
      'dbt_project.yml': 'name: mat\nversion: "1.0"\nconfig-version: 2\nprofile: mat\n',
      'profiles.yml': `mat:\n  target: pg\n  outputs:\n    pg:\n      type: postgres\n      host: ${POSTGRES.host}\n      port: ${POSTGRES.port}\n      user: postgres\n      dbname: test\n      schema: ${schema}\n`,
      'macros/appended.sql': MATERIALIZATION,
      'models/log.sql': "{{ config(materialized='appended', grants={'select': var('readers')}) }}\nselect 1 as id",
    };
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
  });
  afterAll(async () => {
    await sql(`drop schema if exists "${schema}" cascade`);
    await sql(`drop role if exists "${r1}"`);
    await sql(`drop role if exists "${r2}"`);
  });

  const readers = async () =>
    (await sql(`select grantee from information_schema.role_table_grants where table_schema = '${schema}' and table_name = 'log' and privilege_type = 'SELECT' and grantee like '${schema}%' order by 1`)).map((r) =>
      String(r[0]).replace(`${schema}_`, ''),
    );

  it('grants, then revokes what the config dropped', async () => {
    const first = dvt(['run', '--vars', `{readers: [${r1}, ${r2}]}`], { cwd: dir });
    expect(first.code, first.output).toBe(0);
    expect(await readers()).toEqual(['r1', 'r2']);
    const second = dvt(['run', '--vars', `{readers: [${r2}]}`], { cwd: dir });
    expect(second.code, second.output).toBe(0);
    expect(await readers()).toEqual(['r2']);
    expect(await sql(`select count(*)::int from "${schema}".log`)).toEqual([[2]]);
  });
});
