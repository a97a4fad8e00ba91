import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AdapterDefinition } from '../src/adapter/contract.js';
import { buildRunResults } from '../src/artifacts/index.js';
import { loadDuckdb, projectCopy, runDvt, type TestProject } from './run-support.js';

// dbt's published schemas live beside the repository (../shared), never in it.
const SCHEMAS = resolve(import.meta.dirname, '../../../../shared/fixtures/dbt-artifact-schemas');
const schemaFile = join(SCHEMAS, 'run-results-v6.json');

let duckdb: AdapterDefinition | undefined;
let skipReason: string | undefined;
beforeAll(async () => {
  const loaded = await loadDuckdb();
  if (typeof loaded === 'string') skipReason = loaded;
  else duckdb = loaded;
});
const projects: TestProject[] = [];
afterEach(() => {
  for (const p of projects.splice(0)) p.cleanup();
});

describe('run results', () => {
  it('every status the runner produces validates against run-results v6', async (ctx) => {
    if (!existsSync(schemaFile)) ctx.skip(`dbt artifact schemas not found at ${SCHEMAS}`);
    if (!duckdb) ctx.skip(skipReason);
    const today = new Date().toISOString().slice(0, 10);
    const p = projectCopy('run-shop', {
      'models/broken.sql': "{{ config(materialized='table') }} select no_such_column",
      'models/after_broken.sql': "select * from {{ ref('broken') }}",
      'models/batched.sql': `{{ config(materialized='incremental', incremental_strategy='microbatch', event_time='signup_date', batch_size='month', begin='${today}') }} select * from {{ ref('raw_customers') }}`,
      'tests/always_fails.sql': 'select 1 as failing_row',
    });
    projects.push(p);
    const out = await runDvt(duckdb!, p, 'build');
    const statuses = new Set(out.results.map((r) => r.status));
    for (const s of ['success', 'error', 'skipped', 'pass', 'warn', 'fail']) expect(statuses).toContain(s);
    expect(out.results.some((r) => r.batch_results)).toBe(true);

    const ajv = new Ajv2020({ strict: false, allErrors: true });
    (addFormats as unknown as (a: Ajv2020) => void)(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(schemaFile, 'utf8')));
    const doc = buildRunResults(out.results, { which: 'build' }, out.elapsed, { invocationId: '00000000-0000-4000-8000-000000000000', generatedAt: new Date() });
    const ok = validate(JSON.parse(JSON.stringify(doc)));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });
});
