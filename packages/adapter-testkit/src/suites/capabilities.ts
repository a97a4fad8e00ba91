import type { ConformanceContext, ConformanceSuite } from '../context.js';

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

async function scalar(ctx: ConformanceContext, sql: string): Promise<number> {
  const r = await ctx.connection.query(sql);
  return Number(r.rows[0]?.[0]);
}

async function intTable(ctx: ConformanceContext, prefix: string, columns = ['id', 'v']) {
  const relation = ctx.relation(ctx.uniqueName(prefix));
  const integer = ctx.dialect.fromCanonicalType({ kind: 'integer' });
  await ctx.connection.query(`create table ${ctx.dialect.renderRelation(relation)} (${columns.map((c) => `${ctx.dialect.quoteIdentifier(c)} ${integer}`).join(', ')})`);
  return { relation, sql: ctx.dialect.renderRelation(relation) };
}

/** Each capability the dialect declares is exercised; undeclared ones report as not applicable. */
export const capabilitySuite: ConformanceSuite = {
  id: 'capability',
  title: 'declared capabilities hold',
  needsConnection: true,
  define(defineCase) {
    defineCase('capability.transactions', 'rollback discards and commit keeps inserted rows', async (ctx) => {
      if (!ctx.dialect.capabilities.transactions) return 'transactions not declared';
      const { sql } = await intTable(ctx, 'tx');
      const { begin, commit, rollback } = ctx.statements;
      await ctx.connection.query(begin);
      await ctx.connection.query(`insert into ${sql} (id, v) values (1, 1)`);
      await ctx.connection.query(rollback);
      assert((await scalar(ctx, `select count(*) from ${sql}`)) === 0, 'rollback kept the row');
      await ctx.connection.query(begin);
      await ctx.connection.query(`insert into ${sql} (id, v) values (2, 2)`);
      await ctx.connection.query(commit);
      assert((await scalar(ctx, `select count(*) from ${sql}`)) === 1, 'commit lost the row');
    });

    defineCase('capability.transactional-ddl', 'a table created inside a rolled-back transaction is gone', async (ctx) => {
      if (!ctx.dialect.capabilities.transactionalDdl) return 'transactional DDL not declared';
      const relation = ctx.relation(ctx.uniqueName('tx_ddl'));
      await ctx.connection.query(ctx.statements.begin);
      await ctx.connection.query(`create table ${ctx.dialect.renderRelation(relation)} (a ${ctx.dialect.fromCanonicalType({ kind: 'integer' })})`);
      await ctx.connection.query(ctx.statements.rollback);
      assert((await ctx.connection.catalog.describe(relation)) === undefined, 'the table survived the rollback');
    });

    defineCase('capability.merge', 'MERGE updates matches and inserts the rest', async (ctx) => {
      if (!ctx.dialect.capabilities.merge) return 'merge not declared';
      const target = await intTable(ctx, 'merge_t');
      const source = await intTable(ctx, 'merge_s');
      await ctx.connection.query(`insert into ${target.sql} (id, v) values (1, 10), (2, 20)`);
      await ctx.connection.query(`insert into ${source.sql} (id, v) values (2, 200), (3, 300)`);
      await ctx.connection.query(
        `merge into ${target.sql} as t using ${source.sql} as s on t.id = s.id ` +
          'when matched then update set v = s.v when not matched then insert (id, v) values (s.id, s.v)',
      );
      const r = await ctx.connection.query(`select id, v from ${target.sql} order by id`);
      const got = r.rows.map((row) => `${row[0]}:${row[1]}`).join(',');
      assert(got === '1:10,2:200,3:300', `after merge: ${got}`);
    });

    defineCase('capability.rename-table', 'a table can be renamed', async (ctx) => {
      if (!ctx.dialect.capabilities.renameTable) return 'renameTable not declared';
      const { relation } = await intTable(ctx, 'rename_from');
      const to = ctx.relation(ctx.uniqueName('rename_to'));
      await ctx.connection.query(ctx.statements.renameTable(relation, to, ctx.dialect));
      assert((await ctx.connection.catalog.describe(to)) !== undefined, 'the renamed table is not found');
      assert((await ctx.connection.catalog.describe(relation)) === undefined, 'the old name still exists');
    });

    defineCase('capability.create-or-replace', 'CREATE OR REPLACE VIEW replaces a view', async (ctx) => {
      if (!ctx.dialect.capabilities.createOrReplace) return 'createOrReplace not declared';
      const view = ctx.dialect.renderRelation(ctx.relation(ctx.uniqueName('replaced')));
      await ctx.connection.query(`create or replace view ${view} as select 1 as a`);
      await ctx.connection.query(`create or replace view ${view} as select 2 as a`);
      assert((await scalar(ctx, `select a from ${view}`)) === 2, 'the view was not replaced');
    });

    defineCase('capability.cte', 'common table expressions', async (ctx) => {
      if (!ctx.dialect.capabilities.cte) return 'cte not declared';
      assert((await scalar(ctx, 'with a as (select 41 as x) select x + 1 from a')) === 42, 'CTE result');
    });

    defineCase('capability.window-functions', 'window functions', async (ctx) => {
      if (!ctx.dialect.capabilities.windowFunctions) return 'windowFunctions not declared';
      const { sql } = await intTable(ctx, 'win');
      await ctx.connection.query(`insert into ${sql} (id, v) values (1, 5), (2, 5), (3, 7)`);
      const r = await ctx.connection.query(`select id, sum(v) over (order by id rows between unbounded preceding and current row) as running from ${sql} order by id`);
      assert(r.rows.map((row) => Number(row[1])).join(',') === '5,10,17', `running totals ${JSON.stringify(r.rows.map((row) => String(row[1])))}`);
    });
  },
};
