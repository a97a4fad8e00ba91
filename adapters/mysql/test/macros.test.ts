import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MARIADB, serviceSkipReason } from '@dvt/adapter-testkit';
import { Compiler, loadProject, type Connection } from '@dvt/core';
import adapter from '../src/index.js';
import { ctx, localConfig } from './helpers.js';

/** The mysql__ cross-database macros compiled by core and run on the server. */
const skip = await serviceSkipReason(MARIADB);

const MODEL = `select
  {{ dbt.concat(["'a'", "cast(1 as char)", "'c'"]) }} as concatenated,
  {{ dbt.dateadd('day', 3, "cast('2024-02-27' as date)") }} as plus_three_days,
  {{ dbt.datediff("cast('2024-01-31' as date)", "cast('2024-03-01' as date)", 'month') }} as months_between,
  {{ dbt.date_trunc('month', "cast('2024-02-29 13:14:15' as datetime)") }} as month_start,
  {{ dbt.date_trunc('week', "cast('2024-02-29' as date)") }} as week_start,
  {{ dbt.date_trunc('quarter', "cast('2024-05-20' as date)") }} as quarter_start,
  {{ dbt.split_part("'a,b,c'", "','", 2) }} as second_part,
  {{ dbt.position("'c'", "'abc'") }} as position_of_c,
  {{ dbt.hash("'x'") }} as hashed,
  {{ dbt.cast("'42'", dbt.type_bigint()) }} as as_bigint,
  (select {{ dbt.listagg('v', "'|'", 'order by v desc', 2) }} from (select 'x' as v union all select 'y' union all select 'z') t) as top_two,
  (select {{ dbt.any_value('v') }} from (select 'only' as v) t) as any_value
`;

describe.skipIf(skip)(`mysql__ macros on MariaDB${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let dir: string;
  let conn: Connection;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dvt-mysql-macros-'));
    mkdirSync(path.join(dir, 'models'));
    writeFileSync(path.join(dir, 'dbt_project.yml'), 'name: macros\nversion: "1.0"\nconfig-version: 2\nprofile: macros\n');
    writeFileSync(path.join(dir, 'profiles.yml'), `macros:\n  target: dev\n  outputs:\n    dev:\n      type: mysql\n      server: ${localConfig.server}\n      username: ${localConfig.username}\n      schema: ${localConfig.schema}\n`);
    writeFileSync(path.join(dir, 'models', 'helpers.sql'), MODEL);
    conn = await adapter.connect(localConfig, ctx);
  });

  afterAll(async () => {
    await conn?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('compile to SQL the server runs, with the expected answers', async () => {
    const project = loadProject({ projectDir: dir, profilesDir: dir, env: {}, vars: {} });
    const compiler = await Compiler.create({ project, adapters: { mysql: adapter }, env: {}, writeCompiled: false });
    compiler.parseProject();
    const { compiled_code } = compiler.compileNode('model.macros.helpers');
    const r = await conn.query(compiled_code);
    const row = Object.fromEntries(r.columns.map((c, i) => [c.name, r.rows[0][i]]));
    expect(row).toMatchObject({
      concatenated: 'a1c',
      plus_three_days: '2024-03-01',
      months_between: 1n,
      second_part: 'b',
      top_two: 'z|y',
      any_value: 'only',
      hashed: '9dd4e461268c8034f5c8564e155c67a6',
    });
    expect(String(row.month_start)).toMatch(/^2024-02-01/);
    expect(String(row.week_start)).toBe('2024-02-26');
    expect(String(row.quarter_start)).toBe('2024-04-01');
    expect(Number(row.position_of_c)).toBe(3);
    expect(Number(row.as_bigint)).toBe(42);
  });
});
