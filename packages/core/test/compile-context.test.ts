import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Compiler } from '../src/compile/index.js';
import { isDvtError } from '../src/errors.js';
import type { DvtError } from '../src/errors.js';
import { compilerFor, projectCopy } from './compile-support.js';

// Each context member, rendered as a hook for the `orders` model of the fixture.
let compiler: Compiler;
let cleanup: () => void;
const logged: string[] = [];

beforeAll(async () => {
  const copy = projectCopy('compile-shop');
  cleanup = copy.cleanup;
  compiler = await compilerFor(copy.dir, {
    env: { SHOP_REGION: 'emea', DBT_ENV_SECRET_KEY: 'sekrit' },
    vars: { min_amount: 25 },
    flags: { FULL_REFRESH: false, WHICH: 'run' },
    invocationId: '00000000-0000-0000-0000-000000000001',
    runStartedAt: new Date(Date.UTC(2024, 2, 5, 7, 8, 9)),
    logger: { info: (m) => logged.push(`info:${m}`), debug: (m) => logged.push(`debug:${m}`), warn: (m) => logged.push(`warn:${m}`) },
  });
  compiler.parseProject();
});
afterAll(() => cleanup());

const orders = () => compiler.node('model.compile_shop.orders');
const render = (sql: string, runtime = {}) => compiler.renderHook(sql, orders(), runtime);

function compileError(fn: () => unknown): DvtError {
  try {
    fn();
  } catch (error) {
    if (isDvtError(error)) return error;
    throw error;
  }
  throw new Error('expected a compile error');
}

describe('context members', () => {
  it('this, ref and source print as quoted relations', () => {
    expect(render('{{ this }}')).toBe('"warehouse"."analytics"."orders"');
    expect(render("{{ ref('stg_orders') }}")).toBe('"warehouse"."analytics"."stg_orders"');
    expect(render("{{ ref('compile_shop', 'stg_orders') }}")).toBe('"warehouse"."analytics"."stg_orders"');
    expect(render("{{ source('raw', 'orders') }}")).toBe('"warehouse"."raw_data"."orders"');
    expect(render("{{ ref('stg_customers') }}")).toBe('__dbt__cte__stg_customers');
  });

  it('versioned refs: latest by default, version= and v= pick one', () => {
    expect(render("{{ ref('items') }}")).toBe('"warehouse"."analytics"."items_v1"');
    expect(render("{{ ref('items', v=2) }}|{{ ref('items', version='2') }}")).toBe('"warehouse"."analytics"."items_v2"|"warehouse"."analytics"."items_v2"');
    expect(compileError(() => render("{{ ref('items', v=3) }}")).message).toContain("depends on a node named 'items' which was not found");
  });

  it('relations expose their parts and pass dbt_utils-style checks', () => {
    expect(render('{{ this.database }}|{{ this.schema }}|{{ this.identifier }}|{{ this.name }}|{{ this.is_table }}')).toBe('warehouse|analytics|orders|orders|True');
    expect(render("{{ this is mapping and this.get('metadata', {}).get('type', '').endswith('Relation') }}")).toBe('True');
    expect(render('{{ this.include(database=False) }}')).toBe('"analytics"."orders"');
    expect(render("{{ this.incorporate(path={'identifier': 'orders__dbt_tmp'}) }}")).toBe('"warehouse"."analytics"."orders__dbt_tmp"');
    expect(render("{{ api.Relation.create(schema='s', identifier='t') }}")).toBe('"s"."t"');
  });

  it('config reads the node config; config() records nothing at execute time that leaks', () => {
    expect(render("{{ config.get('materialized') }}|{{ config.get('unique_key') }}|{{ config.get('nope', 'dflt') }}")).toBe('incremental|id|dflt');
    expect(render("{{ config.require('materialized') }}")).toBe('incremental');
    expect(compileError(() => render("{{ config.require('nope') }}")).message).toContain("required config 'nope'");
  });

  it('var: --vars over project vars, defaults, lists', () => {
    expect(render("{{ var('min_amount') }}|{{ var('missing', 'd') }}|{{ var('statuses') | join(',') }}")).toBe('25|d|placed,shipped,returned');
    const error = compileError(() => render("select {{ var('nowhere') }}"));
    expect(error.message).toContain("required var 'nowhere'");
    expect(error.message).toContain('model.compile_shop.orders');
    expect(error.location).toEqual({ file: 'models/marts/orders.sql', line: 1 });
  });

  it('env_var: value, default, missing, secrets refused', () => {
    expect(render("{{ env_var('SHOP_REGION') }}|{{ env_var('NOPE', 'x') }}")).toBe('emea|x');
    expect(compileError(() => render("{{ env_var('NOPE') }}")).message).toContain("env var required but not provided: 'NOPE'");
    const secret = compileError(() => render("{{ env_var('DBT_ENV_SECRET_KEY') }}"));
    expect(secret.message).toContain('DBT_ENV_SECRET_');
    expect(secret.message).not.toContain('sekrit');
  });

  it('target: names and non-secret fields only', () => {
    expect(render('{{ target.name }}|{{ target.type }}|{{ target.schema }}|{{ target.database }}|{{ target.threads }}|{{ target.profile_name }}|{{ target.host }}')).toBe(
      'dev|testdb|analytics|warehouse|4|compile_shop|db.internal',
    );
    expect(render('{{ target.password }}')).toBe('');
    expect(render('{{ target }}')).not.toContain('hunter2');
  });

  it('is_incremental() follows what the runner knows', () => {
    const sql = '{{ is_incremental() }}';
    expect(render(sql, { relationExists: true, relationType: 'table' })).toBe('True');
    expect(render(sql, { relationExists: false })).toBe('False');
    expect(render(sql, { relationExists: true, relationType: 'view' })).toBe('False');
    expect(render(sql, { relationExists: true, relationType: 'table', fullRefresh: true })).toBe('False');
    const customers = compiler.node('model.compile_shop.customers');
    expect(compiler.renderHook(sql, customers, { relationExists: true, relationType: 'table' })).toBe('False');
  });

  it('execute, model, graph, project_name, database, schema, flags', () => {
    expect(render('{{ execute }}|{{ model.name }}|{{ model.config.materialized }}|{{ project_name }}|{{ database }}|{{ schema }}|{{ flags.WHICH }}')).toBe(
      'True|orders|incremental|compile_shop|warehouse|analytics|run',
    );
    expect(render("{{ graph.nodes['model.compile_shop.customers'].config.materialized }}")).toBe('table');
    expect(render("{{ graph.sources.values() | map(attribute='name') | sort | join(',') }}")).toBe('customers,orders,payments');
  });

  it('adapter introspection answers at parse time and refuses clearly at compile time', async () => {
    const copy = projectCopy('compile-shop', {
      'models/introspects.sql': "{% set rel = adapter.get_relation(this.database, this.schema, 'x') %}\n{% set cols = adapter.get_columns_in_relation(this) %}\nselect {{ rel is none }}, {{ cols | length }}\n",
    });
    try {
      const own = await compilerFor(copy.dir);
      own.parseProject();
      const error = compileError(() => own.compileNode('model.compile_shop.introspects'));
      expect(error.message).toContain('adapter.get_relation() reads the database while compiling');
      expect(error.location).toEqual({ file: 'models/introspects.sql', line: 1 });
    } finally {
      copy.cleanup();
    }
  });

  it('load_relation is none at parse; api.Column helpers', async () => {
    const copy = projectCopy('compile-shop', {
      'models/headed.sql': "{% call set_sql_header(config) %}set timezone = 'UTC';{% endcall %}\n{% set existing = load_relation(this) %}\nselect {{ existing is none }} as missing\n",
    });
    try {
      const own = await compilerFor(copy.dir);
      own.parseProject();
      expect(own.node('model.compile_shop.headed').config.sql_header).toBe("set timezone = 'UTC';");
    } finally {
      copy.cleanup();
    }
    expect(render("{{ api.Column.translate_type('string') }}|{{ api.Column.numeric_type('numeric', 10, 2) }}|{{ api.Column.create('id', 'int').data_type }}")).toBe(
      'TEXT|numeric(10,2)|int',
    );
    const column = (type: string) => `{% set c = api.Column.create('c', '${type}') %}`;
    expect(render(`${column('character varying(20)')}{{ c.is_string() }} {{ c.string_size() }} {{ c.is_number() }} {{ c.quoted }}`)).toBe('True 20 False "c"');
    expect(render(`${column('text')}{{ c.string_size() }}|${column('numeric(10,2)')}{{ c.is_number() }} {{ c.numeric_scale }}|${column('bigint')}{{ c.is_integer() }}`)).toBe(
      '256|True 2|True',
    );
  });

  it("a project's ref macro replaces ref, and builtins.ref reaches the original", async () => {
    const copy = projectCopy('compile-shop', {
      'macros/ref.sql': '{% macro ref(model_name) %}{% do return(builtins.ref(model_name).include(database=False)) %}{% endmacro %}\n',
    });
    try {
      const own = await compilerFor(copy.dir);
      own.parseProject();
      const orders = own.node('model.compile_shop.stg_orders');
      const customers = own.node('model.compile_shop.customers');
      // Every model renders at parse once ref is overridden: the static parser would skip the macro.
      expect(own.stats.staticParsed).toBe(0);
      expect(customers.depends_on.nodes).toContain('model.compile_shop.orders');
      expect(own.renderHook("{{ ref('stg_orders') }}", orders)).toBe('"analytics"."stg_orders"');
    } finally {
      copy.cleanup();
    }
  });

  it('render() renders a string in the same context', () => {
    expect(render("{{ render('{{ this.name }}-{{ var(\"min_amount\") }}') }}")).toBe('orders-25');
  });

  it('adapter: type, quote, dispatch', () => {
    expect(render("{{ adapter.type() }}|{{ adapter.quote('a b') }}")).toBe('testdb|"a b"');
    expect(render("{{ adapter.dispatch('cents', 'compile_shop')('x') }}")).toBe('(x::decimal(18, 2) / 100)');
  });

  it('return, log, print, exceptions', () => {
    expect(render("{% macro pick() %}{{ return([1, 2]) }}{% endmacro %}{{ pick() | length }}")).toBe('2');
    render("{{ log('quiet') }}{{ log('loud', info=True) }}{{ print('printed') }}{% do exceptions.warn('careful') %}");
    expect(logged).toEqual(expect.arrayContaining(['debug:quiet', 'info:loud', 'info:printed', 'warn:careful']));
    const error = compileError(() => render("\n\n{{ exceptions.raise_compiler_error('bad input') }}"));
    expect(error.message).toBe('bad input');
    expect(error.location).toEqual({ file: 'models/marts/orders.sql', line: 3 });
  });

  it('run_started_at, invocation_id, modules.datetime', () => {
    expect(render("{{ run_started_at.strftime('%Y-%m-%d %H:%M:%S') }}|{{ invocation_id }}")).toBe('2024-03-05 07:08:09|00000000-0000-0000-0000-000000000001');
    expect(render('{{ run_started_at.isoformat() }}')).toBe('2024-03-05T07:08:09+00:00');
    expect(render("{{ modules.datetime.datetime.now().year > 2000 }}")).toBe('True');
  });

  it('modules.re as Python: match objects, named groups, flags, sub', () => {
    expect(render("{% set m = modules.re.search('(?P<n>[0-9]+)-([a-z]+)', 'id 42-ab') %}{{ m.group(0) }}|{{ m.group('n') }}|{{ m.group(2) }}|{{ m.groups() }}|{{ m.start() }}")).toBe(
      "42-ab|42|ab|('42', 'ab')|3",
    );
    expect(render("{{ modules.re.match('ab', 'xab') is none }}|{{ modules.re.match('AB', 'abc', modules.re.IGNORECASE).group() }}")).toBe('True|ab');
    expect(render("{{ modules.re.sub('([a-z])([0-9])', '\\\\2\\\\1', 'a1 b2') }}|{{ modules.re.findall('[0-9]', 'a1b2') }}")).toBe("1a 2b|['1', '2']");
  });

  it("modules.re takes Python's leading inline flags and verbose patterns (dbt-codegen's import CTE regexes)", () => {
    expect(render("{{ modules.re.search('(?i)(?s)(^.*\\s*|\\s+|,)with\\s', 'select 1\nWITH x as (select 1)') is not none }}")).toBe('True');
    const verbose = String.raw`{% set p %}{% raw %}(?ix)
      # the keyword
      (from|join)\s+
      ({{\s*ref\s*\(\s*['"]?)   # opening
      ([^)'"]+)  # name, with a # [in] class: [#]
      {% endraw %}{% endset %}{% set text %}{% raw %}select * FROM {{ ref("orders") }} join {{ref('x')}}{% endraw %}{% endset %}`;
    expect(render(verbose + '{{ modules.re.findall(p, text) }}')).toBe(`[('FROM', '{{ ref("', 'orders'), ('join', "{{ref('", 'x')]`);
    expect(render("{{ modules.re.sub('(?i)a[#]b', 'X', 'A#B a#b') }}|{{ modules.re.sub('(?x) a [ ] b', '-', 'a b') }}")).toBe('X X|-');
  });

  it('json, yaml, zip, set, local_md5', () => {
    expect(render("{{ tojson({'b': 1, 'a': [True, None]}) }}")).toBe('{"b": 1, "a": [true, null]}');
    expect(render("{{ fromjson('{\"a\": [1, 2]}').a[1] }}|{{ fromjson('nope', 'fallback') }}")).toBe('2|fallback');
    expect(render("{{ fromyaml('a: [x, y]').a | join('-') }}")).toBe('x-y');
    expect(render("{{ toyaml({'a': 1}) | trim }}")).toBe('a: 1');
    expect(render("{% for a, b in zip([1, 2], ['x', 'y']) %}{{ a }}{{ b }}{% endfor %}")).toBe('1x2y');
    expect(render("{{ set([1, 1, 2]) | length }}")).toBe('2');
    // dbt_utils' equality compares column sets: order must not matter.
    expect(render("{{ set(['a', 'b']) == set(['b', 'a']) }}|{{ set(5) }}|{{ set(5, default='x') }}|{{ set({'k': 1}) }}")).toBe("True|None|x|{'k'}");
    expect(() => render('{{ set_strict(5) }}')).toThrow(/set_strict\(\): 'int' object is not iterable/);
    expect(render("{{ local_md5('dvt') }}")).toBe('c4137a0a1cf3d44391a742ec11b318c6');
  });

  it("a unit test's overrides answer for a macro called by its package-qualified name", () => {
    const unitTest = { macros: { 'money_utils.fmt': 'overridden' }, vars: {}, envVars: {} };
    expect(render("{{ money_utils.fmt('x') }}|{{ fmt('x') }}", { unitTest })).toBe('overridden|money_utils_wrap(x)');
    expect(render("{{ money_utils.fmt('x') }}")).toBe('money_utils_wrap(x)');
  });

  it('package namespaces; a macro sees its own package, not its caller', () => {
    expect(render("{{ money_utils.fmt('x') }}")).toBe('money_utils_wrap(x)');
    expect(render("{{ wrap('x') }}")).toBe('root_wrap(x)');
    expect(render("{{ fmt('x') }}")).toBe('money_utils_wrap(x)');
    expect(render("{% set caller_local = 'visible' %}{{ money_utils.leak_check() }}")).toBe('[]');
    expect(render("{{ money_utils.currency('x') }}")).toBe('root_currency(x)');
    // Another package's macro never shadows a builtin of the same name.
    expect(render("{{ concat(['a', 'b']) }}|{{ money_utils.concat(['a']) }}")).toBe('a || b|money_utils_concat()');
  });

  it("adapter macrosDir overrides builtins by `<type>__` name", () => {
    expect(render("{{ dbt.hash('id') }}")).toBe('testdb_md5(id)');
  });

  it('hooks render without a node (on-run-start)', () => {
    expect(compiler.renderHook('create schema if not exists {{ target.schema }}_audit')).toBe('create schema if not exists analytics_audit');
    expect(compiler.renderHook('[{{ this }}]')).toBe('[]');
  });

  it('builtin namespace and cross-database helpers', () => {
    expect(render("{{ dbt.concat(['a', 'b']) }}|{{ dbt.type_string() }}|{{ dbt.type_int() }}")).toBe('a || b|varchar|integer');
  });
});
