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
import { normaliseSeedValue, type SeedKind } from './infer.js';
import { scanSeed, type SeedScan } from './scan.js';

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
 */
export const FULL_SCAN_BYTES = 2 * 1024 * 1024;
export const SAMPLE_ROWS = 10_000;

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

/** Column names, kinds and DDL types for a scanned seed, with `column_types` overrides applied. */
export function seedColumns(scan: SeedScan, node: ExecutableNode, dialect: Dialect): SeedColumn[] {
  const overrides = new Map(Object.entries(node.config.column_types ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
  const quote = node.config.quote_columns === true;
  return scan.inference.result().map(({ name, kind }) => {
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

export async function planSeed(node: ExecutableNode, dialect: Dialect, forceFullScan = false): Promise<SeedPlan> {
  const file = path.join(node.root_path, node.original_file_path);
  const delimiter = typeof node.config.delimiter === 'string' && node.config.delimiter.length > 0 ? node.config.delimiter : ',';
  const size = (await stat(file)).size;
  const full = forceFullScan || size <= FULL_SCAN_BYTES;
  const scan = await scanSeed(file, node.original_file_path, delimiter, full ? undefined : SAMPLE_ROWS);
  return {
    file,
    displayPath: node.original_file_path,
    delimiter,
    columns: seedColumns(scan, node, dialect),
    needsNormalising: scan.inference.needsNormalising,
    complete: scan.complete,
  };
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

/** `tableColumns`: the table's column names when the caller has already read them. */
async function loadInto(x: NodeExecution, plan: SeedPlan, relation: Relation, tableColumns?: readonly string[]): Promise<number> {
  tableColumns ??= (await describeColumns(x, relation)).map((c) => c.name);
  const stats = await x.connection.bulkLoad(relation.toRef(), loadSource(plan, tableColumns), { signal: x.signal });
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
 * Loads a seed. Re-seeding a table with the same columns empties and refills
 * it in one transaction (views on it keep working); anything else — first
 * load, --full-refresh, changed columns — builds a new table and swaps it in.
 */
async function loadSeed(
  x: NodeExecution,
  plan: SeedPlan,
  existingColumns: ColumnMeta[] | undefined,
  beforeCommit: () => Promise<void> = async () => undefined,
): Promise<number> {
  const target = nodeRelation(x, 'table');
  let rows = 0;
  if (existingColumns && sameColumns(existingColumns.map((c) => c.name), plan)) {
    if (existingColumns.every((c, i) => c.type.kind === plan.columns[i]!.type.kind)) {
      await runHooks(x, x.node.config.pre_hook ?? [], false);
      await inTransaction(x, async () => {
        await runHooks(x, x.node.config.pre_hook ?? [], true);
        await x.sql.run(callSqlMacro(x, 'truncate_relation', target));
        rows = await loadInto(x, plan, target, existingColumns.map((c) => c.name));
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
    rows = await loadInto(x, plan, tmp);
    await beforeCommit();
  });
  return rows;
}

/** Raised before commit when the whole-file scan disagrees with the sample. */
class SampleDisagrees extends Error {}

function samePlan(a: SeedPlan, b: SeedPlan): boolean {
  return a.needsNormalising === b.needsNormalising && a.columns.every((c, i) => c.dataType === b.columns[i]?.dataType);
}

export async function materializeSeed(x: NodeExecution): Promise<MaterializationResult> {
  const dialect = x.adapter.dialect;
  // The server reads its catalog while this process scans the file. Both are awaited before
  // either's failure is thrown, so no statement is left running on the connection.
  const [planned, kept] = await Promise.allSettled([planSeed(x.node, dialect), keptTableColumns(x)]);
  if (planned.status === 'rejected') throw planned.reason;
  if (kept.status === 'rejected') throw kept.reason;
  const plan = planned.value;
  let rows: number;
  if (plan.complete) {
    rows = await loadSeed(x, plan, kept.value);
  } else if (dialect.capabilities.strictLoad) {
    // The engine refuses a later value that does not fit; then type from the whole file.
    try {
      rows = await loadSeed(x, plan, kept.value);
    } catch (e) {
      const full = await planSeed(x.node, dialect, true);
      if (samePlan(full, plan)) throw e;
      x.log('info', `seed ${plan.displayPath}: rows after the first ${SAMPLE_ROWS} change the column types; loading again with the whole file's types`);
      rows = await loadSeed(x, full, await keptTableColumns(x));
    }
  } else {
    const whole = planSeed(x.node, dialect, true);
    whole.catch(() => undefined); // awaited below; a rejection must not count as unhandled meanwhile
    try {
      rows = await loadSeed(x, plan, kept.value, async () => {
        if (!samePlan(await whole, plan)) throw new SampleDisagrees();
      });
    } catch (e) {
      const full = await whole; // a ragged row or bad quoting further down surfaces here
      if (samePlan(full, plan) && !(e instanceof SampleDisagrees)) throw e;
      x.log('info', `seed ${plan.displayPath}: rows after the first ${SAMPLE_ROWS} change the column types; loading again with the whole file's types`);
      rows = await loadSeed(x, full, await keptTableColumns(x));
    }
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
