import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AdapterContext, AdapterDefinition, ColumnSpec } from '../adapter/contract.js';
import { withDefaults, type CompleteConnection } from '../adapter/defaults/index.js';
import { Relation } from '../compile/relation.js';
import { ConnectionPool, type ConnectionLease } from '../run/pool.js';
import { createTableSql } from './mover.js';
import { decimalsAsText, sizeDecimals, sizesDecimals } from './decimal-size.js';
import { isFresh } from './freshness.js';

const CACHE_OUTPUT = 'dvt-cache';
const META_TABLE = '__dvt_cache_meta';
const LOADING_SUFFIX = '__dvt_loading';

/** A table of the cache as DuckDB names it (`main.<table>`). */
export function cacheRelation(duckdb: AdapterDefinition, table: string): Relation {
  return new Relation(duckdb.dialect, duckdb.type, { database: null, schema: 'main', identifier: table, type: 'table' });
}

/** Where a project's cache lives. */
export function cachePath(projectDir: string): string {
  return join(projectDir, '.dvt', 'cache.duckdb');
}

export interface CacheFill {
  columns: ColumnSpec[];
  /**
   * Writes the rows into `table` through `connection`, as `columns` (the
   * table's: `columns` above, but unconstrained decimals as text, sized once
   * loaded); returns the row count.
   */
  load(connection: CompleteConnection, table: Relation, columns: ColumnSpec[]): Promise<number>;
}

export interface CacheEntry {
  relation: Relation;
  /** True when a fresh earlier copy was kept instead of extracting again. */
  reused: boolean;
  rows?: number;
}

/**
 * The DuckDB file `.dvt/cache.duckdb`: copies of remote inputs
 * (`{source}__{table}`, `__model__{name}`) and the scratch tables federated
 * models run on. A copy is written under a loading name and renamed over
 * the old one in one transaction, so a killed run leaves at worst a
 * `__dvt_loading` table that nothing reads, never a half-written copy.
 */
export class FederationCache {
  readonly adapter: AdapterDefinition;
  private readonly pool: ConnectionPool;
  private metaReady: Promise<void> | undefined;

  constructor(projectDir: string, duckdb: AdapterDefinition, threads: number, ctx: AdapterContext) {
    this.adapter = duckdb;
    const path = cachePath(projectDir);
    mkdirSync(join(projectDir, '.dvt'), { recursive: true });
    const output = { name: CACHE_OUTPUT, type: duckdb.type, threads, config: { path, schema: 'main' } };
    this.pool = new ConnectionPool({ [CACHE_OUTPUT]: output }, async () => duckdb, ctx, threads, (c, a) => withDefaults(c, a.dialect));
  }

  relation(table: string): Relation {
    return cacheRelation(this.adapter, table);
  }

  async acquire(): Promise<ConnectionLease & { connection: CompleteConnection }> {
    const lease = await this.pool.acquire(CACHE_OUTPUT);
    return lease as ConnectionLease & { connection: CompleteConnection };
  }

  async withConnection<T>(body: (connection: CompleteConnection) => Promise<T>): Promise<T> {
    const lease = await this.acquire();
    try {
      return await body(lease.connection);
    } finally {
      lease.release();
    }
  }

  /**
   * The copy named `table`: kept when a max age is given and the last load is
   * younger, otherwise loaded again through `fill`.
   */
  async load(table: string, fill: CacheFill, maxAgeSeconds?: number): Promise<CacheEntry> {
    const relation = this.relation(table);
    await this.ensureMeta();
    if (maxAgeSeconds !== undefined) {
      const kept = await this.keptCopy(table, fill.columns);
      if (kept && isFresh(kept.loadedAt, maxAgeSeconds, new Date())) return { relation, reused: true };
    }
    const loading = this.relation(table + LOADING_SUFFIX);
    const rows = await this.withConnection(async (c) => {
      await c.query(`drop table if exists ${loading.render()}`);
      const columns = sizesDecimals(this.adapter, fill.columns) ? decimalsAsText(fill.columns) : fill.columns;
      await c.query(createTableSql(this.adapter, loading.toRef(), columns));
      const loaded = await fill.load(c, loading, columns);
      if (columns !== fill.columns) await sizeDecimals(c, this.adapter, loading, fill.columns, `cache table ${table}`);
      return loaded;
    });
    await this.withConnection(async (c) => {
      await c.query('begin');
      try {
        await c.query(`drop table if exists ${relation.render()}`);
        await c.query(`alter table ${loading.render()} rename to ${this.adapter.dialect.quoteIdentifier(table)}`);
        await c.query(`insert or replace into main.${META_TABLE} values (${this.adapter.dialect.quoteLiteral(table)}, now())`);
        await c.query('commit');
      } catch (e) {
        await c.query('rollback').catch(() => undefined);
        throw e;
      }
    });
    return { relation, reused: false, rows };
  }

  /** Drops a scratch table (and its bookkeeping). */
  async drop(table: string): Promise<void> {
    await this.ensureMeta();
    await this.withConnection(async (c) => {
      await c.query(`drop table if exists ${this.relation(table).render()}`);
      await c.query(`delete from main.${META_TABLE} where table_name = ${this.adapter.dialect.quoteLiteral(table)}`);
    });
  }

  async close(): Promise<unknown[]> {
    return this.pool.closeAll();
  }

  /** When the copy was loaded, if it exists and has every column asked for (an earlier run may have kept fewer). */
  private async keptCopy(table: string, columns: readonly ColumnSpec[]): Promise<{ loadedAt: Date } | undefined> {
    return this.withConnection(async (c) => {
      const existing = await c.catalog.describe(this.relation(table).toRef());
      if (!existing) return undefined;
      const present = new Set(existing.map((col) => col.name.toLowerCase()));
      if (!columns.every((col) => present.has(col.name.toLowerCase()))) return undefined;
      const result = await c.query(`select cast(epoch_ms(loaded_at) as bigint) from main.${META_TABLE} where table_name = ${this.adapter.dialect.quoteLiteral(table)}`);
      const value = result.rows[0]?.[0];
      return value === undefined || value === null ? undefined : { loadedAt: new Date(Number(value)) };
    });
  }

  private ensureMeta(): Promise<void> {
    this.metaReady ??= this.withConnection(async (c) => {
      await c.query(`create table if not exists main.${META_TABLE} (table_name varchar primary key, loaded_at timestamptz not null)`);
    });
    return this.metaReady;
  }
}
