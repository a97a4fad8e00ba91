import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { BIN, copyExample, dvt } from './helpers.js';

const SCHEMA = resolve(import.meta.dirname, '../../../shared/fixtures/dbt-artifact-schemas/catalog-v1.json');

type Json = Record<string, any>;
const readJson = (path: string): Json => JSON.parse(readFileSync(path, 'utf8')) as Json;

describe('dvt docs generate', () => {
  const dir = copyExample();
  const build = dvt(['build'], { cwd: dir });

  it('writes a catalog with native types and stats, the manifest with engines, and the site', () => {
    expect(build.code, build.output).toBe(0);
    const r = dvt(['docs', 'generate', '--static'], { cwd: dir });
    expect(r.code, r.output).toBe(0);
    expect(r.stdout).toMatch(/Catalog written to target\/catalog\.json: 9 nodes and 0 sources read from dev/);
    const catalog = readJson(join(dir, 'target', 'catalog.json'));
    const customers = catalog.nodes['model.jaffle_shop.customers'];
    expect(customers.metadata).toMatchObject({ schema: 'main', name: 'customers', database: 'jaffle_shop' });
    expect(customers.columns.customer_id).toEqual({ type: 'INTEGER', index: 1, name: 'customer_id', comment: null });
    expect(customers.columns.lifetime_value.type).toMatch(/^DECIMAL\(\d+,2\)$/);
    expect(customers.stats.row_count.value).toBeGreaterThan(0);
    expect(catalog.nodes['seed.jaffle_shop.raw_orders'].columns.status.type).toBe('VARCHAR');
    expect(catalog.errors).toBeNull();
    const manifest = readJson(join(dir, 'target', 'manifest.json'));
    expect(manifest.nodes['model.jaffle_shop.customers'].config.dvt).toEqual({ target: 'dev', adapter_type: 'duckdb' });
    expect(manifest.nodes['model.jaffle_shop.customers'].compiled_code).toMatch(/"jaffle_shop"\."main"\."orders"/);
    const info = readJson(join(dir, 'target', 'dvt.json'));
    expect(info.engines.dev).toEqual({ type: 'duckdb', displayName: 'DuckDB', color: '#FFF000' });
    expect(info.paths['model.jaffle_shop.customers']).toBe('pushdown');
    expect(Object.keys(info.layout)).toHaveLength(10);
    expect(readFileSync(join(dir, 'target', 'index.html'), 'utf8')).not.toMatch(/id="dvt-docs-data"/);
    expect(readFileSync(join(dir, 'target', 'static_index.html'), 'utf8')).toMatch(/<script type="application\/json" id="dvt-docs-data">\{"manifest"/);
  });

  it.skipIf(!existsSync(SCHEMA))('catalog.json validates against dbt catalog v1', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    (addFormats as unknown as (a: Ajv2020) => void)(ajv);
    const validate = ajv.compile(readJson(SCHEMA));
    expect(validate(readJson(join(dir, 'target', 'catalog.json'))), JSON.stringify(validate.errors)).toBe(true);
  });

  it('reports an unreachable connection, skips it, and still writes the rest (without its secrets)', () => {
    const secret = 's3cr3t-docs-password';
    appendFileSync(
      join(dir, 'profiles.yml'),
      `    down:\n      type: postgres\n      host: 127.0.0.1\n      port: 1\n      user: postgres\n      password: "{{ env_var('DBT_ENV_SECRET_DOWN_PW') }}"\n      dbname: test\n      schema: nowhere\n`,
    );
    writeFileSync(join(dir, 'models', 'legacy_sources.yml'), 'version: 2\nsources:\n  - name: legacy\n    connection: down\n    tables:\n      - name: accounts\n');
    const r = dvt(['docs', 'generate'], { cwd: dir, env: { DBT_ENV_SECRET_DOWN_PW: secret } });
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/Could not read the catalog of 'down' \(PostgreSQL\): .*its 1 relation\(s\) are left out of catalog\.json/);
    const catalog = readJson(join(dir, 'target', 'catalog.json'));
    expect(catalog.errors).toHaveLength(1);
    expect(catalog.errors[0]).toMatch(/^Could not read the catalog of 'down' \(PostgreSQL\)/);
    expect(Object.keys(catalog.nodes)).toHaveLength(9);
    expect(catalog.sources).toEqual({});
    for (const file of ['catalog.json', 'manifest.json', 'dvt.json']) expect(readFileSync(join(dir, 'target', file), 'utf8')).not.toContain(secret);
    expect(r.output).not.toContain(secret);
  });

  it('needs generate or serve', () => {
    const r = dvt(['docs'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.output).toMatch(/'dvt docs' needs 'generate' or 'serve'/);
  });
});

describe('dvt docs serve', () => {
  it('says to generate first when there are no docs', () => {
    const dir = copyExample();
    const r = dvt(['docs', 'serve', '--no-browser'], { cwd: dir });
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/No docs in target: run 'dvt docs generate' first/);
  });

  it('serves the site and its data, and nothing else of target/', async () => {
    const dir = copyExample();
    expect(dvt(['docs', 'generate'], { cwd: dir }).code).toBe(0);
    const server = spawn(process.execPath, [BIN, 'docs', 'serve', '--port', '0', '--no-browser'], { cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
    try {
      const url = await new Promise<string>((resolveUrl, reject) => {
        let out = '';
        server.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const m = /Serving docs at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
          if (m) resolveUrl(m[1]);
        });
        server.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
      });
      const index = await fetch(url);
      expect(index.status).toBe(200);
      expect(index.headers.get('content-type')).toMatch(/text\/html/);
      expect(await index.text()).toMatch(/<script type="module">/);
      const catalog = await fetch(`${url}catalog.json`);
      expect(((await catalog.json()) as Json).metadata.dbt_schema_version).toMatch(/catalog\/v1/);
      expect((await fetch(`${url}dvt.json`)).status).toBe(200);
      expect((await fetch(`${url}jaffle_shop.duckdb`)).status).toBe(404);
      expect((await fetch(`${url}../profiles.yml`)).status).toBe(404);
    } finally {
      server.kill('SIGTERM');
    }
  });
});
