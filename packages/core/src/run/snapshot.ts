import { DvtError } from '../errors.js';
import type { Relation } from '../compile/relation.js';
import type { ColumnMeta } from '../adapter/contract.js';
import {
  applyPersistDocs,
  callSqlMacro,
  describeColumns,
  dropIfExists,
  findRelation,
  inTransaction,
  nodeRelation,
  runHooks,
  suffixed,
  type MaterializationResult,
  type NodeExecution,
} from './context.js';
import { applyGrants } from './grants.js';

type HardDeletes = 'ignore' | 'invalidate' | 'new_record';
const META_COLUMNS = ['dbt_scd_id', 'dbt_updated_at', 'dbt_valid_from', 'dbt_valid_to', 'dbt_is_deleted'] as const;
type MetaColumn = (typeof META_COLUMNS)[number];

/** What the snapshot macros receive (see macros/snapshots/snapshot.sql). */
export interface SnapshotSpec {
  relation: Relation;
  staging: Relation;
  source_sql: string;
  columns: string[];
  unique_key: string[];
  strategy: 'timestamp' | 'check';
  updated_at: string | null;
  check_cols: string[];
  hard_deletes: HardDeletes;
  valid_to_current: string | null;
  meta: Record<MetaColumn, string>;
}

/**
 * A snapshot (SCD type 2). First run: the table is the select plus the meta
 * columns. Later runs: the changes are staged in `<name>__dbt_tmp` (new
 * versions, closed versions, disappeared keys), then, in one transaction,
 * closed rows get their dbt_valid_to and new versions are inserted. Hooks,
 * grants and persist_docs come in dbt's order around that; where the engine
 * can roll DDL back, everything between the hooks outside the transaction is
 * one transaction, as in dbt.
 */
export async function materializeSnapshot(x: NodeExecution): Promise<MaterializationResult> {
  const relation = nodeRelation(x, 'table');
  const existing = await findRelation(x, relation.toRef());
  if (existing && existing.kind !== 'table') {
    throw new DvtError('runtime', `snapshot ${x.node.name}: ${relation.render()} exists as a ${existing.kind}, not a table; drop it or rename the snapshot`, {
      location: { file: x.node.original_file_path },
    });
  }
  const compiledCode = x.compile({ relationExists: existing !== undefined, fullRefresh: false });
  const { pre_hook: preHooks = [], post_hook: postHooks = [] } = x.node.config;
  const ddlRollsBack = x.adapter.dialect.capabilities.transactionalDdl;
  const staging = suffixed(x, relation, '__dbt_tmp', 'table');
  const work = async (): Promise<MaterializationResult> => {
    await runHooks(x, preHooks, true);
    // Read after the pre-hooks: one may create what the select reads.
    const probe = await x.sql.run(`select * from (\n${compiledCode}\n) as dbt_snapshot_probe where 1 = 0`);
    const spec = snapshotSpec(x, relation, staging, compiledCode, probe.columns.map((c) => c.name));
    const result = existing ? await mergeChanges(x, spec, probe.columns, ddlRollsBack) : await buildFirst(x, spec);
    // A kept table still has grants the config dropped.
    await applyGrants(x, relation, existing !== undefined);
    await applyPersistDocs(x, relation);
    await runHooks(x, postHooks, true);
    return { ...result, compiledCode, relation };
  };
  await runHooks(x, preHooks, false);
  let result: MaterializationResult;
  try {
    result = ddlRollsBack ? await inTransaction(x, work) : await work();
  } finally {
    if (existing) await dropIfExists(x, staging).catch(() => undefined);
  }
  await runHooks(x, postHooks, false);
  return result;
}

type SnapshotOutcome = Omit<MaterializationResult, 'compiledCode' | 'relation'>;

async function buildFirst(x: NodeExecution, spec: SnapshotSpec): Promise<SnapshotOutcome> {
  const result = await x.sql.run(callSqlMacro(x, 'create_table_as', false, spec.relation, callSqlMacro(x, 'snapshot_build_sql', spec).join('\n')));
  return { status: 'success', message: result.rowsAffected === undefined ? 'CREATE TABLE' : `SELECT ${result.rowsAffected}`, code: 'SELECT', rowsAffected: result.rowsAffected };
}

/**
 * Stages the changes and applies them. `inOuterTransaction`: the caller's
 * transaction covers this; otherwise (DDL commits on this engine) only the
 * statements that change rows get one of their own, after the DDL.
 */
async function mergeChanges(x: NodeExecution, spec: SnapshotSpec, sourceColumns: readonly ColumnMeta[], inOuterTransaction: boolean): Promise<SnapshotOutcome> {
  const { relation, staging } = spec;
  // Columns new in the select join the table (older versions hold NULL there), as dbt does.
  const present = new Set((await describeColumns(x, relation)).map((c) => c.name.toLowerCase()));
  const added = sourceColumns.filter((c) => !present.has(c.name.toLowerCase())).map((c) => ({ name: c.name, data_type: c.nativeType }));
  if (added.length > 0) await x.sql.run(callSqlMacro(x, 'alter_relation_add_remove_columns', relation, added, []));
  await dropIfExists(x, staging);
  await x.sql.run(callSqlMacro(x, 'create_table_as', false, staging, callSqlMacro(x, 'snapshot_staging_sql', spec).join('\n')));
  const apply = async () => {
    const [close, add, ...rest] = callSqlMacro(x, 'snapshot_merge_sql', spec);
    await x.sql.run(close);
    const inserted = (await x.sql.run(add)).rowsAffected;
    if (rest.length > 0) await x.sql.run(rest);
    return inserted;
  };
  const inserted = inOuterTransaction ? await apply() : await inTransaction(x, apply);
  return { status: 'success', message: inserted === undefined ? 'INSERT' : `INSERT 0 ${inserted}`, code: 'INSERT', rowsAffected: inserted };
}

function snapshotSpec(x: NodeExecution, relation: Relation, staging: Relation, sourceSql: string, sourceColumns: string[]): SnapshotSpec {
  const { config } = x.node;
  const file = x.node.original_file_path;
  const fail = (message: string): never => {
    throw new DvtError('config', `snapshot ${x.node.name}: ${message}`, { location: { file } });
  };
  const quote = (name: string) => x.adapter.dialect.quoteIdentifier(name);
  // Config names a column as written; the select's own spelling is what gets quoted.
  const column = (name: string): string | undefined => sourceColumns.find((c) => c === name) ?? sourceColumns.find((c) => c.toLowerCase() === name.toLowerCase());

  const strategy = config.strategy;
  if (strategy !== 'timestamp' && strategy !== 'check') fail(`strategy must be 'timestamp' or 'check', got ${JSON.stringify(strategy)}`);
  const keys = (Array.isArray(config.unique_key) ? config.unique_key : [config.unique_key]).filter((k): k is string => typeof k === 'string' && k.length > 0);
  if (keys.length === 0) fail('unique_key is required');
  const uniqueKey = keys.map((k) => {
    const found = column(k);
    return found === undefined ? fail(`unique_key '${k}' is not a column of its select (${sourceColumns.join(', ')})`) : quote(found);
  });

  let updatedAt: string | null = null;
  let checkCols: string[] = [];
  if (strategy === 'timestamp') {
    if (typeof config.updated_at !== 'string' || config.updated_at.length === 0) fail("the timestamp strategy needs updated_at");
    const found = column(config.updated_at as string);
    updatedAt = found === undefined ? (config.updated_at as string) : quote(found);
  } else {
    const wanted = config.check_cols;
    if (wanted === 'all') {
      const keySet = new Set(keys.map((k) => k.toLowerCase()));
      checkCols = sourceColumns.filter((c) => !keySet.has(c.toLowerCase())).map(quote);
    } else if (Array.isArray(wanted) && wanted.length > 0) {
      checkCols = wanted.map((c) => {
        const found = column(String(c));
        return found === undefined ? fail(`check_cols '${String(c)}' is not a column of its select`) : quote(found);
      });
    } else {
      fail("the check strategy needs check_cols: a list of columns, or 'all'");
    }
  }

  const hardDeletes = (config.hard_deletes ?? (config.invalidate_hard_deletes === true ? 'invalidate' : 'ignore')) as string;
  if (!['ignore', 'invalidate', 'new_record'].includes(hardDeletes)) fail(`hard_deletes must be ignore, invalidate or new_record, got '${hardDeletes}'`);

  const names = (config.snapshot_meta_column_names ?? {}) as Record<string, unknown>;
  const meta = Object.fromEntries(
    META_COLUMNS.map((m) => [m, quote(typeof names[m] === 'string' && (names[m] as string).length > 0 ? (names[m] as string) : m)]),
  ) as Record<MetaColumn, string>;

  const validToCurrent = config.dbt_valid_to_current;
  return {
    relation,
    staging,
    source_sql: sourceSql,
    columns: sourceColumns.map(quote),
    unique_key: uniqueKey,
    strategy: strategy as 'timestamp' | 'check',
    updated_at: updatedAt,
    check_cols: checkCols,
    hard_deletes: hardDeletes as HardDeletes,
    valid_to_current: typeof validToCurrent === 'string' && validToCurrent.length > 0 ? validToCurrent : null,
    meta,
  };
}
