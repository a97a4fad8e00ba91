import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AdapterDefinition } from '../src/adapter/contract.js';
import { loadDuckdb, projectCopy, query, runDvt } from './run-support.js';

// Hooks render in the node's runtime (is_incremental() as the node's SQL saw
// it), and on-run-end hooks get dbt's `results` and `schemas`.
let duckdb: AdapterDefinition | string;
beforeAll(async () => {
  duckdb = await loadDuckdb();
});
function need(ctx: { skip: (reason?: string) => void }): AdapterDefinition {
  if (typeof duckdb === 'string') ctx.skip(duckdb);
  return duckdb as AdapterDefinition;
}
const phases = async (db: AdapterDefinition, dir: Parameters<typeof query>[1]) =>
  (await query(db, dir, "select phase from run_log where phase not in ('start', 'end') order by rowid")).map((r) => r[0]);

describe('hook rendering', () => {
  it('is_incremental() in pre and post hooks follows the model: false on the first build and on --full-refresh, true on an incremental one', async (ctx) => {
    const db = need(ctx);
    const logged = (what: string) => `insert into {{ target.schema }}.run_log values ('${what} {{ is_incremental() }}', current_timestamp)`;
    const p = projectCopy('run-shop', {
      'models/schema.yml': 'version: 2\n',
      'models/growing.sql': `{{ config(materialized='incremental', pre_hook="${logged('pre')}", post_hook="${logged('post')}") }}\nselect 1 as id\n`,
    });
    try {
      await runDvt(db, p, 'run', { select: ['growing'] });
      await runDvt(db, p, 'run', { select: ['growing'] });
      const full = await runDvt(db, p, 'run', { select: ['growing'], fullRefresh: true });
      expect(full.results.map((r) => r.status)).toEqual(['success']);
      expect(await phases(db, p)).toEqual(['pre False', 'post False', 'pre True', 'post True', 'pre False', 'post False']);
    } finally {
      p.cleanup();
    }
  });

  it('on-run-end hooks see results (with each node) and the schemas built, not those of failed nodes', async (ctx) => {
    const db = need(ctx);
    const p = projectCopy('run-shop', {
      'models/schema.yml': 'version: 2\n',
      'models/elsewhere.sql': "{{ config(schema='side') }}\nselect 1 as id\n",
      'models/broken.sql': "{{ config(schema='never') }}\nselect no_such_column from {{ ref('stg_customers') }}\n",
    });
    const project = readFileSync(join(p.dir, 'dbt_project.yml'), 'utf8');
    const endHook = [
      "insert into {{ target.schema }}.run_log values (",
      "'{% for r in results %}{{ r.node.name }}={{ r.status }};{% endfor %}",
      " schemas={{ schemas | sort | join(\",\") }}",
      " first={{ database_schemas | sort | first | join(\".\") }}', current_timestamp)",
    ].join('');
    p.write({ 'dbt_project.yml': project.replace(/on-run-end:\n.*\n/, `on-run-end:\n  - >-\n    ${endHook}\n`) });
    try {
      const out = await runDvt(db, p, 'build', { select: ['raw_customers', 'stg_customers', 'elsewhere', 'broken'], threads: 1 });
      expect(out.hookFailures).toEqual([]);
      const end = (await query(db, p, "select phase from run_log where phase like '%schemas=%'")).map((r) => r[0]);
      const statuses = out.results.map((r) => `${r.unique_id.split('.').at(-1)}=${r.status};`).join('');
      expect(statuses).toMatch(/broken=error;/);
      expect(end).toEqual([`${statuses} schemas=main,main_side first=warehouse.main`]);
    } finally {
      p.cleanup();
    }
  });
});
