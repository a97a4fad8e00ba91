import { Compiler, loadProject, Relation } from '@dvt/core';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import adapter from '../src/index.js';

// With only the Redshift adapter in the run, the postgres__ macros it does not
// redefine are still there (its macrosDir lists PostgreSQL's directory).
const dir = mkdtempSync(path.join(tmpdir(), 'dvt-rs-macros-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('macros Redshift inherits from PostgreSQL', () => {
  it('schemas, drops and renames use the postgres__ spellings; its own redshift__ ones still win', async () => {
    writeFileSync(path.join(dir, 'dbt_project.yml'), "name: rs\nversion: '1.0'\nconfig-version: 2\nprofile: rs\n");
    writeFileSync(path.join(dir, 'profiles.yml'), 'rs:\n  target: rs\n  outputs:\n    rs:\n      type: redshift\n      host: example.invalid\n      user: u\n      dbname: dev\n      schema: analytics\n');
    const project = loadProject({ projectDir: dir, profilesDir: dir, env: {} });
    const compiler = await Compiler.create({ project, adapters: { redshift: adapter }, env: {} });
    const call = (name: string, ...args: unknown[]) => String(compiler.callMacro(name, args, {}, { adapterType: 'redshift' })).replace(/\s+/g, ' ').trim();
    const relation = (identifier: string, type: 'table' | 'materialized_view') =>
      new Relation(adapter.dialect, 'redshift', { database: 'dev', schema: 'analytics', identifier, type });

    expect(call('create_schema', relation('x', 'table'))).toBe('create schema if not exists "analytics"');
    expect(call('drop_relation', relation('mv', 'materialized_view'))).toBe('drop materialized view if exists "dev"."analytics"."mv" cascade');
    expect(call('rename_relation', relation('mv', 'materialized_view'), relation('mv2', 'materialized_view'))).toBe(
      'alter materialized view "dev"."analytics"."mv" rename to "mv2"',
    );
    expect(call('any_value', 'x')).toBe('any_value(x)');
    const origins = ['postgres__drop_relation', 'redshift__any_value'].map((name) => compiler.registry.resolve(name, 'rs')?.definition.root_path);
    expect(origins[0]).toMatch(/adapters[\\/]postgres[\\/]macros$/);
    expect(origins[1]).toMatch(/adapters[\\/]redshift[\\/]macros$/);
  });
});
