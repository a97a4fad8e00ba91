import type { AdapterContext, AdapterDefinition, ColumnMeta, RelationRef } from '../adapter/contract.js';
import { withDefaults, type CompleteConnection } from '../adapter/defaults/index.js';
import { Relation } from '../compile/relation.js';
import type { Compiler } from '../compile/index.js';
import { DvtError } from '../errors.js';
import type { NodePlan, PlannedInput } from '../plan/types.js';
import { modelCacheTable } from '../plan/planner.js';
import type { ExecutableNode, Project } from '../project/types.js';
import { dropIfExists, nodeRelation, suffixed, type MaterializationResult, type NodeExecution } from '../run/context.js';
import { materializeModel, modelRuntime } from '../run/materialize/model.js';
import { ConnectionPool } from '../run/pool.js';
import { FederationCache } from './cache.js';
import { ALL_COLUMNS, columnsUsed, unionNeeds, type ColumnNeed } from './columns.js';
import { extractIntoCache } from './extraction.js';
import { inputRelation } from './inputs.js';
import { commonTerms, pushableTerms, type PushedTerm, type TermValue } from './filters.js';
import { configuredTerm, copyIncrementalThis, watermarksOnTarget, type IncrementalThis } from './incremental.js';
import { cacheMaxAge } from './freshness.js';
import { MoveProgressReporter, type MoveProgressSink } from './progress.js';
import { columnsForDestination, createTableSql, moveRows, type Endpoint, type MoveStats } from './mover.js';

export interface FederatedRunOptions {
  project: Project;
  compiler: Compiler;
  duckdb: AdapterDefinition;
  resolveAdapter(type: string): Promise<AdapterDefinition>;
  threads: number;
  fullRefresh: boolean;
  ctx: AdapterContext;
  /** The federated nodes of this run: what they read decides which columns each extraction keeps. */
  federatedNodes: readonly NodePlan[];
  log(level: 'debug' | 'info' | 'warn', message: string, uniqueId?: string): void;
  /** Where moves report their progress while they run; without it they count nothing. */
  progress?: MoveProgressSink;
}

/**
 * Per input, the columns the run reads; per (model, input), the WHERE terms
 * that may travel into its extraction whether or not it runs incrementally,
 * and whether it may have a filtered copy of its own at all (`narrowable`:
 * no other model of the run reads the input, no `cache:` policy keeps it).
 * Per model, DuckDB's parse tree of its incremental compilation.
 */
interface Needs {
  columns: Map<string, ColumnNeed>;
  filters: Map<string, PushedTerm[]>;
  narrowable: Set<string>;
  incrementalTrees: Map<string, string>;
}

/** An input's cache copy and how many rows this run moved into it (0 when a kept copy served). */
interface InputCopy {
  relation: Relation;
  rows: number;
}

/**
 * The federated side of one run: the cache, connections for extraction
 * (apart from the runner's, so a node holding its target connection never
 * waits on another node's), and each remote input extracted once however
 * many models read it.
 */
export class FederatedRun {
  readonly cache: FederationCache;
  private readonly sources: ConnectionPool;
  private readonly copies = new Map<string, Promise<InputCopy>>();
  private needs: Promise<Needs> | undefined;

  constructor(private readonly opts: FederatedRunOptions) {
    this.cache = new FederationCache(opts.project.config.rootDir, opts.duckdb, opts.threads, opts.ctx);
    this.sources = new ConnectionPool(opts.project.profile.outputs, opts.resolveAdapter, opts.ctx, opts.threads, (c, a) => withDefaults(c, a.dialect));
  }

  async close(): Promise<unknown[]> {
    return [...(await this.sources.closeAll()), ...(await this.cache.close())];
  }

  /**
   * Builds a model whose inputs the target cannot see: its inputs are copied
   * into the cache, its SQL (compiled against the copies) runs in DuckDB, the
   * result is staged into the target through the target's bulk path, and the
   * target's own materialization finishes from the staged table (table swap,
   * incremental strategies, hooks, grants). A view or ephemeral model is
   * built as a table.
   */
  async materialize(x: NodeExecution, plan: NodePlan): Promise<MaterializationResult> {
    const { node } = x;
    if (plan.warning) x.log('warn', plan.warning);
    const runtime = await modelRuntime(x);
    this.needs ??= this.columnNeeds();
    const needs = await this.needs;
    const target = nodeRelation(x, 'table');
    const incremental = node.config.materialized === 'incremental' && runtime.relationExists && !runtime.fullRefresh;
    const thisTable = thisTableName(node.name);
    const resultTable = `__dvt_result__${node.name}`;
    const result = this.cache.relation(resultTable);
    const stage = suffixed(x, target, '__dvt_stage', 'table');
    try {
      // An incremental run reads {{ this }} first: its watermarks decide which rows of the inputs move.
      const ofThis = incremental ? await this.copyThis(x, target, thisTable, needs.incrementalTrees.get(node.unique_id)) : undefined;
      const inputTerms = ofThis ? await this.incrementalTerms(node, plan, ofThis.watermarks, ofThis.configured, needs) : undefined;
      const copies = new Map<string, InputCopy>();
      await Promise.all(
        plan.inputs.map(async (input) => {
          const terms = inputTerms ? inputTerms.get(input.unique_id) : needs.filters.get(`${node.unique_id}\u0000${input.unique_id}`);
          const filter = terms && terms.length > 0 ? { terms, reader: node.name } : undefined;
          copies.set(input.unique_id, await this.copyOf(input, needs.columns.get(input.unique_id), x.signal, filter));
        }),
      );
      const thisRelation = ofThis?.relation;
      const federatedSql = x.compile({ ...runtime, federated: { adapterType: this.cache.adapter.type, relationFor: (id) => copies.get(id)?.relation, thisRelation } });
      const columns = await this.cache.withConnection(async (c) => {
        await c.query(`create or replace table ${result.render()} as ${federatedSql}`, [], { signal: x.signal });
        return (await c.catalog.describe(result.toRef())) ?? [];
      });
      const specs = columnsForDestination(columns, x.adapter.type === this.cache.adapter.type);
      await dropIfExists(x, stage);
      await x.sql.run(createTableSql(x.adapter, stage.toRef(), specs));
      const what = `result into ${target.render()} staging`;
      const moved = await this.cache.withConnection((c) =>
        MoveProgressReporter.around(this.opts.progress, node.unique_id, what, (onProgress) =>
          moveRows({
            from: { connection: c, adapter: this.cache.adapter },
            sql: `select * from ${result.render()}`,
            to: { connection: x.connection, adapter: x.adapter },
            relation: stage.toRef(),
            columns: specs,
            signal: x.signal,
            ...(onProgress ? { onProgress } : {}),
          }),
        ),
      );
      this.report(node.unique_id, what, moved);

      const asTable: ExecutableNode = ['view', 'ephemeral'].includes(String(node.config.materialized))
        ? { ...node, config: { ...node.config, materialized: 'table' } }
        : node;
      const fromStage = `select * from ${stage.render()}`;
      // Hooks render with the runtime the model's SQL saw (is_incremental(), {{ this }} on the target), not the stage's.
      const outcome = await materializeModel({ ...x, node: asTable, runtime, compile: () => fromStage });
      // What moved, for run_results: an incremental run's inputs move only their new rows.
      const rowsMoved = {
        inputs: Object.fromEntries([...copies].map(([id, copy]) => [id, copy.rows])),
        ...(ofThis ? { this: ofThis.rows } : {}),
        result: moved.rows,
      };
      return { ...outcome, compiledCode: federatedSql, adapterResponse: { ...outcome.adapterResponse, rows_moved: rowsMoved } };
    } finally {
      await dropIfExists(x, stage).catch((e: unknown) => x.log('warn', `could not drop ${stage.render()}: ${(e as Error).message}`));
      for (const table of [resultTable, ...(incremental ? [thisTable] : [])]) {
        await this.cache.drop(table).catch((e: unknown) => x.log('warn', `could not drop cache table ${table}: ${(e as Error).message}`));
      }
    }
  }

  /**
   * What this run's federated models read of an input: the columns (for
   * models staged on their target too), and the WHERE terms that may travel
   * into `reader`'s own copy.
   */
  async reads(reader: string, input: string): Promise<{ columns?: ColumnNeed; terms?: PushedTerm[] }> {
    this.needs ??= this.columnNeeds();
    const { columns, filters } = await this.needs;
    return { columns: columns.get(input), terms: filters.get(`${reader}\u0000${input}`) };
  }

  /**
   * The cache copy of one input, extracted at most once per run. With
   * `filter` (the input's only reader in this run, terms from its WHERE) the
   * copy is that reader's own, `<table>__for__<model>`, and never reused.
   */
  copyOf(input: PlannedInput, need: ColumnNeed | undefined, signal: AbortSignal, filter?: { terms: PushedTerm[]; reader: string }): Promise<InputCopy> {
    const shared = input.cacheTable ?? cacheTableName(this.opts.project, input.unique_id);
    const table = filter ? `${shared}__for__${filter.reader}` : shared;
    let copy = this.copies.get(table);
    if (!copy) {
      copy = this.extract(input, table, need ?? ALL_COLUMNS, signal, filter?.terms);
      this.copies.set(table, copy);
      // A failed copy is retried by the next model that needs it.
      copy.catch(() => this.copies.delete(table));
    }
    return copy;
  }

  /**
   * Per input, the columns this run's federated models read: each model is
   * compiled against the cache names (both with and without
   * `is_incremental()`, so either branch is covered) and parsed by DuckDB.
   * A model that does not compile or parse reads all columns of its inputs.
   */
  private async columnNeeds(): Promise<Needs> {
    const needs = new Map<string, ColumnNeed>();
    const filters = new Map<string, PushedTerm[]>();
    const narrowable = new Set<string>();
    const incrementalTrees = new Map<string, string>();
    const readers = new Map<string, number>();
    for (const plan of this.opts.federatedNodes) for (const input of plan.inputs) readers.set(input.unique_id, (readers.get(input.unique_id) ?? 0) + 1);
    const duckdb = this.cache.adapter;
    await this.cache.withConnection(async (c) => {
      for (const plan of this.opts.federatedNodes) {
        const tables = new Map(plan.inputs.map((i) => [i.unique_id, this.cache.relation(i.cacheTable ?? cacheTableName(this.opts.project, i.unique_id))]));
        const name = this.opts.project.nodes.get(plan.unique_id)!.name;
        const federated = { adapterType: duckdb.type, relationFor: (id: string) => tables.get(id), thisRelation: this.cache.relation(thisTableName(name)) };
        let need: ColumnNeed = { all: false, names: new Set() };
        const trees: string[] = [];
        for (const relationExists of [false, true]) {
          try {
            const sql = this.opts.compiler.compileNode(plan.unique_id, { relationExists, relationType: 'table', federated }).compiled_code;
            const serialized = (await c.query(`select json_serialize_sql(${duckdb.dialect.quoteLiteral(sql)})`)).rows[0]?.[0];
            need = unionNeeds(need, typeof serialized === 'string' ? columnsUsed(serialized) : ALL_COLUMNS);
            if (typeof serialized === 'string') trees.push(serialized);
            if (typeof serialized === 'string' && relationExists) incrementalTrees.set(plan.unique_id, serialized);
          } catch {
            need = ALL_COLUMNS;
          }
        }
        for (const input of plan.inputs) {
          needs.set(input.unique_id, unionNeeds(needs.get(input.unique_id), need));
          // Filters travel only into a copy no other model of the run reads, and only when both compilations agree.
          if (readers.get(input.unique_id) !== 1 || this.hasCachePolicy(input.unique_id)) continue;
          narrowable.add(`${plan.unique_id}\u0000${input.unique_id}`);
          if (trees.length !== 2) continue;
          const table = tables.get(input.unique_id)!.identifier!;
          const terms = commonTerms(pushableTerms(trees[0]!, table), pushableTerms(trees[1]!, table));
          if (terms.length > 0) filters.set(`${plan.unique_id}\u0000${input.unique_id}`, terms);
        }
      }
    });
    return { columns: needs, filters, narrowable, incrementalTrees };
  }

  private hasCachePolicy(uniqueId: string): boolean {
    const producer = this.opts.project.sources.get(uniqueId) ?? this.opts.project.nodes.get(uniqueId);
    return producer?.config.cache !== undefined && producer.config.cache !== null;
  }

  private async extract(input: PlannedInput, table: string, need: ColumnNeed, signal: AbortSignal, terms?: PushedTerm[]): Promise<InputCopy> {
    const { project, compiler } = this.opts;
    const producer = project.sources.get(input.unique_id) ?? project.nodes.get(input.unique_id);
    if (!producer) throw new DvtError('runtime', `federation: unknown input ${input.unique_id}`);
    const maxAge = this.opts.fullRefresh || terms ? undefined : cacheMaxAge(producer.config.cache, `${producer.original_file_path} (${input.unique_id})`);
    const lease = await this.sources.acquire(input.connection);
    try {
      const from: Endpoint = { connection: lease.connection as CompleteConnection, adapter: lease.adapter };
      const relation = inputRelation(project, compiler, input.unique_id, lease.adapter);
      const entry = await this.fill(from, relation.toRef(), relation.render(), table, input.unique_id, signal, maxAge, need, terms);
      if (entry.reused) this.opts.log('info', `cache: kept ${table} (younger than its max age)`);
      return { relation: entry.relation, rows: entry.reused ? 0 : (entry.rows ?? 0) };
    } finally {
      lease.release();
    }
  }

  /** The model's own table on its target, copied for `{{ this }}`: a summary when only watermarks read it, else whole. */
  private copyThis(x: NodeExecution, target: Relation, table: string, tree: string | undefined): Promise<IncrementalThis> {
    const endpoint: Endpoint = { connection: x.connection, adapter: x.adapter };
    return copyIncrementalThis({
      node: x.node,
      target: endpoint,
      targetRelation: target,
      cache: this.cache,
      table,
      tree,
      copyWhole: () => this.fill(endpoint, target.toRef(), target.render(), table, x.node.unique_id, x.signal),
      moved: (what, stats) => this.report(x.node.unique_id, what, stats),
      log: (level, message) => this.opts.log(level, message),
      signal: x.signal,
    });
  }

  /**
   * An incremental run's terms per input: its incremental WHERE with the
   * watermarks evaluated, into a copy of the model's own unless a `cache:`
   * policy keeps the input (when other models read it too, only if a
   * watermark travels); and
   * `config(watermark=...)`'s term on the input holding that column, always
   * (into the model's own copy, so no other reader sees fewer rows).
   */
  private async incrementalTerms(
    node: ExecutableNode,
    plan: NodePlan,
    watermarks: ReadonlyMap<string, TermValue>,
    configured: IncrementalThis['configured'],
    needs: Needs,
  ): Promise<Map<string, PushedTerm[]>> {
    const terms = new Map<string, PushedTerm[]>();
    const tree = needs.incrementalTrees.get(node.unique_id);
    for (const input of plan.inputs) {
      if (!tree || this.hasCachePolicy(input.unique_id)) continue;
      const table = input.cacheTable ?? cacheTableName(this.opts.project, input.unique_id);
      const found = pushableTerms(tree, table, watermarks);
      // An input other models read in full too gets a copy of its own only for a watermark: past it, few rows remain.
      const alone = needs.narrowable.has(`${node.unique_id}\u0000${input.unique_id}`);
      if (alone || found.length > pushableTerms(tree, table).length) terms.set(input.unique_id, found);
    }
    if (configured) {
      const described = new Map<string, ColumnMeta[]>();
      for (const input of plan.inputs) described.set(input.unique_id, await this.describeInput(input));
      const { input, term } = configuredTerm(node, configured, described);
      terms.set(input, [...(terms.get(input) ?? []), term]);
    }
    return terms;
  }

  /**
   * `federation='target'`, an incremental run: the watermark subqueries of
   * the model's SQL evaluated over a summary of its table on the target, as
   * terms per remote input under the same rules as for a model federated in
   * DuckDB (`incrementalTerms`; `config(watermark=...)` is the target path's
   * own). Empty when nothing travels; also says how many rows of the target
   * were read for it.
   */
  async watermarkTerms(x: NodeExecution, plan: NodePlan): Promise<{ terms: Map<string, PushedTerm[]>; thisRows: number }> {
    this.needs ??= this.columnNeeds();
    const needs = await this.needs;
    const tree = needs.incrementalTrees.get(x.node.unique_id);
    if (!tree) return { terms: new Map(), thisRows: 0 };
    const table = thisTableName(x.node.name);
    try {
      const { rows, watermarks } = await watermarksOnTarget({
        node: x.node,
        target: { connection: x.connection, adapter: x.adapter },
        targetRelation: nodeRelation(x, 'table'),
        cache: this.cache,
        table,
        tree,
        moved: (what, stats) => this.report(x.node.unique_id, what, stats),
        log: (level, message) => this.opts.log(level, message),
        signal: x.signal,
      });
      if (watermarks.size === 0) return { terms: new Map(), thisRows: rows };
      const remote = { ...plan, inputs: plan.inputs.filter((i) => i.moves) };
      return { terms: await this.incrementalTerms(x.node, remote, watermarks, undefined, needs), thisRows: rows };
    } finally {
      await this.cache.drop(table).catch((e: unknown) => x.log('warn', `could not drop cache table ${table}: ${(e as Error).message}`));
    }
  }

  /** An input's columns as its own engine describes them. */
  private async describeInput(input: PlannedInput): Promise<ColumnMeta[]> {
    const lease = await this.sources.acquire(input.connection);
    try {
      const relation = inputRelation(this.opts.project, this.opts.compiler, input.unique_id, lease.adapter);
      return (await lease.connection.catalog?.describe(relation.toRef())) ?? [];
    } finally {
      lease.release();
    }
  }

  private async fill(from: Endpoint, ref: RelationRef, rendered: string, table: string, uniqueId: string, signal: AbortSignal, maxAge?: number, need: ColumnNeed = ALL_COLUMNS, terms: PushedTerm[] = []) {
    const what = `into cache ${table}`;
    return MoveProgressReporter.around(this.opts.progress, uniqueId, what, (onProgress) =>
      extractIntoCache(
        this.cache,
        { from, ref, rendered, table, uniqueId, need, terms, maxAge, signal },
        { log: (level, message) => this.opts.log(level, message), moved: (stats) => this.report(uniqueId, what, stats), ...(onProgress ? { progress: onProgress } : {}) },
      ),
    );
  }

  private report(uniqueId: string, what: string, stats: MoveStats): void {
    this.opts.log('info', `moved ${stats.rows} rows of ${uniqueId} ${what} in ${stats.seconds.toFixed(2)}s (${stats.rowsPerSecond} rows/s; ${stats.route})`, uniqueId);
  }
}

/** The cache table `{{ this }}` renders as in a federated incremental model. */
function thisTableName(model: string): string {
  return `__this__${model}`;
}

function cacheTableName(project: Project, uniqueId: string): string {
  const source = project.sources.get(uniqueId);
  if (source) return `${source.source_name}__${source.name}`;
  return modelCacheTable(project.nodes.get(uniqueId)!.name);
}
