import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { POSTGRES } from '@dvt/adapter-testkit';
import { describe, expect, it } from 'vitest';
import { dvt, tempDir } from './helpers.js';

/** The starter project (DuckDB); with `federated`, a model on PostgreSQL reading a DuckDB model. Compiling connects to nothing. */
function starter(federated: boolean): string {
  const cwd = tempDir();
  expect(dvt(['init', 'shop'], { cwd }).code).toBe(0);
  const dir = join(cwd, 'shop');
  if (federated) {
    appendFileSync(join(dir, 'profiles.yml'), `    pg:\n      type: postgres\n      host: ${POSTGRES.host}\n      port: ${POSTGRES.port}\n      user: postgres\n      dbname: test\n      schema: compile_plan\n`);
    writeFileSync(join(dir, 'models', 'riders_on_pg.sql'), "{{ config(target='pg', materialized='table') }}\nselect count(*) as riders from {{ ref('rider_summary') }}\n");
  }
  return dir;
}

describe('dvt compile shows the execution plan', () => {
  it('a table of each node: path, engine, target and the inputs that move', () => {
    const dir = starter(true);
    const r = dvt(['compile'], { cwd: dir });
    expect(r.code, r.output).toBe(0);
    const rows = r.stdout.split('\n').filter((l) => l.trimStart().startsWith('| '));
    expect(rows[0]).toMatch(/\| node +\| path +\| engine +\| target +\| moves +\|/);
    expect(rows.find((l) => l.includes('| riders_on_pg '))).toMatch(/\| riders_on_pg +\| federate-duckdb \| duckdb +\| pg +\| model\.shop\.rider_summary dev -> cache \(__model__rider_summary\) +\|/);
    expect(rows.find((l) => l.includes('| rider_summary '))).toMatch(/\| rider_summary +\| pushdown +\| duckdb +\| dev +\| +\|/);
  });

  it('--output json: one object per node with its plan, and the SQL of a single compiled node (as DuckDB runs it)', () => {
    const dir = starter(true);
    const r = dvt(['compile', '-s', 'riders_on_pg', '--output', 'json', '-q'], { cwd: dir });
    expect(r.code, r.output).toBe(0);
    const items = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      unique_id: 'model.shop.riders_on_pg',
      plan: { path: 'federate-duckdb', engine: 'duckdb', target: 'pg', moves: [{ input: 'model.shop.rider_summary', from: 'dev', to: 'cache', table: '__model__rider_summary' }] },
    });
    expect(items[0]!.compiled).toMatch(/from "main"\."__model__rider_summary"/);
  });

  it('one selected node still prints just its compiled SQL with -q, as dbt does', () => {
    const dir = starter(true);
    const r = dvt(['compile', '-s', 'stg_trips', '-q'], { cwd: dir });
    expect(r.code, r.output).toBe(0);
    expect(r.stdout.trim()).toMatch(/^-- One row per trip[\s\S]*from "[^"]+"\."main"\."raw_trips"\s*$/);
    expect(r.stdout).not.toMatch(/Execution plan|\| node/);
  });

  it('a project on one connection gets one plan line, not a table', () => {
    const r = dvt(['compile'], { cwd: starter(false) });
    expect(r.code, r.output).toBe(0);
    expect(r.stdout).toMatch(/Execution plan: all \d+ nodes run on the target 'dev' \(pushdown\)\./);
    expect(dvt(['compile', '--output', 'name'], { cwd: starter(false) }).output).toMatch(/dvt compile --output takes json/);
  });
});
