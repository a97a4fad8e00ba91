import type { AdapterContext, AdapterDefinition } from '../adapter/contract.js';
import { withDefaults, type CompleteConnection } from '../adapter/defaults/index.js';
import type { Compiler } from '../compile/compiler.js';
import type { Relation } from '../compile/relation.js';
import { DvtError } from '../errors.js';
import { FederationCache, cacheRelation } from '../federate/cache.js';
import { columnsUsed } from '../federate/columns.js';
import { extractIntoCache } from '../federate/extraction.js';
import { pushableTerms } from '../federate/filters.js';
import { limitTravels } from '../federate/limit.js';
import { MoveProgressReporter } from '../federate/progress.js';
import type { ExecutableNode, Project } from '../project/types.js';
import { findRelation } from './context.js';
import { ConnectionPool } from './pool.js';
import { PREVIEW_ENGINE, previewInput, previewPlacement, previewTable, type PreviewInput } from './show-plan.js';
import { asStatements } from './statements.js';
import type { ShowOptions, ShowResult } from './types.js';

/**
 * `dvt show`: previews a node (or inline SQL, given as a node) and returns
 * the first `limit` rows. Nothing is written to any output. The query runs
 * where its inputs already are when that is DuckDB; otherwise its inputs are
 * copied into the DuckDB cache through the movers (only the columns it
 * reads, the rows its safe WHERE terms keep, and only `limit` rows when the
 * query is a plain projection of one input) and it runs there, compiled with
 * DuckDB's macros as a federated model is.
 */
export async function showQuery(opts: ShowOptions): Promise<ShowResult> {
  const { project, compiler, node } = opts;
  const log = opts.log ?? (() => undefined);
  const ctx: AdapterContext = { projectDir: project.config.rootDir, logger: { debug() {}, info() {}, warn() {} } };
  const pool = new ConnectionPool(project.profile.outputs, opts.resolveAdapter, ctx, 1, (c, a) => withDefaults(c, a.dialect));
  try {
    const own = compiler.outputOf(node);
    const preview: Preview = { opts, node, pool, limit: opts.limit < 0 ? null : opts.limit, log };
    const relationExists = await existsForIncremental(preview, own.name);
    const federated = recordInputs(preview, relationExists);
    const placement = previewPlacement(project, own, federated.inputs, { inline: opts.inline === true, adapterOf: (type) => adapterOrUndefined(compiler, type) });
    if (placement.where === 'output') return await inPlace(preview, placement.output, relationExists);
    log('info', `${node.name} runs in DuckDB on copies of ${federated.inputs.length === 0 ? 'no inputs' : federated.inputs.map((i) => `${i.unique_id} (from '${i.connection}')`).join(', ')}`);
    return await inCache(preview, federated, ctx);
  } finally {
    await pool.closeAll();
  }
}

interface Preview {
  opts: ShowOptions;
  node: ExecutableNode;
  pool: ConnectionPool;
  limit: number | null;
  log: NonNullable<ShowOptions['log']>;
}

/** The node's SQL compiled for DuckDB against private cache copies, and the inputs it read while compiling. */
interface FederatedPreview {
  sql: string;
  inputs: PreviewInput[];
  /** The node's own table, copied for `{{ this }}` of an incremental model that exists. */
  self?: PreviewInput;
}

/**
 * Whether `is_incremental()` is true, as dbt's show compiles it: for an
 * incremental model whose table exists on its target (a catalog read).
 */
async function existsForIncremental({ opts, node, pool }: Preview, output: string): Promise<boolean> {
  if (node.resource_type !== 'model' || node.config.materialized !== 'incremental') return false;
  const lease = await pool.acquire(output);
  try {
    return (await findRelation({ connection: lease.connection as CompleteConnection }, opts.compiler.relationOf(node).toRef())) !== undefined;
  } finally {
    lease.release();
  }
}

/** Compiles the node for DuckDB; each ref()/source() it calls (ephemeral models looked through) is an input. */
function recordInputs({ opts, node }: Preview, relationExists: boolean): FederatedPreview {
  const { project, compiler } = opts;
  const duckdb = previewEngine(compiler);
  const inputs = new Map<string, PreviewInput>();
  const record = (uniqueId: string): Relation | undefined => {
    const input = previewInput(project, uniqueId);
    if (!input) return undefined;
    inputs.set(uniqueId, input);
    return cacheRelation(duckdb, input.cacheTable);
  };
  if (node.resource_type === 'seed') {
    // A seed's file is CSV: its preview reads the table it was loaded into.
    return { sql: `select * from ${record(node.unique_id)!.render()}`, inputs: [...inputs.values()] };
  }
  const self: PreviewInput = { unique_id: node.unique_id, connection: compiler.outputOf(node).name, cacheTable: previewTable(`__this__${node.name}`) };
  const sql = compiler.compileNode(node, {
    relationExists,
    relationType: relationExists ? 'table' : undefined,
    fullRefresh: false,
    federated: { adapterType: duckdb.type, relationFor: record, thisRelation: cacheRelation(duckdb, self.cacheTable) },
  }).compiled_code;
  return { sql, inputs: [...inputs.values()], ...(relationExists ? { self } : {}) };
}

/** The node as its own output runs it (dbt's show), on that output's connection. */
async function inPlace({ opts, node, pool, limit }: Preview, output: string, relationExists: boolean): Promise<ShowResult> {
  const { compiler } = opts;
  const lease = await pool.acquire(output);
  try {
    const sql =
      node.resource_type === 'seed'
        ? `select * from ${compiler.relationOf(node).render()}`
        : compiler.compileNode(node, { relationExists, relationType: relationExists ? 'table' : undefined, fullRefresh: false }).compiled_code;
    return await runLimited(compiler, node, lease.adapter, lease.connection as CompleteConnection, sql, limit);
  } finally {
    lease.release();
  }
}

/** Copies the inputs into the cache (private tables, dropped afterwards) and runs the DuckDB SQL there. */
async function inCache(preview: Preview, federated: FederatedPreview, ctx: AdapterContext): Promise<ShowResult> {
  const { opts, node, pool, limit, log } = preview;
  const { project, compiler } = opts;
  const cache = new FederationCache(project.config.rootDir, previewEngine(compiler), 1, ctx);
  const copies = [...federated.inputs, ...(federated.self ? [federated.self] : [])];
  try {
    const tree = await cache.withConnection(async (c) => String((await c.query(`select json_serialize_sql(${cache.adapter.dialect.quoteLiteral(federated.sql)})`)).rows[0]?.[0]));
    const need = columnsUsed(tree);
    for (const input of copies) {
      const lease = await pool.acquire(input.connection);
      try {
        const relation = relationOnSource(project, compiler, input, lease.adapter, node);
        // Only a single input can be cut to `limit` rows, and only when the query is a row-for-row projection of it.
        const cut = limit !== null && copies.length === 1 && limitTravels(tree, input.cacheTable);
        await MoveProgressReporter.around(opts.progress, input.unique_id, 'into the cache', (onProgress) =>
          extractIntoCache(
            cache,
            {
              from: { connection: lease.connection as CompleteConnection, adapter: lease.adapter },
              ref: relation.toRef(),
              rendered: relation.render(),
              uniqueId: input.unique_id,
              table: input.cacheTable,
              need,
              terms: pushableTerms(tree, input.cacheTable),
              limited: cut ? (select) => limitSql(compiler, lease.adapter, select, limit) : undefined,
              signal: opts.signal,
            },
            {
              log: (level, message) => log(level === 'info' ? 'info' : 'debug', message),
              moved: (stats) => log('info', `moved ${stats.rows} rows of ${input.unique_id} from '${input.connection}' into the cache${cut ? ` (limited to ${limit})` : ''} in ${stats.seconds.toFixed(2)}s`),
              ...(onProgress ? { progress: onProgress } : {}),
            },
          ),
        );
      } finally {
        lease.release();
      }
    }
    return await cache.withConnection((c) => runLimited(compiler, node, cache.adapter, c, federated.sql, limit));
  } finally {
    for (const input of copies) await cache.drop(input.cacheTable).catch((e: unknown) => log('warn', `could not drop cache table ${input.cacheTable}: ${(e as Error).message}`));
    await cache.close();
  }
}

/** The input as its own engine names it. */
function relationOnSource(project: Project, compiler: Compiler, input: PreviewInput, adapter: AdapterDefinition, node: ExecutableNode): Relation {
  const source = project.sources.get(input.unique_id);
  if (source) return compiler.sourceRelationOf(source, adapter.type);
  return compiler.relationOf(input.unique_id === node.unique_id ? node : compiler.node(input.unique_id));
}

/** `sql` wrapped by the engine's `get_show_sql` for the row limit, run; the last statement's rows. */
async function runLimited(compiler: Compiler, node: ExecutableNode, adapter: AdapterDefinition, connection: CompleteConnection, sql: string, limit: number | null): Promise<ShowResult> {
  // `select ...;` is one statement to a user, but the limit wraps it as a subquery.
  const body = sql.replace(/[\s;]+$/, '');
  const statements = asStatements(compiler.callMacro('get_show_sql', [body, null, limit], {}, { node, adapterType: adapter.type }), 'get_show_sql');
  let result: ShowResult = { columns: [], rows: [] };
  for (const statement of statements) result = await connection.query(statement.trim());
  return { columns: result.columns, rows: result.rows };
}

function limitSql(compiler: Compiler, adapter: AdapterDefinition, select: string, limit: number): string {
  return String(compiler.callMacro('get_limit_subquery_sql', [select, limit], {}, { adapterType: adapter.type })).trim();
}

function previewEngine(compiler: Compiler): AdapterDefinition {
  const engine = adapterOrUndefined(compiler, PREVIEW_ENGINE);
  if (!engine) throw new DvtError('adapter', 'dvt show runs previews in DuckDB: install @dvt/adapter-duckdb (the compiler was created without it)');
  return engine;
}

function adapterOrUndefined(compiler: Compiler, type: string): AdapterDefinition | undefined {
  try {
    return compiler.adapter(type);
  } catch {
    return undefined;
  }
}
