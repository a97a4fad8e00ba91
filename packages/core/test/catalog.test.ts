import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { buildCatalog } from '../src/index.js';
import type { CatalogInput } from '../src/index.js';

const SCHEMA = resolve(import.meta.dirname, '../../../../shared/fixtures/dbt-artifact-schemas/catalog-v1.json');

const input: CatalogInput = {
  nodes: [
    {
      unique_id: 'model.shop.orders',
      database: 'shop',
      schema: 'main',
      name: 'orders',
      relation: { kind: 'view', comment: 'all orders', stats: { rowCount: 42, bytes: 2048 } },
      columns: [
        { name: 'order_id', nativeType: 'INTEGER', type: { kind: 'integer' }, comment: 'the key' },
        { name: 'amount', nativeType: 'DECIMAL(12,2)', type: { kind: 'decimal', precision: 12, scale: 2 } },
      ],
    },
  ],
  sources: [{ unique_id: 'source.shop.raw.orders', database: null, schema: 'raw', name: 'orders', columns: [] }],
  errors: [],
};

describe('catalog.json', () => {
  const catalog = buildCatalog(input, { invocationId: 'i-1', generatedAt: new Date('2026-01-02T03:04:05.678Z') }) as {
    metadata: Record<string, unknown>;
    nodes: Record<string, { metadata: Record<string, unknown>; columns: Record<string, Record<string, unknown>>; stats: Record<string, { value: unknown }> }>;
    sources: Record<string, { metadata: Record<string, unknown>; stats: Record<string, { value: unknown }> }>;
    errors: unknown;
  };

  it('records native types, ordinal positions, comments and stats', () => {
    const orders = catalog.nodes['model.shop.orders'];
    expect(orders.metadata).toEqual({ type: 'VIEW', schema: 'main', name: 'orders', database: 'shop', comment: 'all orders', owner: null });
    expect(orders.columns.order_id).toEqual({ type: 'INTEGER', index: 1, name: 'order_id', comment: 'the key' });
    expect(orders.columns.amount).toMatchObject({ type: 'DECIMAL(12,2)', index: 2, comment: null });
    expect(orders.stats.row_count.value).toBe(42);
    expect(orders.stats.bytes.value).toBe(2048);
    expect(orders.stats.has_stats.value).toBe(true);
    expect(catalog.sources['source.shop.raw.orders'].stats.has_stats.value).toBe(false);
    expect(catalog.sources['source.shop.raw.orders'].metadata.type).toBe('BASE TABLE');
    expect(catalog.errors).toBeNull();
    expect(catalog.metadata.dbt_schema_version).toBe('https://schemas.getdbt.com/dbt/catalog/v1.json');
  });

  it('lists unreachable connections in errors', () => {
    const withErrors = buildCatalog({ ...input, errors: ["Could not read 'pg': refused"] }, { invocationId: 'i-2' }) as { errors: unknown };
    expect(withErrors.errors).toEqual(["Could not read 'pg': refused"]);
  });

  it.skipIf(!existsSync(SCHEMA))('validates against dbt catalog v1', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    (addFormats as unknown as (a: Ajv2020) => void)(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA, 'utf8')));
    expect(validate(catalog), JSON.stringify(validate.errors)).toBe(true);
  });
});
