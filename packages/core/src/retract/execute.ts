import { existsSync } from 'node:fs';
import type { AdapterContext, AdapterDefinition } from '../adapter/contract.js';
import { withDefaults, type CompleteConnection } from '../adapter/defaults/index.js';
import type { Compiler } from '../compile/compiler.js';
import type { Relation } from '../compile/relation.js';
import { isDvtError } from '../errors.js';
import { FederationCache, cachePath } from '../federate/cache.js';
import { planFederation } from '../plan/planner.js';
import type { Project } from '../project/types.js';
import { findRelation, relationTypeOf } from '../run/context.js';
import { ConnectionPool } from '../run/pool.js';
import { asStatements } from '../run/statements.js';
import { planRetraction, type PlacedRelation, type RetractStep } from './plan.js';

export interface RetractOptions {
  project: Project;
  compiler: Compiler;
  /** unique_ids chosen by selection; what dvt does not create is left out. */
  selection: readonly string[];
  /** Report what would be dropped; drop nothing. */
  dryRun: boolean;
  resolveAdapter(type: string): Promise<AdapterDefinition>;
  /** Each node's result as soon as it is known, in the order of the retraction. */
  onResult?(result: RetractResult, index: number, total: number): void;
}

export type RetractStatus = 'dropped' | 'would_drop' | 'not_found' | 'error';

export interface RetractResult {
  unique_id: string;
  resource_type: string;
  /** The profile output the node lives on. */
  output: string;
  /** The node's relation as its engine names it. */
  relation: string;
  /** `table`, `view`, ... as found in the catalog (absent when not found). */
  kind?: string;
  status: RetractStatus;
  /** Leftovers, staged copies and cache tables dropped (or that would be). */
  alsoDropped: string[];
  message?: string;
  seconds: number;
}

/**
 * `dvt retract`: drops the selected nodes' relations from their own targets,
 * children first, with what runs left beside them, and their cache tables.
 * A missing relation is reported, not an error; a failure on one node does
 * not stop the others.
 */
export async function retract(opts: RetractOptions): Promise<RetractResult[]> {
  const { project, compiler } = opts;
  const plan = planFederation(project, { adapterOf: (type) => adapterOrUndefined(compiler, type) });
  const steps = planRetraction(project, compiler, opts.selection, plan, (type) => compiler.adapter(type));
  const ctx: AdapterContext = { projectDir: project.config.rootDir, logger: { debug() {}, info() {}, warn() {} } };
  const pool = new ConnectionPool(project.profile.outputs, opts.resolveAdapter, ctx, 1, (c, a) => withDefaults(c, a.dialect));
  const cache = await openCache(opts, ctx);
  const results: RetractResult[] = [];
  try {
    for (const [index, step] of steps.entries()) {
      const result = await retractStep(opts, pool, cache, step);
      results.push(result);
      opts.onResult?.(result, index + 1, steps.length);
    }
  } finally {
    await pool.closeAll();
    await cache?.cache.close();
  }
  return results;
}

interface OpenCache {
  cache: FederationCache;
  tables: string[];
}

/** The cache, if this project has one; retract never creates it. */
async function openCache({ project, compiler }: RetractOptions, ctx: AdapterContext): Promise<OpenCache | undefined> {
  const duckdb = adapterOrUndefined(compiler, 'duckdb');
  if (!duckdb || !existsSync(cachePath(project.config.rootDir))) return undefined;
  const cache = new FederationCache(project.config.rootDir, duckdb, 1, ctx);
  const tables = await cache.withConnection(async (c) => (await c.catalog.listRelations('main')).map((r) => r.identifier));
  return { cache, tables };
}

async function retractStep(opts: RetractOptions, pool: ConnectionPool, cache: OpenCache | undefined, step: RetractStep): Promise<RetractResult> {
  const started = performance.now();
  const { node } = step;
  const base = { unique_id: node.unique_id, resource_type: node.resource_type, output: step.main.output, relation: step.main.relation.render() };
  const alsoDropped: string[] = [];
  try {
    const found = await dropIfPresent(opts, pool, step.main);
    for (const extra of step.extras) {
      if (await dropIfPresent(opts, pool, extra)) alsoDropped.push(`${extra.relation.render()} on '${extra.output}'`);
    }
    for (const table of cache ? step.cacheTables(cache.tables) : []) {
      if (!opts.dryRun) await cache!.cache.drop(table);
      alsoDropped.push(`cache table ${table}`);
    }
    const status: RetractStatus = !found ? 'not_found' : opts.dryRun ? 'would_drop' : 'dropped';
    return { ...base, ...(found ? { kind: found } : {}), status, alsoDropped, seconds: elapsed(started) };
  } catch (e) {
    const message = isDvtError(e) ? e.message : (e as Error).message;
    return { ...base, status: 'error', alsoDropped, message, seconds: elapsed(started) };
  }
}

/** Drops the relation when it exists (unless a dry run); its kind as found, or undefined when absent. */
async function dropIfPresent(opts: RetractOptions, pool: ConnectionPool, placed: PlacedRelation): Promise<string | undefined> {
  const lease = await pool.acquire(placed.output);
  try {
    const connection = lease.connection as CompleteConnection;
    const info = await findRelation({ connection }, placed.relation.toRef());
    if (!info) return undefined;
    if (!opts.dryRun) {
      const relation: Relation = placed.relation.incorporate({ type: relationTypeOf(info) });
      const sql = opts.compiler.callMacro('drop_relation', [relation], {}, { adapterType: lease.adapter.type });
      for (const statement of asStatements(sql, 'drop_relation')) await connection.query(statement);
    }
    return info.kind;
  } finally {
    lease.release();
  }
}

function elapsed(started: number): number {
  return (performance.now() - started) / 1000;
}

function adapterOrUndefined(compiler: Compiler, type: string): AdapterDefinition | undefined {
  try {
    return compiler.adapter(type);
  } catch {
    return undefined;
  }
}
