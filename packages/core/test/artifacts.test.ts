import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { buildManifest, writeManifest, writeRunResults } from '../src/index.js';
import type { RunResult } from '../src/index.js';
import { linkedShop } from './select-helpers.js';
import { compilerFor, projectCopy } from './compile-support.js';

// dbt's published schemas live beside the repository (../shared), never in it.
const REPO_ROOT = resolve(import.meta.dirname, '../../..');
const SCHEMAS = resolve(REPO_ROOT, '../shared/fixtures/dbt-artifact-schemas');
const haveSchemas = existsSync(join(SCHEMAS, 'manifest-v12.json'));
const skipReason = `dbt artifact schemas not found at ${SCHEMAS}`;

// Compiling the manifest schema takes seconds: once per file.
const validators = new Map<string, ReturnType<Ajv2020['compile']>>();
function validator(file: string) {
  let validate = validators.get(file);
  if (!validate) {
    const ajv = new Ajv2020({ strict: false, allErrors: true, code: { optimize: false } });
    (addFormats as unknown as (a: Ajv2020) => void)(ajv);
    validate = ajv.compile(JSON.parse(readFileSync(join(SCHEMAS, file), 'utf8')));
    validators.set(file, validate);
  }
  return validate;
}

const out = mkdtempSync(join(tmpdir(), 'dvt-artifacts-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const options = { invocationId: '6f1c1f3e-0000-4000-8000-000000000001', generatedAt: new Date('2026-01-02T03:04:05.678Z') };

describe('manifest', () => {
  const { project } = linkedShop();
  project.nodes.get('analysis.shop.order_counts')!.config.enabled = false;
  const uniqueTest = [...project.nodes.values()].find((n) => n.name === 'unique_stg_orders_order_id')!.unique_id;
  // As the compiler's parse does: disabled nodes move out of `nodes`.
  const snapshot = project.nodes.get('snapshot.shop.customers_snapshot')!;
  snapshot.config.enabled = false;
  project.nodes.delete(snapshot.unique_id);
  project.disabled = new Map([[snapshot.unique_id, snapshot]]);
  const manifest = buildManifest(project, {
    ...options,
    compiled: new Map([
      ['model.shop.stg_orders', { compiled_code: 'select 1', relation_name: '"shop"."main"."stg_orders"', compiled_path: 'target/compiled/shop/models/staging/stg_orders.sql' }],
      ['model.shop.fct_orders', { compiled_code: 'select 2', relation_name: '"shop"."main"."fct_orders"' }],
      [uniqueTest, { compiled_code: 'select 3' }],
    ]),
  }) as Record<string, Record<string, Record<string, unknown>>>;

  it.skipIf(!haveSchemas)(`validates against dbt's manifest v12 schema ${haveSchemas ? '' : `(${skipReason})`}`, () => {
    const validate = validator('manifest-v12.json');
    const ok = validate(manifest);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  }, 120_000);

  it('carries metadata, graph maps and dvt extras', () => {
    expect(manifest.metadata!.dbt_schema_version).toBe('https://schemas.getdbt.com/dbt/manifest/v12.json');
    expect(manifest.metadata!.generated_at).toBe('2026-01-02T03:04:05.678000Z');
    expect(manifest.metadata!.adapter_type).toBe('duckdb');
    expect(manifest.metadata!.project_name).toBe('shop');
    expect(manifest.parent_map!['model.shop.fct_orders']).toEqual(['model.shop.stg_customers', 'model.shop.stg_orders']);
    expect(manifest.child_map!['source.shop.raw.orders']).toContain('model.shop.stg_orders');
    const stg = manifest.nodes!['model.shop.stg_orders'] as Record<string, any>;
    expect(stg.compiled_code).toBe('select 1');
    expect(stg.relation_name).toBe('"shop"."main"."stg_orders"');
    expect(stg.config.dvt).toEqual({ target: 'dev', adapter_type: 'duckdb' });
    const fct = manifest.nodes!['model.shop.fct_orders'] as Record<string, any>;
    expect(fct.compiled_path).toBe('target/compiled/shop/models/marts/fct_orders.sql');
    expect((manifest.nodes!['model.shop.dim_customers'] as Record<string, unknown>).compiled_path).toBeNull();
    expect((manifest.nodes![uniqueTest] as Record<string, unknown>).compiled_path).toBe('target/compiled/shop/models/staging/schema.yml/unique_stg_orders_order_id.sql');
    expect(fct.config['post-hook']).toEqual([{ sql: 'analyze {{ this }}', transaction: true, index: null }]);
    expect(manifest.disabled!['analysis.shop.order_counts']).toHaveLength(1);
    expect(manifest.nodes!['analysis.shop.order_counts']).toBeUndefined();
    expect(manifest.disabled!['snapshot.shop.customers_snapshot']).toHaveLength(1);
    expect(Object.keys(manifest.selectors!)).toEqual(['nightly', 'orders_tree']);
  });

  it('never contains profile secrets', () => {
    const { project: prod } = linkedShop();
    Object.assign(prod.profile.outputs.dev!.config, { password: 'hunter2-secret' });
    expect(JSON.stringify(buildManifest(prod, options))).not.toContain('hunter2-secret');
  });

  it('writes manifest.json', () => {
    const path = writeManifest(out, project, options);
    expect(JSON.parse(readFileSync(path, 'utf8')).metadata.invocation_id).toBe(options.invocationId);
  });
});

describe('manifest of a compiled project', () => {
  it.skipIf(!haveSchemas)(`validates with macros, docs and compiled SQL from the real compiler ${haveSchemas ? '' : `(${skipReason})`}`, async () => {
    const { dir, cleanup } = projectCopy('compile-shop');
    try {
      const compiler = await compilerFor(dir, { writeCompiled: false });
      compiler.parseProject();
      const compiled = new Map<string, { compiled_code: string; relation_name: string }>();
      for (const node of compiler.project.nodes.values()) {
        if (node.config.enabled === false || node.resource_type === 'seed') continue;
        const result = compiler.compileNode(node.unique_id);
        compiled.set(node.unique_id, { compiled_code: result.compiled_code, relation_name: String(result.relation) });
      }
      const manifest = buildManifest(compiler.project, { ...options, compiled }) as Record<string, Record<string, unknown>>;
      expect(Object.keys(manifest.macros!).length).toBeGreaterThan(50);
      expect(Object.keys(manifest.nodes!).length).toBeGreaterThan(5);
      const validate = validator('manifest-v12.json');
      validate(manifest);
      expect(validate.errors ?? []).toEqual([]);
    } finally {
      cleanup();
    }
  }, 120_000);
});

describe('run results', () => {
  const results: RunResult[] = [
    {
      unique_id: 'model.shop.stg_orders', status: 'success', thread_id: 'Thread-1', execution_time: 0.25,
      timing: [{ name: 'compile', started_at: '2026-01-02T03:04:05.000000Z', completed_at: '2026-01-02T03:04:05.100000Z' }, { name: 'execute', started_at: '2026-01-02T03:04:05.100000Z', completed_at: '2026-01-02T03:04:05.250000Z' }],
      adapter_response: { _message: 'OK', rows_affected: 2 }, message: 'OK', failures: null, compiled: true, compiled_code: 'select 1',
      relation_name: '"shop"."main"."stg_orders"',
    },
    {
      unique_id: 'test.shop.unique_stg_orders_order_id.abc', status: 'fail', thread_id: 'Thread-2', execution_time: 0.1, timing: [],
      adapter_response: {}, message: 'Got 3 results, configured to fail if != 0', failures: 3, compiled: true, compiled_code: 'select 2', relation_name: null,
    },
    {
      unique_id: 'model.shop.fct_orders', status: 'skipped', thread_id: 'Thread-1', execution_time: 0, timing: [], adapter_response: {},
      message: null, failures: null, compiled: false, compiled_code: null, relation_name: null, batch_results: null,
    },
  ];

  it.skipIf(!haveSchemas)(`validates against dbt's run-results v6 schema ${haveSchemas ? '' : `(${skipReason})`}`, () => {
    const path = writeRunResults(out, results, { which: 'build', select: ['tag:shop'] }, 1.5, options);
    const json = JSON.parse(readFileSync(path, 'utf8'));
    const validate = validator('run-results-v6.json');
    validate(json);
    expect(validate.errors ?? []).toEqual([]);
    expect(json.elapsed_time).toBe(1.5);
    expect(json.results[1].failures).toBe(3);
    expect(json.metadata.dbt_schema_version).toBe('https://schemas.getdbt.com/dbt/run-results/v6.json');
  }, 60_000);

  it('a schema check that can fail: a bad status is rejected', () => {
    if (!haveSchemas) return;
    const validate = validator('run-results-v6.json');
    const bad = JSON.parse(JSON.stringify({ metadata: { dbt_schema_version: 'x' }, results: [{ ...results[0], status: 'great' }], elapsed_time: 1 }));
    expect(validate(bad)).toBe(false);
  }, 60_000);
});
