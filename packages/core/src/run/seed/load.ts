import { stat } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { CanonicalType, ColumnMeta, ColumnSpec, CsvSpec, Dialect, LoadSource } from '../../adapter/contract.js';
import { CsvWriter, readCsvBatches } from '../../adapter/csv.js';
import type { Relation } from '../../compile/relation.js';
import type { ExecutableNode } from '../../project/types.js';
import {
  applyPersistDocs,
  callSqlMacro,
  describeColumns,
  findRelation,
  inTransaction,
  nodeRelation,
  runHooks,
  type MaterializationResult,
  type NodeExecution,
} from '../context.js';
import { buildAndSwap } from '../materialize/swap.js';
import { applyGrants } from '../grants.js';
import { shouldFullRefresh } from '../materialize/model.js';
import { normaliseSeedValue, type InferredColumn, type SeedKind } from './infer.js';
import { scanSeed, seedHeader } from './scan.js';

/**
 * Seeds up to FULL_SCAN_BYTES are scanned completely before loading, so their
 * types are exactly dbt's. Bigger files are typed from their first
 * SAMPLE_ROWS rows and the load starts at once:
 * - on engines whose load refuses values that do not fit (`strictLoad`,
 *   e.g. PostgreSQL's COPY), a refused load triggers a whole-file scan and a
 *   reload with its types; nothing else is read twice, so the load runs at
 *   the engine's own speed;
 * - elsewhere (DuckDB reads `2.5` into an INTEGER column by rounding) the
 *   whole file is scanned beside the load, and the load commits only if the
 *   scan agrees with the sample; otherwise it is rolled back and redone.
 * Nothing is swapped in before a load is accepted.
 *
 * Re-seeding a table on a strict engine whose DDL is transactional does not
 * wait for the scan: the load starts with the types the table has, and the
 * scan, made meanwhile, must come to the same plan before the load commits
 * (else the load is cancelled, rolled back, and the seed loaded as above).
 */
export const FULL_SCAN_BYTES = 2 * 1024 * 1024;
export const SAMPLE_ROWS = 10_000;
/**
 * Bytes a sample scanned beside a running load reads (and parses without a
 * break) at a time: about a millisecond of parsing on a cold JIT, less than
 * the socket's buffered data lasts the server, so the load never waits for
 * this process to hand it more. Alone, a sample is read 1 MiB at a time.
 */
const SAMPLE_BESIDE_LOAD_BYTES = 16 * 1024;

const KIND_TYPES: Record<SeedKind, CanonicalType> = {
  integer: { kind: 'integer' },
  bigint: { kind: 'bigint' },
  float: { kind: 'double' },
  date: { kind: 'date' },
  timestamp: { kind: 'timestamp' },
  boolean: { kind: 'boolean' },
  text: { kind: 'text' },
};

export interface SeedColumn {
  /** As written in the header. */
  name: string;
  /** As written in DDL (quoted when quote_columns is on). */
  sqlName: string;
  kind: SeedKind;
  type: CanonicalType;
  dataType: string;
}

export interface SeedPlan {
  file: string;
  displayPath: string;
  delimiter: string;
  columns: SeedColumn[];
  needsNormalising: boolean;
  complete: boolean;
}

/** Column names, kinds and DDL types for a seed's inferred kinds, with `column_types` overrides applied. */
export function seedColumns(inferred: readonly InferredColumn[], node: ExecutableNode, dialect: Dialect): SeedColumn[] {
  const overrides = columnTypeOverrides(node);
  const quote = node.config.quote_columns === true;
  return inferred.map(({ name, kind }) => {
    const override = overrides.get(name.toLowerCase());
    const type = override !== undefined ? dialect.toCanonicalType(override) : KIND_TYPES[kind];
    return {
      name,
      sqlName: quote ? dialect.quoteIdentifier(name) : name,
      // An override keeps its spelling: the rows are read as that type.
      kind: override !== undefined ? kindForOverride(type) : kind,
      type,
      dataType: override ?? dialect.fromCanonicalType(type),
    };
  });
}

function columnTypeOverrides(node: ExecutableNode): Map<string, string> {
  return new Map(Object.entries(node.config.column_types ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
}

function kindForOverride(type: CanonicalType): SeedKind {
  switch (type.kind) {
    case 'smallint':
    case 'integer':
      return 'integer';
    case 'bigint':
      return 'bigint';
    case 'decimal':
    case 'real':
    case 'double':
      return 'float';
    case 'boolean':
      return 'boolean';
    case 'date':
      return 'date';
    case 'timestamp':
    case 'timestamptz':
      return 'timestamp';
    default:
      return 'text';
  }
}

function seedFile(node: ExecutableNode): { file: string; delimiter: string } {
  const file = path.join(node.root_path, node.original_file_path);
  const delimiter = typeof node.config.delimiter === 'string' && node.config.delimiter.length > 0 ? node.config.delimiter : ',';
  return { file, delimiter };
}

export async function planSeed(node: ExecutableNode, dialect: Dialect, forceFullScan = false, sampleChunkBytes?: number): Promise<SeedPlan> {
  const { file, delimiter } = seedFile(node);
  const size = (await stat(file)).size;
  const full = forceFullScan || size <= FULL_SCAN_BYTES;
  const scan = full
    ? await scanSeed(file, node.original_file_path, delimiter)
    : await scanSeed(file, node.original_file_path, delimiter, SAMPLE_ROWS, sampleChunkBytes);
  return {
    file,
    displayPath: node.original_file_path,
    delimiter,
    columns: seedColumns(scan.inference.result(), node, dialect),
    needsNormalising: scan.inference.needsNormalising,
    complete: scan.complete,
  };
}

/** The seed kind a table column's type reads back as, for the kinds seeds create. */
const SEED_KIND_OF: Partial<Record<CanonicalType['kind'], SeedKind>> = Object.fromEntries(
  Object.entries(KIND_TYPES).map(([kind, type]) => [type.kind, kind as SeedKind]),
);

/**
 * The plan under which a re-seed keeps the table (`kept`: its columns) as it
 * is: the header's columns with the table's types, no value needing a
 * rewrite. Undefined when the table's columns are not the header's, or one
 * has a type no seed infers.
 */
async function planOfTable(x: NodeExecution, kept: ColumnMeta[]): Promise<SeedPlan | undefined> {
  const { file, delimiter } = seedFile(x.node);
  const header = await seedHeader(file, x.node.original_file_path, delimiter);
  if (header.length !== kept.length || header.some((name, i) => name.toLowerCase() !== kept[i]!.name.toLowerCase())) return undefined;
  const overrides = columnTypeOverrides(x.node);
  const inferred: InferredColumn[] = [];
  for (const [i, name] of header.entries()) {
    // An overridden column's type is the override's whatever the rows hold.
    const kind = overrides.has(name.toLowerCase()) ? 'text' : SEED_KIND_OF[kept[i]!.type.kind];
    if (kind === undefined) return undefined;
    inferred.push({ name, kind });
  }
  return { file, displayPath: x.node.original_file_path, delimiter, columns: seedColumns(inferred, x.node, x.adapter.dialect), needsNormalising: false, complete: false };
}

/**
 * The rows as the engine should read them: the file itself when no value
 * needs rewriting (the fast path: the adapter's bulk load reads the file
 * directly), else a stream that rewrites NULL markers, grouped numbers and
 * boolean case on the way.
 */
function loadSource(plan: SeedPlan, tableColumns: readonly string[]): LoadSource {
  const columns: ColumnSpec[] = plan.columns.map((c, i) => ({ name: tableColumns[i] ?? c.name, type: c.type, nativeType: c.dataType }));
  const csv: CsvSpec = { delimiter: plan.delimiter, header: true, nullString: '', forceQuoteText: false };
  if (!plan.needsNormalising) return { columns, csv, path: plan.file };
  const out: CsvSpec = { delimiter: ',', header: true, nullString: '', forceQuoteText: false };
  const writer = new CsvWriter(out);
  const kinds = plan.columns.map((c) => c.kind);
  async function* rewrite(): AsyncGenerator<string> {
    let first = true;
    for await (const batch of readCsvBatches(createReadStream(plan.file), { delimiter: plan.delimiter, nullString: '' })) {
      let text = '';
      for (const record of batch) {
        if (first) {
          first = false;
          text += writer.header(columns.map((c) => c.name));
          continue;
        }
        if (record.length === 1 && record[0] === null) continue;
        text += writer.row(record.map((v, i) => normaliseSeedValue(v, kinds[i] ?? 'text')));
      }
      if (text.length > 0) yield text;
    }
  }
  return { columns, csv: out, open: () => Readable.from(rewrite()) };
}

/** What a load attempt does around the bulk load: `onLoading` once it has begun, `beforeCommit` once it is done. */
interface LoadHooks {
  onLoading?: () => void;
  beforeCommit?: () => Promise<void>;
}

/** `tableColumns`: the table's column names when the caller has already read them. */
async function loadInto(x: NodeExecution, plan: SeedPlan, relation: Relation, tableColumns: readonly string[] | undefined, hooks: LoadHooks): Promise<number> {
  tableColumns ??= (await describeColumns(x, relation)).map((c) => c.name);
  const loading = x.connection.bulkLoad(relation.toRef(), loadSource(plan, tableColumns), { signal: x.signal });
  hooks.onLoading?.();
  const stats = await loading;
  x.sql.note(`-- loaded ${stats.rows} rows from ${plan.displayPath} into ${relation.render()}`);
  return stats.rows;
}

function sameColumns(existing: readonly string[], plan: SeedPlan): boolean {
  return existing.length === plan.columns.length && existing.every((name, i) => name.toLowerCase() === plan.columns[i]!.name.toLowerCase());
}

/**
 * The columns of the seed's table when a re-seed may keep it: it exists as a
 * table and no full refresh is asked for. One catalog read serves the column
 * check, the type check and the load.
 */
async function keptTableColumns(x: NodeExecution): Promise<ColumnMeta[] | undefined> {
  const target = nodeRelation(x, 'table');
  const existing = await findRelation(x, target.toRef());
  const fullRefresh = shouldFullRefresh(x.node.config.full_refresh, x.fullRefresh);
  return existing?.kind === 'table' && !fullRefresh ? describeColumns(x, target) : undefined;
}

/**
 * Whether a re-seed replaces the table with a filled copy instead of
 * emptying it: where DDL commits (MySQL's TRUNCATE does), emptying it first
 * would lose the old rows if the load then failed. Not where the table has
 * what a copy would not carry over (triggers, foreign keys to it).
 */
async function reseedsByCopy(x: NodeExecution, target: Relation): Promise<boolean> {
  if (x.adapter.dialect.capabilities.transactionalDdl) return false;
  const blockers = callSqlMacro(x, 'table_replacement_blockers_sql', target).filter((sql) => sql.trim() !== '');
  return blockers.length === 0 || (await x.sql.run(blockers)).rows.length === 0;
}

/**
 * Loads a seed. Re-seeding a table with the same columns empties and refills
 * it in one transaction (views on it keep working), or where DDL commits
 * fills an empty copy of it (`create_table_like`) and swaps that in; anything
 * else — first load, --full-refresh, changed columns — builds a new table
 * from the inferred types and swaps it in.
 */
async function loadSeed(x: NodeExecution, plan: SeedPlan, existingColumns: ColumnMeta[] | undefined, hooks: LoadHooks = {}): Promise<number> {
  const target = nodeRelation(x, 'table');
  const beforeCommit = hooks.beforeCommit ?? (async () => undefined);
  let rows = 0;
  if (existingColumns && sameColumns(existingColumns.map((c) => c.name), plan)) {
    if (existingColumns.every((c, i) => c.type.kind === plan.columns[i]!.type.kind)) {
      if (await reseedsByCopy(x, target)) {
        await buildAndSwap(x, target, async (copy) => {
          await x.sql.run(callSqlMacro(x, 'create_table_like', copy, target));
          rows = await loadInto(x, plan, copy, existingColumns.map((c) => c.name), hooks);
          await beforeCommit();
        });
        return rows;
      }
      await runHooks(x, x.node.config.pre_hook ?? [], false);
      await inTransaction(x, async () => {
        await runHooks(x, x.node.config.pre_hook ?? [], true);
        await x.sql.run(callSqlMacro(x, 'truncate_relation', target));
        rows = await loadInto(x, plan, target, existingColumns.map((c) => c.name), hooks);
        await beforeCommit();
        // The table is kept: grants the config dropped are still on it.
        await applyGrants(x, target, true);
        await applyPersistDocs(x, target);
        await runHooks(x, x.node.config.post_hook ?? [], true);
      });
      await runHooks(x, x.node.config.post_hook ?? [], false);
      return rows;
    }
  }
  await buildAndSwap(x, target, async (tmp) => {
    const columns = plan.columns.map((c) => ({ name: c.sqlName, data_type: c.dataType }));
    await x.sql.run(callSqlMacro(x, 'get_create_seed_table_sql', tmp, columns));
    rows = await loadInto(x, plan, tmp, undefined, hooks);
    await beforeCommit();
  });
  return rows;
}

/** Raised before commit when the whole-file scan disagrees with the sample. */
class SampleDisagrees extends Error {}

/** The scan's plan is not the table's: the re-seed begun with the table's types is undone. */
class TablePlanRefuted extends Error {}

function samePlan(a: SeedPlan, b: SeedPlan): boolean {
  return a.needsNormalising === b.needsNormalising && a.columns.every((c, i) => c.dataType === b.columns[i]?.dataType);
}

/** Everything a load reads of a plan is the same (names, kinds, types, rewriting). */
function sameLoad(a: SeedPlan, b: SeedPlan): boolean {
  return (
    a.needsNormalising === b.needsNormalising &&
    a.columns.length === b.columns.length &&
    a.columns.every((c, i) => {
      const o = b.columns[i]!;
      return c.name === o.name && c.sqlName === o.sqlName && c.kind === o.kind && c.type.kind === o.type.kind && c.dataType === o.dataType;
    })
  );
}

export async function materializeSeed(x: NodeExecution): Promise<MaterializationResult> {
  const dialect = x.adapter.dialect;
  const kept = keptTableColumns(x);
  kept.catch(() => undefined); // awaited below; a rejection must not count as unhandled meanwhile
  let scanning: Promise<SeedPlan> | undefined;
  const sample = (chunkBytes?: number) => {
    if (!scanning) {
      scanning = planSeed(x.node, dialect, false, chunkBytes);
      scanning.catch(() => undefined);
    }
    return scanning;
  };
  let rows: number | undefined;
  const caps = dialect.capabilities;
  const hooked = (x.node.config.pre_hook ?? []).length > 0 || (x.node.config.post_hook ?? []).length > 0;
  // Hooks would run twice if the table's plan were refuted; without transactional DDL the
  // truncate would stand.
  if (caps.strictLoad && caps.transactions && caps.transactionalDdl && !hooked) {
    // A failure to read the catalog or the header is reported below, after the scan's.
    const table = await kept.catch(() => undefined);
    const tablePlan = table && (await planOfTable(x, table).catch(() => undefined));
    if (table && tablePlan) rows = await reseedAsTable(x, tablePlan, table, sample);
  }
  if (rows === undefined) {
    // The server reads its catalog while this process scans the file. Both are awaited before
    // either's failure is thrown, so no statement is left running on the connection.
    const [planned, columns] = await Promise.allSettled([sample(), kept]);
    if (planned.status === 'rejected') throw planned.reason;
    if (columns.status === 'rejected') throw columns.reason;
    rows = await loadPlanned(x, planned.value, columns.value);
  }
  return {
    status: 'success',
    message: `INSERT ${rows}`,
    code: 'INSERT',
    rowsAffected: rows,
    compiledCode: null,
    relation: nodeRelation(x, 'table'),
  };
}

/**
 * A re-seed on a strict engine that does not wait for the scan: it loads
 * with the table's plan, scanning once the load has begun; the load commits
 * only if the scan's plan is the same. Resolves to the rows loaded, or to
 * undefined when the scan refuted the table's plan (the attempt was rolled
 * back). Once the scan agrees, a failure is handled as loadPlanned handles it.
 */
async function reseedAsTable(x: NodeExecution, tablePlan: SeedPlan, kept: ColumnMeta[], sample: (chunkBytes?: number) => Promise<SeedPlan>): Promise<number | undefined> {
  const refuted = new AbortController();
  // A file scanned by a sample is big: its load is cancelled as soon as the scan refutes the
  // plan. A smaller one loads in less time than a cancel request (a connection of its own) takes.
  const cancellable = (await stat(tablePlan.file)).size > FULL_SCAN_BYTES;
  let confirmed: Promise<SeedPlan> | undefined;
  const confirm = () => {
    if (!confirmed) {
      confirmed = sample(SAMPLE_BESIDE_LOAD_BYTES).then((plan) => {
        if (!sameLoad(plan, tablePlan)) throw new TablePlanRefuted();
        return plan;
      });
      confirmed.catch((e: unknown) => {
        if (cancellable) refuted.abort(e);
      });
    }
    return confirmed;
  };
  const attempt: NodeExecution = { ...x, signal: AbortSignal.any([x.signal, refuted.signal]) };
  try {
    return await loadPlanned(attempt, tablePlan, kept, confirm);
  } catch (e) {
    if (e instanceof TablePlanRefuted) return undefined;
    throw e;
  }
}

/**
 * Loads the seed by `plan` (see FULL_SCAN_BYTES). `confirm`, when `plan` is
 * not yet known to be the scan's, starts the scan as the load begins and
 * resolves to its plan, or rejects; it is awaited before the load commits and
 * before a failed load is handled.
 */
async function loadPlanned(x: NodeExecution, plan: SeedPlan, kept: ColumnMeta[] | undefined, confirm?: () => Promise<SeedPlan>): Promise<number> {
  const dialect = x.adapter.dialect;
  const scanned = confirm ?? (async () => plan);
  let rows: number;
  if (dialect.capabilities.strictLoad) {
    // The engine refuses a later value that does not fit; then type from the whole file.
    try {
      rows = await loadSeed(x, plan, kept, { onLoading: () => void scanned(), beforeCommit: async () => void (await scanned()) });
    } catch (e) {
      if ((await scanned()).complete) throw e;
      const full = await planSeed(x.node, dialect, true);
      if (samePlan(full, plan)) throw e;
      x.log('info', `seed ${plan.displayPath}: rows after the first ${SAMPLE_ROWS} change the column types; loading again with the whole file's types`);
      rows = await loadSeed(x, full, await keptTableColumns(x));
    }
  } else if (plan.complete) {
    rows = await loadSeed(x, plan, kept);
  } else {
    const whole = planSeed(x.node, dialect, true);
    whole.catch(() => undefined); // awaited below; a rejection must not count as unhandled meanwhile
    try {
      rows = await loadSeed(x, plan, kept, {
        beforeCommit: async () => {
          if (!samePlan(await whole, plan)) throw new SampleDisagrees();
        },
      });
    } catch (e) {
      const full = await whole; // a ragged row or bad quoting further down surfaces here
      if (samePlan(full, plan) && !(e instanceof SampleDisagrees)) throw e;
      x.log('info', `seed ${plan.displayPath}: rows after the first ${SAMPLE_ROWS} change the column types; loading again with the whole file's types`);
      rows = await loadSeed(x, full, await keptTableColumns(x));
    }
  }
  return rows;
}
