import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Compiler } from '../src/compile/index.js';
import { builtinName } from '../src/compile/parse.js';
import type { NamingMacro } from '../src/compile/parse.js';
import { compilerFor, projectCopy, tidy } from './compile-support.js';

let compiler: Compiler;
let dir: string;
let cleanup: () => void;

beforeAll(async () => {
  ({ dir, cleanup } = projectCopy('compile-shop'));
  compiler = await compilerFor(dir);
  compiler.parseProject();
});
afterAll(() => cleanup());

const node = (id: string) => compiler.node(id);

describe('parse', () => {
  it('takes the static fast path for simple models and renders the rest', () => {
    // stg_orders, stg_customers, int_payments, payment_check, legacy, items v1 and v2, the snapshot,
    // assert_no_negative_paid and order_counts make literal ref/source/config calls only; stg_payments, orders,
    // customers and revenue call macros, var(), loops or is_incremental().
    expect(compiler.stats).toEqual({ staticParsed: 10, parseRendered: 4 });
  });

  it('the fast path finds what rendering would find', () => {
    for (const n of compiler.project.nodes.values()) {
      if (n.test_metadata || n.resource_type === 'seed') continue;
      const template = compiler.templateOf(n);
      const analysis = template.staticAnalysis();
      if (!analysis.simple) continue;
      const { state } = compiler.render(template, { node: n, mode: 'parse' });
      expect(n.refs, n.unique_id).toEqual(state.record.refs);
      expect(n.sources, n.unique_id).toEqual(state.record.sources);
      expect(analysis.configs, n.unique_id).toEqual(state.record.configs);
    }
  });

  it('fills refs, sources and depends_on', () => {
    const orders = node('model.compile_shop.orders');
    expect(orders.refs).toEqual([{ name: 'stg_orders' }, { name: 'int_payments' }]);
    expect(orders.depends_on.nodes).toEqual(['model.compile_shop.stg_orders', 'model.compile_shop.int_payments']);
    expect(node('model.compile_shop.stg_orders').depends_on.nodes).toEqual(['source.compile_shop.raw.orders']);
    expect(node('model.compile_shop.int_payments').depends_on.nodes).toEqual(['model.compile_shop.stg_payments']);
  });

  it('records the macros a node uses (depends_on.macros)', () => {
    expect(node('model.compile_shop.stg_orders').depends_on.macros).toEqual([]);
    expect(node('model.compile_shop.stg_payments').depends_on.macros).toEqual(['macro.compile_shop.cents', 'macro.compile_shop.testdb__cents']);
    expect(node('model.compile_shop.revenue').depends_on.macros).toEqual([
      'macro.compile_shop.dollars',
      'macro.compile_shop.postgres__dollars',
      'macro.dbt.type_string',
      'macro.compile_shop.default__type_string',
    ]);
    const unique = [...compiler.project.nodes.values()].find((n) => n.test_metadata?.name === 'unique')!;
    expect(unique.depends_on.macros).toEqual(['macro.dbt.test_unique', 'macro.dbt.get_where_subquery']);
  });

  it('merges config() over the project tree', () => {
    const orders = node('model.compile_shop.orders');
    expect(orders.config.materialized).toBe('incremental');
    expect(orders.config.unique_key).toBe('id');
    expect(orders.config.tags).toEqual(['marts', 'finance']);
    expect(orders.tags).toEqual(['marts', 'finance']);
    expect(node('model.compile_shop.customers').config.materialized).toBe('table');
    expect(node('model.compile_shop.stg_customers').config.materialized).toBe('ephemeral');
  });

  it('drops disabled nodes', () => {
    expect(compiler.project.nodes.has('model.compile_shop.legacy')).toBe(false);
    expect(compiler.project.disabled?.has('model.compile_shop.legacy')).toBe(true);
  });

  it('names relations through generate_*_name, with the project override of generate_schema_name', () => {
    const revenue = node('model.compile_shop.revenue');
    expect([revenue.database, revenue.schema, revenue.alias]).toEqual(['warehouse', 'finance', 'revenue_daily']);
    const orders = node('model.compile_shop.orders');
    expect([orders.database, orders.schema, orders.alias]).toEqual(['warehouse', 'analytics', 'orders']);
    // The builtin behaviour is still reachable in the dbt namespace.
    expect(compiler.callMacro('dbt.generate_schema_name', ['finance', null], {}, { node: revenue })).toBe('analytics_finance');
  });

  it('the naming shortcut agrees with the builtin macros it stands for', () => {
    const orders = node('model.compile_shop.orders');
    const versioned = { ...orders, version: 1.5 };
    const cases: [NamingMacro, unknown, typeof orders][] = [];
    for (const macro of ['generate_database_name', 'generate_schema_name', 'generate_alias_name'] as const) {
      for (const custom of [null, 'finance', '  padded  ']) for (const n of [orders, versioned]) cases.push([macro, custom, n]);
    }
    for (const [macro, custom, n] of cases) {
      const rendered = String(compiler.callMacro(`dbt.default__${macro}`, [custom, { ...n }], {}, { node: n, mode: 'parse' })).trim();
      expect(builtinName(compiler, macro, custom, n), `${macro}(${String(custom)}, v=${String(n.version)})`).toBe(rendered);
    }
    expect(compiler.usesBuiltin('generate_schema_name', orders)).toBe(false);
    expect(compiler.usesBuiltin('generate_alias_name', orders)).toBe(true);
  });

  it('hooks set by config() keep their Jinja for run time', () => {
    const revenue = node('model.compile_shop.revenue');
    expect(revenue.config.post_hook.map((h) => h.sql)).toEqual(['analyze {{ this }}']);
    expect(compiler.renderHook(revenue.config.post_hook[0].sql, revenue)).toBe('analyze "warehouse"."finance"."revenue_daily"');
  });

  it('snapshots: config() from the block body, target_schema names the schema', () => {
    const snapshot = node('snapshot.compile_shop.orders_snapshot');
    expect(snapshot.config.strategy).toBe('timestamp');
    expect(snapshot.schema).toBe('snapshots');
    expect(snapshot.depends_on.nodes).toEqual(['source.compile_shop.raw.orders']);
    expect(compiler.compileNode(snapshot).compiled_code.trim()).toBe('select * from "warehouse"."raw_data"."orders"');
  });

  it('registers macros for the manifest and docs blocks', () => {
    expect(compiler.project.macros.get('macro.compile_shop.materialization_noop_default')?.original_file_path).toBe('macros/materializations.sql');
    const cents = compiler.project.macros.get('macro.compile_shop.cents');
    expect(cents?.original_file_path).toBe('macros/money.sql');
    expect(cents?.description).toBe('Integer cents as a decimal amount.');
    expect(cents?.arguments).toEqual([{ name: 'column', type: 'string', description: 'The column holding cents.' }]);
    expect(cents?.macro_sql).toBe("{% macro cents(column) -%}\n  {{ return(adapter.dispatch('cents', 'compile_shop')(column)) }}\n{%- endmacro %}");
    expect(compiler.project.macros.get('macro.compile_shop.test_is_positive')?.line).toBe(1);
    expect(compiler.project.macros.get('macro.dbt.generate_schema_name')?.package_name).toBe('dbt');
    const doc = compiler.project.docs.get('doc.compile_shop.orders');
    expect(doc?.block_contents).toBe('One row per order, with what was paid.');
  });
});

describe('compile', () => {
  it('renders a model with vars, dispatch and ephemeral CTEs', () => {
    const out = compiler.compileNode('model.compile_shop.orders', { relationExists: false });
    expect(tidy(out.compiled_code)).toBe(tidy(EXPECTED_ORDERS));
    expect(out.relation.render()).toBe('"warehouse"."analytics"."orders"');
    expect(out.extra_ctes.map((c) => c.id)).toEqual(['__dbt__cte__stg_payments', '__dbt__cte__int_payments']);
  });

  it('an ephemeral reached twice is one CTE, after what it depends on', () => {
    const out = compiler.compileNode('model.compile_shop.payment_check');
    expect(out.extra_ctes.map((c) => c.id)).toEqual(['__dbt__cte__stg_payments', '__dbt__cte__int_payments']);
    expect(out.compiled_code.match(/__dbt__cte__stg_payments as \(/g)).toHaveLength(1);
    expect(out.compiled_code.trimEnd().endsWith('from __dbt__cte__int_payments t\njoin __dbt__cte__stg_payments p on p.order_id = t.order_id')).toBe(true);
  });

  it('renders the incremental branch when the table exists', () => {
    const out = compiler.compileNode('model.compile_shop.orders', { relationExists: true, relationType: 'table' });
    expect(out.compiled_code).toContain('and o.id > (select max(id) from "warehouse"."analytics"."orders")');
  });

  it("merges ephemeral CTEs into the model's own with clause", () => {
    const out = compiler.compileNode('model.compile_shop.customers');
    expect(tidy(out.compiled_code)).toBe(tidy(EXPECTED_CUSTOMERS));
  });

  it('dispatches through parent adapter types and the project dispatch search order', () => {
    const out = compiler.compileNode('model.compile_shop.revenue');
    expect(tidy(out.compiled_code)).toBe(
      'select cast(round(paid::numeric, 2) as varchar) as paid_text\nfrom "warehouse"."analytics"."orders"',
    );
  });

  it('writes target/compiled/<package>/<path>', () => {
    compiler.compileNode('model.compile_shop.orders');
    const file = join(dir, 'target', 'compiled', 'compile_shop', 'models', 'marts', 'orders.sql');
    expect(readFileSync(file, 'utf8')).toContain('__dbt__cte__int_payments as (');
  });

  it('builds generic tests from the builtin test macros', () => {
    const tests = [...compiler.project.nodes.values()].filter((n) => n.test_metadata);
    const byName = (name: string) => tests.find((t) => t.test_metadata!.name === name)!;

    expect(tidy(compiler.compileNode(byName('unique')).compiled_code)).toBe(
      tidy(`select
    id as unique_field,
    count(*) as n_records
from "warehouse"."analytics"."orders"
where id is not null
group by id
having count(*) > 1`),
    );
    expect(tidy(compiler.compileNode(byName('not_null')).compiled_code)).toBe(
      tidy(`select id
from (select * from "warehouse"."analytics"."orders" where status != 'returned') dbt_subquery
where id is null`),
    );
    expect(tidy(compiler.compileNode(byName('accepted_values')).compiled_code)).toBe(
      tidy(`with observed as (
    select status as value_field, count(*) as n_records
    from "warehouse"."analytics"."orders"
    group by status
)
select *
from observed
where value_field not in ('placed', 'shipped', 'returned')`),
    );
    const relationships = byName('relationships');
    expect(relationships.depends_on.nodes).toEqual(['model.compile_shop.customers', 'model.compile_shop.orders']);
    expect(tidy(compiler.compileNode(relationships).compiled_code)).toBe(
      tidy(`with child as (
    select id as from_field
    from "warehouse"."analytics"."customers"
    where id is not null
),
parent as (
    select id as to_field
    from "warehouse"."analytics"."orders"
)
select child.from_field
from child
left join parent on child.from_field = parent.to_field
where parent.to_field is null`),
    );
    expect(tidy(compiler.compileNode(byName('is_positive')).compiled_code)).toBe('select * from "warehouse"."analytics"."orders" where paid <= 0');
    const written = join(dir, 'target', 'compiled', 'compile_shop', 'models', 'schema.yml', `${byName('unique').path}`);
    expect(existsSync(written)).toBe(true);
  });

  it('compiles singular tests and analyses', () => {
    expect(compiler.compileNode('test.compile_shop.assert_no_negative_paid').compiled_code.trim()).toBe(
      'select * from "warehouse"."analytics"."orders" where paid < 0',
    );
    expect(compiler.compileNode('analysis.compile_shop.order_counts').compiled_code.trim()).toBe(
      'select status, count(*) from "warehouse"."analytics"."orders" group by 1',
    );
  });
});

describe('callMacro', () => {
  it('returns return() values with their type and rendered text otherwise', () => {
    expect(compiler.callMacro('dbt.type_string')).toBe('varchar');
    expect(compiler.callMacro('cents', ['amount'])).toBe('(amount::decimal(18, 2) / 100)');
    expect(compiler.callMacro('materialization_noop_default', [], {}, { node: node('model.compile_shop.orders') })).toEqual({ relations: [] });
  });

  it('dispatches a name with no bare macro: <type>__, parents, default__', () => {
    expect(compiler.callMacro('dollars', ['x'])).toBe('round(x::numeric, 2)');
    expect(() => compiler.callMacro('no_such_macro')).toThrow(/no macro named 'no_such_macro'.*'testdb__no_such_macro', 'postgres__no_such_macro', 'default__no_such_macro'/);
  });
});

const EXPECTED_ORDERS = `
with __dbt__cte__stg_payments as (
select order_id, (amount_cents::decimal(18, 2) / 100) as amount
from "warehouse"."raw_data"."payments"
), __dbt__cte__int_payments as (
with totals as (
    select order_id, sum(amount) as paid
    from __dbt__cte__stg_payments
    group by order_id
)
select * from totals
)
select
    o.id,
    o.status,
    o.status = 'placed' as is_placed,
    o.status = 'shipped' as is_shipped,
    o.status = 'returned' as is_returned,
    p.paid
from "warehouse"."analytics"."stg_orders" o
left join __dbt__cte__int_payments p on p.order_id = o.id
where o.amount >= 10
`;

const EXPECTED_CUSTOMERS = `
with __dbt__cte__stg_customers as (
select id, name
from "warehouse"."raw_data"."customers"
), customer_orders as (
    select customer_id, count(*) as n_orders
    from "warehouse"."analytics"."orders"
    group by customer_id
)
select c.id, c.name, c.name || '!' as shout, coalesce(co.n_orders, 0) as n_orders
from __dbt__cte__stg_customers c
left join customer_orders co on co.customer_id = c.id
`;

describe('docs', () => {
  it("renders doc() in descriptions", () => {
    expect(node('model.compile_shop.orders').description).toBe('One row per order, with what was paid.');
  });
});
