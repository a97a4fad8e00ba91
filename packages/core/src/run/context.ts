import type { AdapterDefinition, ColumnMeta, RelationInfo, RelationRef } from '../adapter/contract.js';
import type { CompleteConnection } from '../adapter/defaults/index.js';
import { Relation, type RelationType } from '../compile/relation.js';
import type { ExecutableNode, HookConfig } from '../project/types.js';
import { asStatements, type StatementLog } from './statements.js';
import type { Compiler, NodeRuntime } from '../compile/index.js';

/** Everything a materialization needs for one node. */
export interface NodeExecution {
  node: ExecutableNode;
  compiler: Compiler;
  connection: CompleteConnection;
  adapter: AdapterDefinition;
  fullRefresh: boolean;
  signal: AbortSignal;
  sql: StatementLog;
  /** Compiles the node (timed as the `compile` phase); the result is also what run_results records. */
  compile(runtime: NodeRuntime): string;
  /** What the node was last compiled with (set by `compile`); its hooks render with the same `is_incremental()`. */
  runtime?: NodeRuntime;
  log(level: 'debug' | 'info' | 'warn', message: string): void;
}

/** What a materialization reports back; the runner adds timing and thread. */
export interface MaterializationResult {
  status: 'success' | 'partial success' | 'pass' | 'warn' | 'fail';
  message: string;
  compiledCode: string | null;
  relation: Relation | null;
  rowsAffected?: number;
  code?: string;
  failures?: number | null;
  /** Microbatch windows, as run_results records them. */
  batchResults?: { successful: [string, string][]; failed: [string, string][] };
  /** More fields for run_results' `adapter_response` (a federated model's `rows_moved`). */
  adapterResponse?: Record<string, unknown>;
}

export function callSqlMacro(x: NodeExecution, name: string, ...args: unknown[]): string[] {
  const value = x.compiler.callMacro(name, args, {}, { node: x.node, adapterType: x.adapter.type });
  return asStatements(value, name);
}

export function makeRelation(x: Pick<NodeExecution, 'adapter'>, ref: RelationRef, type: RelationType = null): Relation {
  return new Relation(x.adapter.dialect, x.adapter.type, {
    database: ref.database ?? null,
    schema: ref.schema,
    identifier: ref.identifier,
    type,
  });
}

/** The relation a node builds (database, schema, alias and quoting as the compiler resolved them). */
export function nodeRelation(x: NodeExecution, type: RelationType = null): Relation {
  return x.compiler.relationOf(x.node).incorporate({ type });
}

/** Whether a macro exists under `name`, directly or as a dispatched `<type>__name` / `default__name`. */
export function macroExists(x: NodeExecution, name: string): boolean {
  const registry = x.compiler.registry;
  if (registry.resolve(name, x.node.package_name)) return true;
  const chain = [x.adapter.type, ...(x.adapter.parentTypes ?? []), 'default'];
  return chain.some((prefix) => registry.resolve(`${prefix}__${name}`, x.node.package_name) !== undefined);
}

/** A sibling of `relation` with a suffixed name (`__dbt_tmp`, `__dbt_backup`), kept within the engine's identifier limit. */
export function suffixed(x: Pick<NodeExecution, 'adapter'>, relation: Relation, suffix: string, type: RelationType): Relation {
  const max = x.adapter.dialect.capabilities.maxIdentifierLength;
  const base = relation.identifier ?? '';
  const identifier = base.length + suffix.length > max ? base.slice(0, Math.max(1, max - suffix.length)) + suffix : base + suffix;
  return relation.incorporate({ path: { identifier }, type });
}

/**
 * The relation as it exists in the database, if it does. Names compare
 * exactly first, then without case (engines fold unquoted names).
 */
export async function findRelation(x: Pick<NodeExecution, 'connection'>, ref: RelationRef): Promise<RelationInfo | undefined> {
  return (await findRelations(x, [ref]))[0];
}

/** Several relations of one schema with one catalog listing. */
export async function findRelations(x: Pick<NodeExecution, 'connection'>, refs: readonly RelationRef[]): Promise<(RelationInfo | undefined)[]> {
  const listings = new Map<string, Promise<RelationInfo[]>>();
  return Promise.all(
    refs.map(async (ref) => {
      const key = `${ref.database ?? ''}\u0000${ref.schema}`;
      let listing = listings.get(key);
      if (!listing) {
        listing = x.connection.catalog.listRelations(ref.schema, ref.database);
        listings.set(key, listing);
      }
      const all = await listing;
      return all.find((r) => r.identifier === ref.identifier) ?? all.find((r) => r.identifier.toLowerCase() === ref.identifier.toLowerCase());
    }),
  );
}

export function relationTypeOf(info: RelationInfo | undefined): RelationType {
  if (!info) return null;
  return info.kind === 'view' ? 'view' : info.kind === 'materialized_view' ? 'materialized_view' : 'table';
}

export async function describeColumns(x: Pick<NodeExecution, 'connection'>, relation: Relation): Promise<ColumnMeta[]> {
  return (await x.connection.catalog.describe(relation.toRef())) ?? [];
}

/** Drops `relation` if it exists, whatever its kind. */
export async function dropIfExists(x: NodeExecution, relation: Relation): Promise<void> {
  const info = await findRelation(x, relation.toRef());
  if (!info) return;
  await x.sql.run(callSqlMacro(x, 'drop_relation', relation.incorporate({ type: relationTypeOf(info) })));
}

/** Runs `body` inside a transaction where the engine has them; rolls back on failure. */
export async function inTransaction<T>(x: NodeExecution, body: () => Promise<T>): Promise<T> {
  if (!x.adapter.dialect.capabilities.transactions) return body();
  await x.connection.query('begin');
  try {
    const out = await body();
    await x.connection.query('commit');
    return out;
  } catch (e) {
    try {
      await x.connection.query('rollback');
    } catch {
      // The original error says what went wrong; a failed rollback adds nothing.
    }
    throw e;
  }
}

/**
 * The runtime a node's hooks render with: the relation as the node's SQL saw
 * it before the build, and the node's connection for their template calls. A
 * federated rendering is left out: hooks run on the node's own engine,
 * against its own relation.
 */
function hookRuntime(x: NodeExecution): NodeRuntime {
  const nodeConnection = { outputName: x.compiler.outputOf(x.node).name, connection: x.connection };
  if (!x.runtime) return { relationExists: false, fullRefresh: x.fullRefresh, nodeConnection };
  const { relationExists, relationType, fullRefresh } = x.runtime;
  return { relationExists, relationType, fullRefresh, nodeConnection };
}

/** Renders and runs the node's hooks of one kind (`transaction: true` ones run inside the build transaction). */
export async function runHooks(x: NodeExecution, hooks: readonly HookConfig[], inTransactionPhase: boolean): Promise<void> {
  for (const hook of hooks) {
    if (hook.transaction !== inTransactionPhase) continue;
    const sql = x.compiler.renderHook(hook.sql, x.node, hookRuntime(x)).trim();
    if (sql.length > 0) await x.sql.run(sql);
  }
}

/** `persist_docs`: the node's description and its columns' descriptions as database comments. */
export async function applyPersistDocs(x: NodeExecution, relation: Relation): Promise<void> {
  const persist = x.node.config.persist_docs ?? {};
  if (persist.relation && x.node.description) {
    await x.sql.run(callSqlMacro(x, 'alter_relation_comment', relation, x.node.description));
  }
  if (persist.columns) {
    // Only columns the relation has: a documented column may have been renamed away.
    const actual = new Map((await describeColumns(x, relation)).map((c) => [c.name.toLowerCase(), c.name]));
    const described: Record<string, { name: string; description: string }> = {};
    for (const column of Object.values(x.node.columns ?? {})) {
      const name = actual.get(column.name.toLowerCase());
      if (name && column.description) described[name] = { name, description: column.description };
    }
    if (Object.keys(described).length > 0) await x.sql.run(callSqlMacro(x, 'alter_column_comment', relation, described));
  }
}
