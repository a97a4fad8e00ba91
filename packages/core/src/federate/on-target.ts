import { createHash } from 'node:crypto';
import type { AdapterContext, AdapterDefinition, CanonicalKind, ColumnMeta, ColumnSpec } from '../adapter/contract.js';
import { withDefaults, type CompleteConnection } from '../adapter/defaults/index.js';
import type { Compiler, FederatedRendering } from '../compile/index.js';
import { Relation } from '../compile/relation.js';
import { DvtError } from '../errors.js';
import { modelCacheTable, sourceCacheTable } from '../plan/planner.js';
import type { ExecutionPath, NodePlan, PlannedInput } from '../plan/types.js';
import type { ExecutableNode, ProfileOutput, Project } from '../project/types.js';
import { nodeRelation, type MaterializationResult, type NodeExecution } from '../run/context.js';
import { materializeModel, modelRuntime } from '../run/materialize/model.js';
import { ConnectionPool } from '../run/pool.js';
import { asStatements } from '../run/statements.js';
import { ALL_COLUMNS, pickColumns, type ColumnNeed } from './columns.js';
import { renderPushedTerms, type PushedTerm } from './filters.js';
import { cacheMaxAge, isFresh } from './freshness.js';
import { inputRelation } from './inputs.js';
import { MoveProgressReporter, type MoveProgressSink } from './progress.js';
import { checkedWatermarkColumn, configuredTerm, termValue, watermarkColumn } from './incremental.js';
import { columnsForDestination, createTableSql, moveRows, type Endpoint } from './mover.js';
import { decimalsAsText, sizeDecimals, sizesDecimals } from './decimal-size.js';

/** Appended to the target's schema to name the schema remote inputs are staged in. */
export const STAGING_SUFFIX = '__dvt_staging';
/** When each kept staged copy was loaded (only written for inputs with a `cache:` policy). */
const META_TABLE = '__dvt_staging_meta';
const META_COLUMNS: ColumnSpec[] = [
  { name: 'table_name', type: { kind: 'text', length: 255 } },
  { name: 'loaded_at_ms', type: { kind: 'bigint' } },
];
/**
 * Terms pushed into a staged copy compare integers, or dates and times with a
 * watermark of their own kind, never text: the target runs the model's WHERE
 * again with its own collation, which may match text the source's `=` did
 * not send (MariaDB's 'open' = 'OPEN').
 */
const STAGED_FILTER_KINDS = new Set<CanonicalKind>(['smallint', 'integer', 'bigint', 'date', 'timestamp', 'timestamptz']);

/** A name cut to the engine's limit, with a hash of the whole so two long names stay apart. */
export function fitIdentifier(name: string, max: number): string {
  if (name.length <= max) return name;
  const hash = createHash('sha1').update(name).digest('hex').slice(0, 8);
  return `${name.slice(0, Math.max(1, max - hash.length - 1))}_${hash}`;
}

/**
 * Where an input is staged on a target: `<target schema>__dvt_staging`, in
 * a table named as its cache copy would be (`{source}__{table}`,
 * `__model__{name}`), or `<that>__for__<model>` for a copy filtered for one
 * model. Pure.
 */
export function stagedRelation(adapter: AdapterDefinition, output: ProfileOutput, table: string): Relation {
  const max = adapter.dialect.capabilities.maxIdentifierLength;
  const { database, schema } = adapter.describeTarget(output.config);
  return new Relation(adapter.dialect, adapter.type, {
    database,
    schema: fitIdentifier(schema + STAGING_SUFFIX, max),
    identifier: fitIdentifier(table, max),
    type: 'table',
  });
}

/** The staged table's name for an input: its cache name, with `__for__<reader>` when filtered for that model alone. */
export function stagedTableName(project: Project, uniqueId: string, filteredFor?: string): string {
  const source = project.sources.get(uniqueId);
  const base = source ? sourceCacheTable(source.source_name, source.name) : modelCacheTable(project.nodes.get(uniqueId)!.name);
  return filteredFor ? `${base}__for__${filteredFor}` : base;
}

/** An input with the row count its engine estimates (undefined: no estimate, e.g. a view or a never-analyzed table). */
export interface SizedInput {
  unique_id: string;
  /** True when the input is remote: copied for the node whichever engine runs it. */
  moves: boolean;
  rows: number | undefined;
}

export interface AutoChoice {
  path: Extract<ExecutionPath, 'federate-duckdb' | 'federate-target'>;
  why: string;
}

/**
 * `federation='auto'`, decided from estimated sizes. Pure. On the target
 * when its largest input already lives there (federating on DuckDB would
 * copy it too), or when the remote inputs together exceed `thresholdRows`
 * (too big for one machine); in DuckDB otherwise. An input without an
 * estimate counts as 0 rows.
 */
export function chooseAutoPath(inputs: readonly SizedInput[], thresholdRows: number, target: string): AutoChoice {
  const rows = (i: SizedInput) => i.rows ?? 0;
  const remoteRows = inputs.filter((i) => i.moves).reduce((sum, i) => sum + rows(i), 0);
  const largestRemote = Math.max(0, ...inputs.filter((i) => i.moves).map(rows));
  const largestLocal = inputs.filter((i) => !i.moves).sort((a, b) => rows(b) - rows(a))[0];
  const unknown = inputs.filter((i) => i.rows === undefined).map((i) => i.unique_id);
  const note = unknown.length > 0 ? ` (no estimate for ${unknown.join(', ')}: counted as 0 rows)` : '';
  if (largestLocal && rows(largestLocal) > largestRemote) {
    return { path: 'federate-target', why: `its largest input, ${largestLocal.unique_id} (~${rows(largestLocal)} rows), is on '${target}'${note}` };
  }
  if (remoteRows > thresholdRows) {
    return { path: 'federate-target', why: `its remote inputs hold ~${remoteRows} rows, above federation_auto_rows (${thresholdRows})${note}` };
  }
  return { path: 'federate-duckdb', why: `its remote inputs hold ~${remoteRows} rows, within federation_auto_rows (${thresholdRows}), and no input on '${target}' is larger${note}` };
}

/** What the run's federated models read of an input: its columns, and WHERE terms for one reader's own copy. */
export interface InputReads {
  columns?: ColumnNeed;
  terms?: PushedTerm[];
}

export interface TargetFederationOptions {
  project: Project;
  compiler: Compiler;
  resolveAdapter(type: string): Promise<AdapterDefinition>;
  threads: number;
  fullRefresh: boolean;
  ctx: AdapterContext;
  /**
   * The run's models that may run on their target (the target plans of
   * `federate-target` and `federate-auto` nodes): how many of them read an
   * input decides when its staged copy is dropped.
   */
  nodes: readonly NodePlan[];
  reads(reader: string, input: string): Promise<InputReads>;
  /**
   * An incremental run's watermark subqueries evaluated ahead of the model,
   * as terms per remote input (replacing `reads`' terms for those inputs),
   * and the rows of the target read for them.
   */
  watermarkTerms(x: NodeExecution, plan: NodePlan): Promise<{ terms: Map<string, PushedTerm[]>; thisRows: number }>;
  log(level: 'debug' | 'info' | 'warn', message: string): void;
  /** Where moves report their progress while they run; without it they count nothing. */
  progress?: MoveProgressSink;
}

/** A staged input and the rows this run moved into it (0 when a kept copy served). */
interface Staged {
  relation: Relation;
  rows: number;
}

interface StagedCopy {
  input: string;
  output: string;
  staged: Promise<Staged>;
  /** A `cache:` policy keeps the copy for later runs. */
  keep: boolean;
}

/**
 * Federation on the target: each remote input is copied once per run
 * (source `extract` piped into the target's `bulkLoad`) into the target's
 * staging schema; the model compiles with `ref()`/`source()` of those
 * inputs resolving to the staged tables, in the target's own dialect, and
 * the target's own materialization builds it there (table swap,
 * incremental, hooks, grants). A staged copy is dropped once the last model
 * of the run that reads it has finished, failed or not, or when the run
 * closes (a reader was skipped), unless a `cache:` policy keeps it.
 */
export class TargetFederation {
  private readonly pool: ConnectionPool;
  /** By `<output>\0<table>`. */
  private readonly staged = new Map<string, StagedCopy>();
  /** By `<output>\0<input unique_id>`: models of the run yet to finish reading the input. */
  private readonly readers = new Map<string, number>();
  /** Per output: its staging schema ready (true when this run created it), and its meta table when a kept copy needs it. */
  private readonly schemas = new Map<string, Promise<{ relation: Relation; created: boolean }>>();
  private readonly metas = new Map<string, Promise<void>>();

  constructor(private readonly opts: TargetFederationOptions) {
    this.pool = new ConnectionPool(opts.project.profile.outputs, opts.resolveAdapter, opts.ctx, opts.threads, (c, a) => withDefaults(c, a.dialect));
    for (const plan of opts.nodes) {
      for (const input of plan.inputs) if (input.moves) this.readers.set(readerKey(plan, input), (this.readers.get(readerKey(plan, input)) ?? 0) + 1);
    }
  }

  /**
   * Builds a `federate-target` model: its remote inputs staged on the target
   * (on an incremental run, only the rows past the target table's
   * watermarks: `config(watermark=...)`'s maximum, and the subqueries on
   * `{{ this }}` in its SQL), then the target's own materialization.
   */
  async materialize(x: NodeExecution, plan: NodePlan): Promise<MaterializationResult> {
    if (plan.warning) x.log('warn', plan.warning);
    try {
      const incremental = await this.isIncrementalRun(x);
      const watermark = incremental ? await this.configuredWatermark(x, plan) : undefined;
      const ofThis = incremental ? await this.opts.watermarkTerms(x, plan) : undefined;
      const staged = new Map<string, Staged>();
      await Promise.all(
        plan.inputs.filter((i) => i.moves).map(async (input) => {
          const required = watermark?.input === input.unique_id ? watermark.term : undefined;
          staged.set(input.unique_id, await this.stage(plan, input, x.signal, { watermark: required, terms: ofThis?.terms.get(input.unique_id) }));
        }),
      );
      const federated: FederatedRendering = { adapterType: x.adapter.type, relationFor: (id) => staged.get(id)?.relation };
      const onTarget: NodeExecution = {
        ...x,
        node: asTable(x.node),
        compile: (runtime) => {
          const sql = x.compile({ ...runtime, federated });
          // Hooks render with the runtime the SQL saw.
          onTarget.runtime = x.runtime;
          return sql;
        },
      };
      const outcome = await materializeModel(onTarget);
      // What moved, for run_results, as for models federated in DuckDB.
      const rowsMoved = { inputs: Object.fromEntries([...staged].map(([id, copy]) => [id, copy.rows])), ...(ofThis?.thisRows ? { this: ofThis.thisRows } : {}) };
      return { ...outcome, adapterResponse: { ...outcome.adapterResponse, rows_moved: rowsMoved } };
    } finally {
      await this.release(plan);
    }
  }

  /**
   * `config(watermark='col')` on an incremental run: the target table's
   * maximum of the column, as the term the one input holding it is
   * extracted with. The model relies on it, so the input must be one this
   * path moves; an empty target table has no maximum (every row moves).
   */
  private async configuredWatermark(x: NodeExecution, plan: NodePlan): Promise<{ input: string; term: PushedTerm } | undefined> {
    const configured = watermarkColumn(x.node);
    if (configured === undefined) return undefined;
    const target = nodeRelation(x, 'table');
    const column = checkedWatermarkColumn(x.node, configured, (await x.connection.catalog.describe(target.toRef())) ?? [], target.render());
    const result = await x.connection.query(`select max(${x.adapter.dialect.quoteIdentifier(column.name)}) from ${target.render()}`, [], { signal: x.signal });
    const max = result.rows[0]?.[0];
    if (max === null || max === undefined) return undefined;
    const where = { location: { file: x.node.original_file_path } };
    const value = termValue(max, column.type.kind);
    if (value === undefined) throw new DvtError('runtime', `${x.node.unique_id}: the watermark ${column.name} = ${String(max)} cannot be compared at the source`, where);
    const described = new Map<string, ColumnMeta[]>();
    for (const input of plan.inputs) described.set(input.unique_id, await this.describeInput(input));
    const found = configuredTerm(x.node, { column: column.name, value }, described);
    if (!plan.inputs.some((i) => i.moves && i.unique_id === found.input)) {
      throw new DvtError('config', `${x.node.unique_id}: watermark column '${column.name}' is on ${found.input}, which '${plan.target}' reads in place (federation='target' moves only remote inputs); filter it in the model's SQL`, where);
    }
    x.log('debug', `watermark: ${found.input} moves only rows where ${column.name} > ${JSON.stringify(value)}`);
    return found;
  }

  /** An incremental model whose table exists, not rebuilt by --full-refresh: its watermarks decide what moves. */
  private async isIncrementalRun(x: NodeExecution): Promise<boolean> {
    if (x.node.config.materialized !== 'incremental') return false;
    const runtime = await modelRuntime(x);
    return runtime.relationExists && !runtime.fullRefresh;
  }

  /** An input's columns as its own engine describes them. */
  private async describeInput(input: PlannedInput): Promise<ColumnMeta[]> {
    const lease = await this.pool.acquire(input.connection);
    try {
      return (await lease.connection.catalog!.describe(this.inputRelation(input, lease.adapter).toRef())) ?? [];
    } finally {
      lease.release();
    }
  }

  /** `dvt compile` of a `federate-target` model: its SQL as the target runs it, against the staged names. */
  async compile(x: NodeExecution, plan: NodePlan, runtime: Parameters<NodeExecution['compile']>[0]): Promise<string> {
    const output = this.output(plan.target);
    const relations = new Map<string, Relation>();
    for (const input of plan.inputs.filter((i) => i.moves)) {
      const { terms } = await this.opts.reads(plan.unique_id, input.unique_id);
      relations.set(input.unique_id, stagedRelation(x.adapter, output, stagedTableName(this.opts.project, input.unique_id, terms?.length ? x.node.name : undefined)));
    }
    return x.compile({ ...runtime, federated: { adapterType: x.adapter.type, relationFor: (id) => relations.get(id) } });
  }

  /** Every input of a target plan with its engine's row estimate, for `federation='auto'`. */
  async estimate(plan: NodePlan): Promise<SizedInput[]> {
    return Promise.all(
      plan.inputs.map(async (input) => {
        const lease = await this.pool.acquire(input.connection);
        try {
          const ref = this.inputRelation(input, lease.adapter).toRef();
          const listed = await lease.connection.catalog!.listRelations(ref.schema, ref.database);
          const found = listed.find((r) => r.identifier === ref.identifier) ?? listed.find((r) => r.identifier.toLowerCase() === ref.identifier.toLowerCase());
          return { unique_id: input.unique_id, moves: input.moves, rows: found?.stats?.rowCount };
        } catch (e) {
          this.opts.log('debug', `no row estimate for ${input.unique_id}: ${(e as Error).message}`);
          return { unique_id: input.unique_id, moves: input.moves, rows: undefined };
        } finally {
          lease.release();
        }
      }),
    );
  }

  /**
   * A model of the run is done with its staged inputs (or, for `auto` run in
   * DuckDB, never needed them): copies no other pending model reads are dropped.
   */
  async release(plan: NodePlan): Promise<void> {
    for (const input of plan.inputs.filter((i) => i.moves)) {
      const key = readerKey(plan, input);
      const left = (this.readers.get(key) ?? 1) - 1;
      this.readers.set(key, left);
      if (left > 0) continue;
      for (const [table, copy] of this.staged) {
        if (copy.output === plan.target && copy.input === input.unique_id) await this.dropCopy(table, copy);
      }
    }
  }

  /** Drops what no finished model released (readers skipped after a failure), then closes the connections. */
  async close(): Promise<unknown[]> {
    for (const [table, copy] of this.staged) await this.dropCopy(table, copy);
    await this.dropEmptySchemas();
    return this.pool.closeAll();
  }

  /**
   * The staged copy of one input for one model, loaded at most once per run.
   * A copy filtered for the model (WHERE terms, a `watermark` it requires) is
   * its own, `<table>__for__<model>`. An incremental run's `terms` (its
   * watermark subqueries evaluated) replace those of the model's WHERE.
   */
  private async stage(plan: NodePlan, input: PlannedInput, signal: AbortSignal, incremental: { watermark?: PushedTerm; terms?: PushedTerm[] }): Promise<Staged> {
    const reads = await this.opts.reads(plan.unique_id, input.unique_id);
    const { columns } = reads;
    const terms = incremental.terms ?? reads.terms;
    const { watermark } = incremental;
    const filtered = (terms !== undefined && terms.length > 0) || watermark !== undefined;
    const reader = this.opts.project.nodes.get(plan.unique_id)!.name;
    const table = stagedTableName(this.opts.project, input.unique_id, filtered ? reader : undefined);
    const key = `${plan.target}\u0000${table}`;
    let copy = this.staged.get(key);
    if (!copy) {
      const producer = this.opts.project.sources.get(input.unique_id) ?? this.opts.project.nodes.get(input.unique_id);
      if (!producer) throw new DvtError('runtime', `federation: unknown input ${input.unique_id}`);
      const maxAge = filtered ? undefined : cacheMaxAge(producer.config.cache, `${producer.original_file_path} (${input.unique_id})`);
      const created: StagedCopy = {
        input: input.unique_id,
        output: plan.target,
        keep: maxAge !== undefined,
        staged: this.load(plan.target, input, table, { need: columns ?? ALL_COLUMNS, terms: terms ?? [], watermark, maxAge, signal }),
      };
      copy = created;
      this.staged.set(key, created);
      // A failed load dropped its table; the next model that needs the input tries again.
      created.staged.catch(() => this.staged.get(key) === created && this.staged.delete(key));
    }
    return copy.staged;
  }

  private async load(
    outputName: string,
    input: PlannedInput,
    table: string,
    how: { need: ColumnNeed; terms: PushedTerm[]; watermark: PushedTerm | undefined; maxAge: number | undefined; signal: AbortSignal },
  ): Promise<Staged> {
    const sourceLease = await this.pool.acquire(input.connection);
    try {
      const targetLease = await this.pool.acquire(outputName);
      try {
        const from: Endpoint = { connection: sourceLease.connection as CompleteConnection, adapter: sourceLease.adapter };
        const to: Endpoint = { connection: targetLease.connection as CompleteConnection, adapter: targetLease.adapter };
        const relation = stagedRelation(to.adapter, targetLease.output, table);
        const source = this.inputRelation(input, from.adapter);
        const described = await from.connection.catalog.describe(source.toRef());
        if (!described) throw new DvtError('runtime', `federation: ${input.unique_id} (${source.render()}) does not exist on ${from.adapter.displayName}`);
        const columns = columnsForDestination(pickColumns(described, how.need), from.adapter.type === to.adapter.type);
        await this.ensureSchema(outputName, to, relation);
        if (how.maxAge !== undefined && !this.opts.fullRefresh && (await this.keptFresh(outputName, to, relation, columns, how.maxAge))) {
          this.opts.log('info', `staging: kept ${relation.render()} on '${outputName}' (younger than its max age)`);
          return { relation, rows: 0 };
        }
        if (columns.length < described.length) this.opts.log('debug', `staging: ${table} keeps ${columns.length} of ${described.length} columns (${columns.map((c) => c.name).join(', ')})`);
        const safe = renderPushedTerms(how.terms, described.filter((c) => STAGED_FILTER_KINDS.has(c.type.kind)), from.adapter.dialect);
        // The watermark is the model's own instruction: it applies to dates and times too (configuredTerm checked the kinds).
        const required = how.watermark && renderPushedTerms([how.watermark], described, from.adapter.dialect);
        const where = [safe, required].filter(Boolean).join(' and ');
        if (where) this.opts.log('debug', `staging: ${table} extracts only rows where ${where}`);
        const select = `select ${columns.map((c) => from.adapter.dialect.quoteIdentifier(c.name)).join(', ')} from ${source.render()}${where ? ` where ${where}` : ''}`;
        // A kept copy is marked stale before it changes, so a killed load is never taken for a fresh one.
        if (how.maxAge !== undefined) await this.writeMeta(outputName, to, relation, undefined);
        await this.drop(to, relation);
        const loadColumns = sizesDecimals(to.adapter, columns) ? decimalsAsText(columns) : columns;
        await to.connection.query(createTableSql(to.adapter, relation.toRef(), loadColumns));
        let rows: number;
        try {
          const stats = await MoveProgressReporter.around(this.opts.progress, input.unique_id, `into ${relation.render()} on '${outputName}'`, (onProgress) =>
            moveRows({ from, sql: select, to, relation: relation.toRef(), columns: loadColumns, signal: how.signal, ...(onProgress ? { onProgress } : {}) }),
          );
          if (loadColumns !== columns) await sizeDecimals(to.connection, to.adapter, relation, columns, `staged ${relation.render()}`);
          rows = stats.rows;
          this.opts.log(
            'info',
            `moved ${stats.rows} rows of ${input.unique_id} into ${relation.render()} on '${outputName}' in ${stats.seconds.toFixed(2)}s (${stats.rowsPerSecond} rows/s; ${stats.route})`,
          );
        } catch (e) {
          await this.drop(to, relation).catch(() => undefined);
          throw e;
        }
        if (how.maxAge !== undefined) await this.writeMeta(outputName, to, relation, Date.now());
        return { relation, rows };
      } finally {
        targetLease.release();
      }
    } finally {
      sourceLease.release();
    }
  }

  /** An input as its own connection names it. */
  private inputRelation(input: PlannedInput, adapter: AdapterDefinition): Relation {
    return inputRelation(this.opts.project, this.opts.compiler, input.unique_id, adapter);
  }

  private output(name: string): ProfileOutput {
    const output = this.opts.project.profile.outputs[name];
    if (!output) throw new DvtError('config', `No profile output named '${name}'`);
    return output;
  }

  private async ensureSchema(outputName: string, to: Endpoint, relation: Relation): Promise<void> {
    let ready = this.schemas.get(outputName);
    if (!ready) {
      ready = (async () => {
        const existing = await to.connection.catalog.listSchemas(relation.database ?? undefined);
        if (existing.some((s) => s.toLowerCase() === relation.schema!.toLowerCase())) return { relation, created: false };
        for (const sql of this.macro(to, 'create_schema', relation)) await to.connection.query(sql);
        return { relation, created: true };
      })();
      this.schemas.set(outputName, ready);
      ready.catch(() => this.schemas.delete(outputName));
    }
    await ready;
  }

  /**
   * A staging schema this run created goes when the run leaves it empty, so
   * a target's own schemas are all a user sees after a run. One that existed
   * before, or still holds kept copies, stays.
   */
  private async dropEmptySchemas(): Promise<void> {
    for (const [outputName, ready] of this.schemas) {
      const schema = await ready.catch(() => undefined);
      if (!schema?.created) continue;
      const lease = await this.pool.acquire(outputName);
      try {
        const { relation } = schema;
        if ((await lease.connection.catalog!.listRelations(relation.schema!, relation.database ?? undefined)).length > 0) continue;
        for (const sql of this.macro({ connection: lease.connection as CompleteConnection, adapter: lease.adapter }, 'drop_schema', relation)) await lease.connection.query(sql);
      } catch (e) {
        this.opts.log('warn', `could not drop the empty staging schema on '${outputName}': ${(e as Error).message}`);
      } finally {
        lease.release();
      }
    }
  }

  private async drop(to: Endpoint, relation: Relation): Promise<void> {
    if (!(await to.connection.catalog.describe(relation.toRef()))) return;
    for (const sql of this.macro(to, 'drop_relation', relation)) await to.connection.query(sql);
  }

  private macro(to: Endpoint, name: string, relation: Relation): string[] {
    return asStatements(this.opts.compiler.callMacro(name, [relation], {}, { adapterType: to.adapter.type }), name);
  }

  private async dropCopy(key: string, copy: StagedCopy): Promise<void> {
    this.staged.delete(key);
    if (copy.keep) return;
    let relation: Relation;
    try {
      relation = (await copy.staged).relation;
    } catch {
      return; // the failed load dropped it
    }
    const lease = await this.pool.acquire(copy.output);
    try {
      await this.drop({ connection: lease.connection as CompleteConnection, adapter: lease.adapter }, relation);
      this.opts.log('debug', `staging: dropped ${relation.render()} on '${copy.output}'`);
    } catch (e) {
      this.opts.log('warn', `could not drop staged copy ${relation.render()} on '${copy.output}': ${(e as Error).message}`);
    } finally {
      lease.release();
    }
  }

  /** Whether a kept copy exists with every column asked for and was loaded less than `maxAge` seconds ago. */
  private async keptFresh(outputName: string, to: Endpoint, relation: Relation, columns: readonly ColumnSpec[], maxAge: number): Promise<boolean> {
    const existing = await to.connection.catalog.describe(relation.toRef());
    if (!existing) return false;
    const present = new Set(existing.map((c) => c.name.toLowerCase()));
    if (!columns.every((c) => present.has(c.name.toLowerCase()))) return false;
    const meta = await this.metaTable(outputName, to, relation);
    const literal = to.adapter.dialect.quoteLiteral(relation.identifier);
    const value = (await to.connection.query(`select loaded_at_ms from ${meta.render()} where table_name = ${literal}`)).rows[0]?.[0];
    return value !== undefined && value !== null && isFresh(new Date(Number(value)), maxAge, new Date());
  }

  /** Records when a kept copy was loaded; `undefined` forgets it (the copy is about to change). */
  private async writeMeta(outputName: string, to: Endpoint, relation: Relation, loadedAtMs: number | undefined): Promise<void> {
    const meta = await this.metaTable(outputName, to, relation);
    const literal = to.adapter.dialect.quoteLiteral(relation.identifier);
    await to.connection.query(`delete from ${meta.render()} where table_name = ${literal}`);
    if (loadedAtMs !== undefined) await to.connection.query(`insert into ${meta.render()} (table_name, loaded_at_ms) values (${literal}, ${loadedAtMs})`);
  }

  private async metaTable(outputName: string, to: Endpoint, beside: Relation): Promise<Relation> {
    const meta = beside.incorporate({ path: { identifier: META_TABLE } });
    let ready = this.metas.get(outputName);
    if (!ready) {
      ready = (async () => {
        if (!(await to.connection.catalog.describe(meta.toRef()))) await to.connection.query(createTableSql(to.adapter, meta.toRef(), META_COLUMNS));
      })();
      this.metas.set(outputName, ready);
      ready.catch(() => this.metas.delete(outputName));
    }
    await ready;
    return meta;
  }
}

function readerKey(plan: NodePlan, input: PlannedInput): string {
  return `${plan.target}\u0000${input.unique_id}`;
}

/** A view or ephemeral model would read staged copies that are dropped after the run: it is built as a table. */
function asTable(node: ExecutableNode): ExecutableNode {
  return ['view', 'ephemeral'].includes(String(node.config.materialized)) ? { ...node, config: { ...node.config, materialized: 'table' } } : node;
}
