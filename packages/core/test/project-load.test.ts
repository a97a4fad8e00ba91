import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DvtError, loadProject, maskSecrets, profileSecrets } from '../src/index.js';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'shop');
const ENV = { HOME: '/nonexistent-home' };

const temps: string[] = [];
function copyFixture(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dvt-project-'));
  temps.push(dir);
  cpSync(FIXTURE, dir, { recursive: true });
  return dir;
}
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function loadError(fn: () => unknown): DvtError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DvtError);
    return error as DvtError;
  }
  throw new Error('expected an error');
}

describe('loadProject: dbt_project.yml', () => {
  it('reads names, default paths and rendered values', () => {
    const project = loadProject({ projectDir: FIXTURE, env: { ...ENV, SHOP_TARGET_PATH: 'out' } });
    expect(project.config.name).toBe('shop');
    expect(project.config.profile).toBe('shop');
    expect(project.config.targetPath).toBe('out');
    expect(project.config.cleanTargets).toEqual(['out']);
    expect(project.config.snapshotPaths).toEqual(['snapshots']);
    expect(project.config.testPaths).toEqual(['tests']);
    // on-run-start is left for run time, as dbt does.
    expect(project.config.onRunStart).toEqual(['create schema if not exists {{ target.schema }}_audit']);
  });

  it('names the file and line of malformed YAML', () => {
    const dir = copyFixture();
    writeFileSync(join(dir, 'dbt_project.yml'), 'name: shop\nprofile: shop\nmodels:\n  shop:\n    - [unclosed\n');
    const error = loadError(() => loadProject({ projectDir: dir, env: ENV }));
    expect(error.location?.file).toBe('dbt_project.yml');
    expect(error.location?.line).toBeGreaterThanOrEqual(5);
  });

  it('errors on a missing env var without default, naming file and line', () => {
    const dir = copyFixture();
    writeFileSync(join(dir, 'dbt_project.yml'), "name: shop\nprofile: shop\n\ntarget-path: \"{{ env_var('NOPE_NOT_SET') }}\"\n");
    const error = loadError(() => loadProject({ projectDir: dir, env: ENV }));
    expect(error.message).toContain("Env var required but not provided: 'NOPE_NOT_SET'");
    expect(error.location).toEqual({ file: 'dbt_project.yml', line: 4 });
  });
});

describe('loadProject: profiles', () => {
  it('uses the project dir profiles.yml, renders env vars natively, threads default', () => {
    const project = loadProject({ projectDir: FIXTURE, env: { ...ENV, SHOP_DB: 'x/warehouse.duckdb' } });
    expect(project.profile.target).toBe('dev');
    const dev = project.profile.outputs.dev!;
    expect(dev.type).toBe('duckdb');
    expect(dev.threads).toBe(4);
    expect(dev.config.path).toBe('x/warehouse.duckdb');
    const model = project.nodes.get('model.shop.stg_orders')!;
    expect(model.database).toBe('warehouse');
    expect(model.schema).toBe('main');
  });

  it("renders only the chosen output strictly: another one's missing env var matters only where it is named", () => {
    const dir = copyFixture();
    const profiles = readFileSync(join(dir, 'profiles.yml'), 'utf8') + "    ci:\n      type: duckdb\n      path: \"{{ env_var('CI_ONLY_PATH') }}\"\n";
    writeFileSync(join(dir, 'profiles.yml'), profiles);
    const project = loadProject({ projectDir: dir, env: ENV });
    expect(Object.keys(project.profile.outputs).sort()).toEqual(['dev', 'prod']);

    const chosen = loadError(() => loadProject({ projectDir: dir, env: ENV, target: 'ci' }));
    expect(chosen.message).toContain("Env var required but not provided: 'CI_ONLY_PATH'");
    expect(chosen.location).toEqual({ file: join(dir, 'profiles.yml'), line: 16 });

    const schemaPath = join(dir, 'models', 'staging', 'schema.yml');
    writeFileSync(schemaPath, readFileSync(schemaPath, 'utf8').replace('      - name: orders\n', '      - name: orders\n        connection: ci\n'));
    const named = loadError(() => loadProject({ projectDir: dir, env: ENV }));
    expect(named.message).toBe("output 'ci' of profiles.yml could not be rendered: Env var required but not provided: 'CI_ONLY_PATH'");
  });

  it('honours --target and lists valid targets when it is wrong', () => {
    const project = loadProject({ projectDir: FIXTURE, env: ENV, target: 'prod' });
    expect(project.profile.target).toBe('prod');
    expect(project.profile.outputs.prod!.threads).toBe(1);
    expect(project.nodes.get('model.shop.stg_orders')!.schema).toBe('analytics');
    const error = loadError(() => loadProject({ projectDir: FIXTURE, env: ENV, target: 'qa' }));
    expect(error.message).toContain("does not have a target named 'qa'");
    expect(error.message).toContain('dev, prod');
  });

  it('looks in --profiles-dir, DVT_PROFILES_DIR, DBT_PROFILES_DIR before the project dir', () => {
    const dir = copyFixture();
    const other = mkdtempSync(join(tmpdir(), 'dvt-profiles-'));
    temps.push(other);
    writeFileSync(join(other, 'profiles.yml'), 'shop:\n  target: elsewhere\n  outputs:\n    elsewhere: {type: duckdb, path: e.duckdb}\n');
    expect(loadProject({ projectDir: dir, env: { ...ENV, DBT_PROFILES_DIR: other } }).profile.target).toBe('elsewhere');
    expect(loadProject({ projectDir: dir, env: { ...ENV, DVT_PROFILES_DIR: other, DBT_PROFILES_DIR: '/nope' } }).profile.target).toBe('elsewhere');
    expect(loadProject({ projectDir: dir, env: ENV, profilesDir: other }).profile.target).toBe('elsewhere');
    rmSync(join(dir, 'profiles.yml'));
    const error = loadError(() => loadProject({ projectDir: dir, env: ENV }));
    expect(error.message).toContain('Could not find profiles.yml');
    expect(error.message).toContain(join('/nonexistent-home', '.dvt'));
    expect(error.message).toContain(join('/nonexistent-home', '.dbt'));
  });

  it('reports a missing profile with the ones available', () => {
    const error = loadError(() => loadProject({ projectDir: FIXTURE, env: ENV, profileName: 'nope' }));
    expect(error.message).toContain("Could not find profile named 'nope'");
    expect(error.message).toContain('shop');
  });

  it('keeps DBT_ENV_SECRET_ values usable but unprintable', () => {
    const project = loadProject({ projectDir: FIXTURE, env: { ...ENV, DBT_ENV_SECRET_SHOP_PASSWORD: 's3cr3t-pw' }, target: 'prod' });
    expect(project.profile.outputs.prod!.config.password).toBe('s3cr3t-pw');
    expect(profileSecrets(project.profile)).toEqual(['s3cr3t-pw']);
    expect(JSON.stringify(project.profile)).not.toContain('secrets');
    expect(maskSecrets('password=s3cr3t-pw;', profileSecrets(project.profile))).toMatch(/^password=\*+;$/);
  });

  it('refuses secret env vars outside profiles.yml', () => {
    const dir = copyFixture();
    writeFileSync(join(dir, 'dbt_project.yml'), "name: shop\nprofile: shop\ntarget-path: \"{{ env_var('DBT_ENV_SECRET_X') }}\"\n");
    const error = loadError(() => loadProject({ projectDir: dir, env: { ...ENV, DBT_ENV_SECRET_X: 'hidden' } }));
    expect(error.message).toContain('Secret env vars');
    expect(error.message).not.toContain('hidden');
  });
});

describe('loadProject: nodes and configs', () => {
  const project = loadProject({ projectDir: FIXTURE, env: ENV });

  it('discovers every resource with dbt identities', () => {
    const ids = [...project.nodes.keys()].filter((id) => !id.startsWith('test.') || !id.split('.')[2]!.includes('_'));
    expect(ids).toEqual(expect.arrayContaining([
      'model.shop.stg_orders', 'model.shop.stg_customers', 'model.shop.fct_orders', 'model.shop.dim_customers',
      'seed.shop.raw_orders', 'seed.shop.raw_customers', 'snapshot.shop.orders_snapshot', 'analysis.shop.order_counts',
    ]));
    const model = project.nodes.get('model.shop.fct_orders')!;
    expect(model.fqn).toEqual(['shop', 'marts', 'fct_orders']);
    expect(model.path).toBe('marts/fct_orders.sql');
    expect(model.original_file_path).toBe('models/marts/fct_orders.sql');
    expect(model.raw_code).toContain("{{ config(unique_key='order_id') }}");
    expect(model.checksum.name).toBe('sha256');
    expect(model.checksum.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(project.nodes.get('test.shop.assert_positive_amount')!.raw_code).toContain('amount < 0');
    const analysis = project.nodes.get('analysis.shop.order_counts')!;
    expect([analysis.path, analysis.fqn]).toEqual(['analysis/order_counts.sql', ['shop', 'analysis', 'order_counts']]);
    expect(project.nodes.get('snapshot.shop.orders_snapshot')!.raw_code).toContain("strategy='check'");
    expect(project.nodes.get('snapshot.shop.orders_snapshot')!.raw_code).not.toContain('endsnapshot');
  });

  it('resolves the dbt_project.yml config tree with folder nesting and accumulation', () => {
    const fct = project.nodes.get('model.shop.fct_orders')!;
    expect(fct.config.materialized).toBe('incremental');
    expect(fct.config.tags).toEqual(['shop', 'marts']);
    expect(fct.config.meta).toEqual({ owner: 'data', tier: 'gold', contains_pii: false });
    expect(fct.config.post_hook).toEqual([{ sql: 'analyze {{ this }}', transaction: true }]);
    const stg = project.nodes.get('model.shop.stg_orders')!;
    expect(stg.config.materialized).toBe('view');
    expect(stg.config.schema).toBe('staging');
    expect(stg.config.tags).toEqual(['shop', 'staging', 'orders']);
    expect(stg.tags).toEqual(['shop', 'staging', 'orders']);
    const seed = project.nodes.get('seed.shop.raw_orders')!;
    expect(seed.config.materialized).toBe('seed');
    expect(seed.config.quote_columns).toBe(false);
    expect(seed.config.column_types).toEqual({ amount: 'decimal(10,2)' });
    expect(seed.raw_code).toBe('');
    expect(seed.checksum).toEqual({ name: 'sha256', checksum: createHash('sha256').update(readFileSync(join(FIXTURE, 'seeds/raw_orders.csv'))).digest('hex') });
  });

  it('renders dbt_project.yml with the target, after reading the profile name alone', () => {
    expect(project.nodes.get('model.shop.dim_customers')!.config.materialized).toBe('view'); // schema YAML wins
    expect(project.nodes.get('model.shop.fct_orders')!.config.materialized).toBe('incremental');
    const dir = copyFixture();
    writeFileSync(join(dir, 'models/marts/dim_plain.sql'), 'select 1');
    expect(loadProject({ projectDir: dir, env: ENV }).nodes.get('model.shop.dim_plain')!.config.materialized).toBe('table');
    expect(loadProject({ projectDir: dir, env: ENV, target: 'prod' }).nodes.get('model.shop.dim_plain')!.config.materialized).toBe('view');
    const error = loadError(() => loadProject({ projectDir: dir, env: { ...ENV, SHOP_PROFILE: 'elsewhere' } }));
    expect(error.message).toContain("Could not find profile named 'elsewhere'");
  });

  it('renders schema YAML values with target and var, leaving descriptions for the compiler', () => {
    expect(project.nodes.get('model.shop.dim_customers')!.config.materialized).toBe('view');
    expect(loadProject({ projectDir: FIXTURE, env: ENV, target: 'prod' }).nodes.get('model.shop.dim_customers')!.config.materialized).toBe('table');
    expect(project.nodes.get('model.shop.fct_orders')!.description).toBe("Orders with customer names, env={{ env_var('SHOP_ENV', 'dev') }}");
    const withVars = loadProject({ projectDir: FIXTURE, env: ENV, vars: '{raw_schema: landing}' });
    expect(withVars.sources.get('source.shop.raw.orders')!.schema).toBe('landing');
    expect(project.sources.get('source.shop.raw.orders')!.schema).toBe('main');
  });

  it('patches models with descriptions, columns and patch_path', () => {
    const stg = project.nodes.get('model.shop.stg_orders')!;
    expect(stg.description).toBe('One row per order.');
    expect(stg.patch_path).toBe('shop://models/staging/schema.yml');
    expect(stg.columns.order_id!.description).toBe('Primary key.');
    expect(stg.columns.status!.tags).toEqual(['status_col']);
  });

  it('defines sources with identifiers, fqn and source tests', () => {
    const orders = project.sources.get('source.shop.raw.orders')!;
    expect(orders.identifier).toBe('raw_orders');
    expect(orders.fqn).toEqual(['shop', 'staging', 'raw', 'orders']);
    expect(orders.loader).toBe('seeds');
    expect(orders.tags).toEqual(['raw']);
    expect(orders.database).toBe('shop');
    expect(orders.freshness).toEqual({ warn_after: { count: 12, period: 'hour' } });
    expect(orders.loaded_at_field).toBe('_loaded_at');
    expect(project.sources.get('source.shop.raw.customers')!.freshness).toBeNull();
    const test = [...project.nodes.values()].find((n) => n.name === 'source_unique_raw_orders_id')!;
    expect(test.sources).toEqual([['raw', 'orders']]);
    expect(test.test_metadata!.kwargs.model).toBe("{{ get_where_subquery(source('raw', 'orders')) }}");
    expect(test.attached_node).toBeNull();
  });

  it('builds generic tests with dbt names, hashes and metadata', () => {
    const tests = [...project.nodes.values()].filter((n) => n.resource_type === 'test');
    const byName = new Map(tests.map((t) => [t.name, t]));
    const unique = byName.get('unique_stg_orders_order_id')!;
    expect(unique.unique_id).toMatch(/^test\.shop\.unique_stg_orders_order_id\.[0-9a-f]{10}$/);
    expect(unique.test_metadata).toEqual({
      name: 'unique', namespace: null,
      kwargs: { column_name: 'order_id', model: "{{ get_where_subquery(ref('stg_orders')) }}" },
    });
    expect(unique.attached_node).toBe('model.shop.stg_orders');
    expect(unique.column_name).toBe('order_id');
    expect(unique.fqn).toEqual(['shop', 'staging', 'unique_stg_orders_order_id']);
    expect(unique.path).toBe('staging/unique_stg_orders_order_id.sql');
    expect(unique.raw_code).toBe('{{ test_unique(**_dbt_generic_test_kwargs) }}');
    expect(unique.config.severity).toBe('warn');

    const accepted = byName.get('accepted_values_stg_orders_status__placed__shipped__completed__returned')!;
    expect(accepted.config.severity).toBe('error');
    expect(accepted.test_metadata!.kwargs.values).toEqual(['placed', 'shipped', 'completed', 'returned']);
    expect(accepted.tags).toEqual(['status_col']);

    const rel = byName.get('relationships_stg_orders_customer_id__customer_id__ref_stg_customers_')!;
    expect(rel.refs).toEqual([{ name: 'stg_orders' }, { name: 'stg_customers' }]);

    expect(byName.get('stg_customers_pk_unique')!.unique_id).toMatch(/^test\.shop\.stg_customers_pk_unique\.[0-9a-f]{10}$/);
    expect(byName.get('not_null_stg_customers_customer_id')!.config.where).toBe('customer_id > 0');

    const range = byName.get('dbt_utils_accepted_range_fct_orders_order_id__True__0')!;
    expect(range.test_metadata!.namespace).toBe('dbt_utils');
    expect(range.test_metadata!.kwargs).toMatchObject({ min_value: 0, inclusive: true, column_name: 'order_id' });
    expect(range.raw_code).toBe('{{ dbt_utils.test_accepted_range(**_dbt_generic_test_kwargs) }}');
  });

  it('takes tests/fixtures/ for unit test fixtures, not singular tests', () => {
    const dir = copyFixture();
    mkdirSync(join(dir, 'tests/fixtures'), { recursive: true });
    writeFileSync(join(dir, 'tests/fixtures/order_rows.sql'), "select 1 as id, 'x' as status");
    writeFileSync(join(dir, 'tests/assert_one.sql'), 'select 1 where false');
    const tests = [...loadProject({ projectDir: dir, env: ENV }).nodes.values()].filter((n) => n.resource_type === 'test' && !n.test_metadata).map((n) => n.name);
    expect(tests).toContain('assert_one');
    expect(tests).not.toContain('order_rows');
  });

  it('records macro files (including tests/generic), docs files, macro patches, exposures, selectors', () => {
    expect(project.macroFiles.map((f) => f.path)).toEqual(['tests/generic/is_even.sql', 'macros/cents.sql', 'macros/utils.sql']);
    expect(project.macroFiles[1]!.contents).toContain('cents_to_dollars');
    expect(project.docFiles.map((f) => f.path)).toEqual(['macros/overview.md']);
    expect(project.macroPatches.get('shop.cents_to_dollars')!.arguments[0]!.type).toBe('string');
    const exposure = project.exposures.get('exposure.shop.weekly_report')!;
    expect(exposure.refs).toEqual([{ name: 'fct_orders' }]);
    expect(exposure.sources).toEqual([['raw', 'customers']]);
    expect(project.selectors!.definitions).toHaveLength(2);
  });

  it('renders Jinja in var values when they are read', () => {
    expect(project.lookupVar('shop', 'deploy_env')).toBe('dev-dev');
    expect(loadProject({ projectDir: FIXTURE, env: { ...ENV, SHOP_ENV: 'ci' }, target: 'prod' }).lookupVar('shop', 'deploy_env')).toBe('ci-prod');
    expect(() => project.lookupVar('shop', 'loop_a')).toThrow(/refers to itself/);
  });

  it('scopes vars per package, with --vars winning', () => {
    expect(project.lookupVar('shop', 'start_date')).toBe('2024-01-01');
    expect(project.lookupVar('shop', 'region')).toBe('emea');
    expect(project.lookupVar('other_pkg', 'region')).toBeUndefined();
    const withCli = loadProject({ projectDir: FIXTURE, env: ENV, vars: '{"start_date": "2025-06-01"}' });
    expect(withCli.lookupVar('shop', 'start_date')).toBe('2025-06-01');
  });
});

describe('loadProject: model versions', () => {
  const project = loadProject({ projectDir: FIXTURE, env: ENV });

  it('turns <name>_v<n>.sql files into versions of one model', () => {
    expect(project.nodes.has('model.shop.dim_orders_v1')).toBe(false);
    const v1 = project.nodes.get('model.shop.dim_orders.v1')!;
    const v2 = project.nodes.get('model.shop.dim_orders.v2')!;
    expect(v1.name).toBe('dim_orders');
    expect(v1.version).toBe(1);
    expect(v1.latest_version).toBe(2);
    expect(v1.alias).toBe('dim_orders_v1');
    expect(v1.fqn).toEqual(['shop', 'marts', 'dim_orders', 'v1']);
    expect(Object.keys(v1.columns)).toEqual(['order_id']);
    expect(Object.keys(v2.columns)).toEqual(['order_id', 'status']);
    expect(v2.config.tags).toContain('v2');
    expect(v1.config.tags).not.toContain('v2');
    expect(v2.description).toBe('Orders, versioned.');
  });

  it('gives each version its own tests', () => {
    const names = [...project.nodes.values()].filter((n) => n.attached_node?.startsWith('model.shop.dim_orders.')).map((n) => n.name).sort();
    expect(names).toEqual(['not_null_dim_orders_v1_order_id', 'not_null_dim_orders_v2_order_id']);
    const test = [...project.nodes.values()].find((n) => n.name === 'not_null_dim_orders_v2_order_id')!;
    expect(test.test_metadata!.kwargs.model).toBe("{{ get_where_subquery(ref('dim_orders', version=2)) }}");
    expect(test.refs).toEqual([{ name: 'dim_orders', version: 2 }]);
  });
});

describe('loadProject: packages and YAML snapshots', () => {
  const project = loadProject({ projectDir: FIXTURE, env: ENV });

  it('identifies seeds over 1 MiB by path', () => {
    const dir = copyFixture();
    writeFileSync(join(dir, 'seeds/big.csv'), 'id\n' + '1234567\n'.repeat(150_000));
    expect(loadProject({ projectDir: dir, env: ENV }).nodes.get('seed.shop.big')!.checksum).toEqual({ name: 'path', checksum: 'seeds/big.csv' });
  });

  it('loads installed packages with their own configs, vars and macros', () => {
    expect(project.packages.map((p) => [p.name, p.isRoot])).toEqual([['shop', true], ['shop_utils', false]]);
    const calendar = project.nodes.get('model.shop_utils.util_calendar')!;
    expect(calendar.fqn).toEqual(['shop_utils', 'util_calendar']);
    expect(calendar.config.materialized).toBe('table');
    expect(calendar.config.tags).toEqual(['utils']);
    // the root project's tree for the package applies over the package's own
    expect(calendar.config.schema).toBe('utils');
    // root vars scoped to the package beat the package's own vars
    expect(calendar.alias).toBe('calendar_from-root');
    expect(calendar.description).toBe("Starts at {{ var('calendar_start') }}");
    expect(project.lookupVar('shop_utils', 'calendar_start')).toBe('2020-01-01');
    expect(project.lookupVar('shop', 'calendar_start')).toBeUndefined();
    expect(project.macroFiles.map((f) => [f.package, f.path])).toContainEqual(['shop_utils', 'macros/utils.sql']);
  });

  it('follows symbolic links to packages and model folders (local packages are linked)', () => {
    const dir = copyFixture();
    const outside = mkdtempSync(join(tmpdir(), 'dvt-linked-'));
    temps.push(outside);
    renameSync(join(dir, 'dbt_packages/shop_utils'), join(outside, 'shop_utils'));
    symlinkSync(join(outside, 'shop_utils'), join(dir, 'dbt_packages/shop_utils'));
    mkdirSync(join(outside, 'shared_models'));
    writeFileSync(join(outside, 'shared_models/linked_model.sql'), 'select 1');
    symlinkSync(join(outside, 'shared_models'), join(dir, 'models/shared'));
    symlinkSync(join(dir, 'models'), join(dir, 'models/marts/loop')); // a cycle is visited once
    const linked = loadProject({ projectDir: dir, env: ENV });
    expect(linked.nodes.get('model.shop_utils.util_calendar')).toBeDefined();
    expect(linked.nodes.get('model.shop.linked_model')!.fqn).toEqual(['shop', 'shared', 'linked_model']);
  });

  it('skips what .dbtignore names', () => {
    const dir = copyFixture();
    writeFileSync(join(dir, '.dbtignore'), 'models/marts/dim_*\n*.yml\n!models/staging/schema.yml\n');
    const project = loadProject({ projectDir: dir, env: ENV });
    expect(project.nodes.has('model.shop.dim_customers')).toBe(false);
    expect(project.nodes.has('model.shop.fct_orders')).toBe(true);
    expect(project.nodes.get('model.shop.fct_orders')!.description).toBe(''); // marts.yml ignored
    expect(project.nodes.get('model.shop.stg_orders')!.description).toBe('One row per order.');
  });

  it('creates snapshots defined only in YAML', () => {
    const snapshot = project.nodes.get('snapshot.shop.customers_snapshot')!;
    expect(snapshot.raw_code).toBe("select * from {{ source('raw', 'customers') }}");
    expect(snapshot.config).toMatchObject({ materialized: 'snapshot', unique_key: 'id', strategy: 'check', check_cols: 'all' });
    expect(snapshot.original_file_path).toBe('snapshots/customers_snapshot.yml');
    expect(snapshot.fqn).toEqual(['shop', 'customers_snapshot']);
  });
});

describe('loadProject: disabled nodes', () => {
  it('disables the tests of disabled models and sources', () => {
    const dir = copyFixture();
    const projectYml = readFileSync(join(dir, 'dbt_project.yml'), 'utf8')
      .replace('    staging:\n', '    staging:\n      stg_orders:\n        +enabled: false\n')
      .replace('seeds:\n', 'sources:\n  shop:\n    staging:\n      raw:\n        orders:\n          +enabled: false\nseeds:\n');
    writeFileSync(join(dir, 'dbt_project.yml'), projectYml);
    const project = loadProject({ projectDir: dir, env: ENV });
    expect(project.nodes.get('model.shop.stg_orders')!.config.enabled).toBe(false);
    expect(project.sources.get('source.shop.raw.orders')!.config.enabled).toBe(false);
    const tests = [...project.nodes.values()].filter((n) => n.attached_node === 'model.shop.stg_orders' || n.name.startsWith('source_unique_raw_orders'));
    expect(tests.length).toBe(5);
    expect(tests.every((t) => t.config.enabled === false)).toBe(true);
    expect([...project.nodes.values()].find((n) => n.name === 'stg_customers_pk_unique')!.config.enabled).toBe(true);
  });
});

describe('loadProject: generic test config', () => {
  it("renders a test entry's config with the target, so enabled can depend on the engine; arguments stay raw", () => {
    const dir = copyFixture();
    const schemaPath = join(dir, 'models', 'staging', 'schema.yml');
    const schema = readFileSync(schemaPath, 'utf8').replace(
      "              config:\n                severity: error\n",
      "              config:\n                severity: \"{{ 'warn' if target.name == 'dev' else 'error' }}\"\n                enabled: \"{{ target.type != 'duckdb' }}\"\n",
    ).replace("          - unique:\n              name: stg_customers_pk_unique\n", "          - unique:\n              name: stg_customers_pk_unique\n              config:\n                where: \"customer_id > {{ var('min_id', 0) }}\"\n");
    writeFileSync(schemaPath, schema);
    const project = loadProject({ projectDir: dir, env: ENV });
    const accepted = [...project.nodes.values()].find((n) => n.name.startsWith('accepted_values_stg_orders_status'))!;
    expect(accepted.config.enabled).toBe(false);
    expect(accepted.config.severity).toBe('warn');
    expect(accepted.test_metadata!.kwargs.values).toEqual(['placed', 'shipped', 'completed', 'returned']);
    expect([...project.nodes.values()].find((n) => n.name === 'stg_customers_pk_unique')!.config.where).toBe('customer_id > 0');
  });
});

describe('loadProject: schema YAML errors', () => {
  it('accepts a file without version (dbt 1.5+) and refuses another version', () => {
    const dir = copyFixture();
    writeFileSync(join(dir, 'models/marts/more.yml'), 'seeds:\n  - name: raw_orders\n    description: no version key\n');
    expect(loadProject({ projectDir: dir, env: ENV }).nodes.get('seed.shop.raw_orders')!.description).toBe('no version key');
    writeFileSync(join(dir, 'models/marts/more.yml'), 'version: 1\nseeds: []\n');
    const error = loadError(() => loadProject({ projectDir: dir, env: ENV }));
    expect(error.message).toContain("use 'version: 2'");
    expect(error.location).toEqual({ file: 'models/marts/more.yml', line: 1 });
  });

  it('refuses a model described twice and points at the second', () => {
    const dir = copyFixture();
    writeFileSync(join(dir, 'models/marts/more.yml'), 'version: 2\n\nmodels:\n  - name: stg_orders\n');
    const error = loadError(() => loadProject({ projectDir: dir, env: ENV }));
    // Files load in path order, so models/staging/schema.yml is the second one here.
    expect(error.message).toContain("model 'stg_orders' is described twice: in models/marts/more.yml:4 and here");
    expect(error.location).toEqual({ file: 'models/staging/schema.yml', line: 23 });
  });

  it('refuses two models with one name', () => {
    const dir = copyFixture();
    writeFileSync(join(dir, 'models/marts/stg_orders.sql'), 'select 1');
    const error = loadError(() => loadProject({ projectDir: dir, env: ENV }));
    expect(error.message).toContain('models/staging/stg_orders.sql');
    expect(error.message).toContain('models/marts/stg_orders.sql');
  });

  it('warns about unknown keys, misspelled configs and patches for missing models, with lines', () => {
    const dir = copyFixture();
    writeFileSync(join(dir, 'models/marts/more.yml'), 'version: 2\nmodles: []\nmodels:\n  - name: ghost\nseeds:\n  - name: raw_orders\n    config:\n      delimter: ";"\n');
    const project = loadProject({ projectDir: dir, env: ENV });
    expect(project.warnings).toEqual(expect.arrayContaining([
      expect.objectContaining({ location: { file: 'models/marts/more.yml', line: 2 } }),
      expect.objectContaining({ location: { file: 'models/marts/more.yml', line: 4 } }),
      { message: "'delimter' in the config of 'raw_orders' is not a dbt config; did you mean 'delimiter'?", location: { file: 'models/marts/more.yml', line: 8 } },
    ]));
  });

  it('names file and line for Jinja errors and missing vars in schema YAML', () => {
    const dir = copyFixture();
    writeFileSync(join(dir, 'models/marts/more.yml'), "version: 2\nseeds:\n  - name: raw_orders\n    config:\n      schema: \"{{ var('nope') }}\"\n");
    const missing = loadError(() => loadProject({ projectDir: dir, env: ENV }));
    expect(missing.message).toContain("Required var 'nope' not found");
    expect(missing.location).toEqual({ file: 'models/marts/more.yml', line: 5 });
    writeFileSync(join(dir, 'models/marts/more.yml'), "version: 2\nseeds:\n  - name: raw_orders\n    config:\n      schema: \"{{ env_var('X' }}\"\n");
    const syntax = loadError(() => loadProject({ projectDir: dir, env: ENV }));
    expect(syntax.location).toEqual({ file: 'models/marts/more.yml', line: 5 });
    expect(syntax.message).toContain('could not render');
  });

  it('warns once per unsupported feature (semantic layer), without rendering it', () => {
    const dir = copyFixture();
    writeFileSync(join(dir, 'models/marts/more.yml'), "version: 2\nunit_tests: []\nmetrics:\n  - name: m\n    filter: \"{{ Dimension('order_id__x') }} = 1\"\n");
    writeFileSync(join(dir, 'models/marts/more2.yml'), 'version: 2\n\nmetrics: []\n');
    const project = loadProject({ projectDir: dir, env: ENV });
    expect(project.warnings).toContainEqual({ message: "'metrics' is not supported by dvt yet and is ignored (2 files)", location: { file: 'models/marts/more.yml', line: 3 } });
    expect(project.warnings.filter((w) => w.message.includes('unit_tests'))).toEqual([]);
  });

  it('warns about config paths that reach no resource, with their line', () => {
    expect(loadProject({ projectDir: FIXTURE, env: ENV }).warnings.filter((w) => w.message.startsWith('Configuration path'))).toEqual([]);
    const dir = copyFixture();
    const projectYml = readFileSync(join(dir, 'dbt_project.yml'), 'utf8')
      .replace('    staging:\n', '    stagin:\n      +enabled: true\n    staging:\n')
      .replace('      +schema: staging\n', '      +schema: staging\n      +materialised: view\n');
    writeFileSync(join(dir, 'dbt_project.yml'), projectYml + 'snapshots:\n  not_installed:\n    +enabled: false\n');
    const warnings = loadProject({ projectDir: dir, env: ENV }).warnings.filter((w) => w.message.startsWith('Configuration path'));
    const line = projectYml.split('\n').indexOf('    stagin:') + 1;
    expect(loadProject({ projectDir: dir, env: ENV }).warnings).toContainEqual({
      message: "'+materialised' in models.shop.staging is not a dbt config; did you mean 'materialized'?",
      location: { file: 'dbt_project.yml', line: projectYml.split('\n').indexOf('      +materialised: view') + 1 },
    });
    expect(warnings.map((w) => [w.message.split(' in ')[0], w.location])).toEqual([
      ['Configuration path models.shop.stagin', { file: 'dbt_project.yml', line }],
      ['Configuration path snapshots.not_installed', { file: 'dbt_project.yml', line: projectYml.split('\n').length + 1 }],
    ]);
  });

  it("checks a source's connection against the profile's outputs", () => {
    const dir = copyFixture();
    writeFileSync(join(dir, 'models/marts/more.yml'), 'version: 2\nsources:\n  - name: legacy\n    connection: prod\n    tables:\n      - name: a\n      - name: b\n        connection: warehouse\n');
    const error = loadError(() => loadProject({ projectDir: dir, env: ENV }));
    expect(error.message).toContain(`source 'legacy.b' names connection "warehouse"`);
    expect(error.message).toContain('outputs: dev, prod');
    expect(error.location).toEqual({ file: 'models/marts/more.yml', line: 8 });
    writeFileSync(join(dir, 'models/marts/more.yml'), 'version: 2\nsources:\n  - name: legacy\n    connection: prod\n    tables:\n      - name: a\n');
    expect(loadProject({ projectDir: dir, env: ENV }).sources.get('source.shop.legacy.a')!.connection).toBe('prod');
  });

  it("puts a source on another connection in that connection's database unless its YAML names one", () => {
    const dir = copyFixture();
    writeFileSync(join(dir, 'models/marts/more.yml'), 'version: 2\nsources:\n  - name: legacy\n    connection: prod\n    tables:\n      - name: a\n  - name: pinned\n    connection: prod\n    database: archive\n    tables:\n      - name: b\n');
    const project = loadProject({ projectDir: dir, env: ENV });
    expect(project.sources.get('source.shop.legacy.a')!.database).toBe('prod');
    expect(project.sources.get('source.shop.pinned.b')!.database).toBe('archive');
  });

  it('refuses tests and data_tests together, and a non-list', () => {
    const dir = copyFixture();
    writeFileSync(join(dir, 'models/marts/more.yml'), 'version: 2\nseeds:\n  - name: raw_orders\n    data_tests: [x]\n    tests: [y]\n');
    expect(loadError(() => loadProject({ projectDir: dir, env: ENV })).location).toEqual({ file: 'models/marts/more.yml', line: 5 });
    writeFileSync(join(dir, 'models/marts/more.yml'), 'version: 2\nseeds:\n  - name: raw_orders\n    data_tests: unique\n');
    expect(loadError(() => loadProject({ projectDir: dir, env: ENV })).message).toContain("'data_tests' must be a list");
  });

  it('takes column_name from the arguments of a model-level test', () => {
    const dir = copyFixture();
    writeFileSync(join(dir, 'models/marts/more.yml'), "version: 2\nseeds:\n  - name: raw_orders\n    data_tests:\n      - unique:\n          column_name: \"id || '-' || status\"\n");
    const test = [...loadProject({ projectDir: dir, env: ENV }).nodes.values()].find((n) => n.attached_node === 'seed.shop.raw_orders')!;
    expect(test.name).toBe('unique_raw_orders_id_status');
    expect(test.column_name).toBe("id || '-' || status");
    expect(test.test_metadata!.kwargs.column_name).toBe("id || '-' || status");
  });

  it('gives a bad test entry a line', () => {
    const dir = copyFixture();
    writeFileSync(join(dir, 'models/marts/more.yml'), 'version: 2\nseeds:\n  - name: raw_orders\n    columns:\n      - name: id\n        data_tests:\n          - unique: 3\n');
    const error = loadError(() => loadProject({ projectDir: dir, env: ENV }));
    expect(error.location).toEqual({ file: 'models/marts/more.yml', line: 7 });
  });
});
