import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { AdapterContext } from '../adapter/contract.js';
import { withDefaults, type CompleteConnection } from '../adapter/defaults/index.js';
import type { RunResult, RunStatus } from '../artifacts/types.js';
import type { NodeRuntime } from '../compile/index.js';
import { DvtError, isDvtError } from '../errors.js';
import { RunFederation } from '../federate/runner.js';
import type { ExecutableNode } from '../project/types.js';
import type { MaterializationResult, NodeExecution } from './context.js';
import { executeDataTest } from './data-test.js';
import { describeNode, countsText, projectCounts, summarize } from './describe.js';
import { materializeModel, modelRuntime } from './materialize/model.js';
import { planRun, selectedResources } from './plan.js';
import { ConnectionPool } from './pool.js';
import { runScheduled, type SkipReason } from './scheduler.js';
import { ensureSchemas } from './schemas.js';
import { materializeSeed } from './seed/load.js';
import { materializeSnapshot } from './snapshot.js';
import { materializeClone } from './clone.js';
import { StatementLog } from './statements.js';
import { executeUnitTest, UNIT_TEST_ENGINE } from '../unit/run.js';
import type { NodeDescription, RunCommandOptions, RunEvent, RunOutcome } from './types.js';

const OK_STATUSES: ReadonlySet<RunStatus> = new Set(['success', 'pass', 'warn']);

/**
 * Runs `dvt run | seed | test | build | compile` over the selected nodes:
 * opens connections, creates missing schemas, runs on-run-start hooks, then
 * every node on the scheduler, then on-run-end hooks. Never throws for a
 * node's failure (that is a result); throws DvtError when the run cannot
 * start (a profile output missing, an adapter that cannot connect, an
 * on-run-start hook failing). A failing on-run-end hook is in `hookFailures`.
 */
export async function runCommand(opts: RunCommandOptions): Promise<RunOutcome> {
  const started = Date.now();
  const emit = (e: RunEvent) => opts.events?.(e);
  const { project, compiler } = opts;
  const plan = planRun(project, opts.command, opts.selection);
  compiler.selectResources(selectedResources(project, opts.command, opts.selection));
  const defaultOutput = project.profile.outputs[project.profile.target];
  const threads = Math.max(1, opts.threads ?? defaultOutput?.threads ?? 1);
  const counts = projectCounts(project);
  emit({ type: 'run_start', command: opts.command, counts, countsText: countsText(counts), threads, target: project.profile.target });

  const ctx: AdapterContext = {
    projectDir: project.config.rootDir,
    logger: {
      debug: (message) => emit({ type: 'log', level: 'debug', message }),
      info: (message) => emit({ type: 'log', level: 'info', message }),
      warn: (message) => emit({ type: 'log', level: 'warn', message }),
    },
  };
  const pool = new ConnectionPool(project.profile.outputs, opts.resolveAdapter, ctx, opts.threads, (c, a) => withDefaults(c, a.dialect));
  const federation = RunFederation.create(opts, threads, ctx, opts.moveProgress ? (progress) => emit({ type: 'move_progress', ...progress }) : undefined);
  const results = new Map<string, RunResult>();
  const hookFailures: string[] = [];
  const executes = opts.command !== 'compile';
  try {
    if (executes && plan.nodes.length > 0) {
      await ensureSchemas(pool, compiler, plan.nodes);
      await runProjectHooks(opts, pool, 'on-run-start', emit);
    }
    const total = plan.nodes.length;
    const descriptions = new Map<string, NodeDescription>();
    plan.nodes.forEach((node, i) => descriptions.set(node.unique_id, describeNode(node, i + 1, total, opts.command === 'clone')));
    const byId = new Map(plan.nodes.map((n) => [n.unique_id, n]));

    await runScheduled({
      tasks: plan.tasks,
      threads,
      failFast: opts.failFast ?? false,
      signal: opts.signal,
      execute: async (id, task) => {
        const node = byId.get(id)!;
        const description = descriptions.get(id)!;
        emit({ type: 'node_start', node: description, thread_id: task.threadId });
        const result = await executeNode(opts, pool, federation, node, task.threadId, task.signal, emit, ctx);
        results.set(id, result);
        emit({ type: 'node_end', node: description, result });
        return OK_STATUSES.has(result.status) ? 'success' : 'failure';
      },
      onSkip: (id, reason) => {
        const skipped = byId.get(id)!;
        const result = skippedResult(id, reason, skipped.resource_type === 'unit_test' ? null : compiler.relationOf(skipped).render());
        results.set(id, result);
        emit({ type: 'node_end', node: descriptions.get(id)!, result });
      },
    });
    if (executes && plan.nodes.length > 0) {
      // The nodes' results stand: a failing on-run-end hook is reported beside them.
      try {
        await runProjectHooks(opts, pool, 'on-run-end', emit, onRunEndLocals(plan.nodes, results));
      } catch (e) {
        hookFailures.push(isDvtError(e) ? e.message : (e as Error).message);
      }
    }
  } finally {
    for (const e of [...(await federation.close()), ...(await pool.closeAll())]) emit({ type: 'log', level: 'warn', message: `closing a connection failed: ${(e as Error).message}` });
  }

  const ordered = plan.nodes.map((n) => results.get(n.unique_id)!).filter(Boolean);
  const elapsed = (Date.now() - started) / 1000;
  const summary = summarize(ordered);
  emit({ type: 'run_end', elapsed, summary, results: ordered });
  return { results: ordered, elapsed, success: hookFailures.length === 0 && ordered.every((r) => OK_STATUSES.has(r.status)), hookFailures };
}

async function executeNode(
  opts: RunCommandOptions,
  pool: ConnectionPool,
  federation: RunFederation,
  node: ExecutableNode,
  threadId: string,
  signal: AbortSignal,
  emit: (e: RunEvent) => void,
  ctx: AdapterContext,
): Promise<RunResult> {
  const timing: RunResult['timing'] = [];
  let compiledCode: string | null = null;
  let executeStart: string | undefined;
  const t0 = Date.now();
  // Unit tests run in an in-memory DuckDB: they never take a connection to the model's target.
  if (node.resource_type === 'unit_test') return runUnitTest(opts, pool, ctx, node, threadId, signal, emit);
  let lease;
  try {
    lease = await pool.acquire(opts.compiler.outputOf(node).name);
  } catch (e) {
    return errorResult(node, threadId, e, t0, timing, null);
  }
  const sql = new StatementLog(lease.connection, signal, (statement) =>
    emit({ type: 'log', level: 'debug', message: `On ${node.unique_id}: ${statement}`, unique_id: node.unique_id }),
  );
  const x: NodeExecution = {
    node,
    compiler: opts.compiler,
    connection: lease.connection as CompleteConnection,
    adapter: lease.adapter,
    fullRefresh: opts.fullRefresh ?? false,
    signal,
    sql,
    compile: (runtime: NodeRuntime) => {
      x.runtime = runtime;
      const compileStart = new Date().toISOString();
      try {
        const nodeConnection = { outputName: opts.compiler.outputOf(node).name, connection: lease.connection };
        compiledCode = opts.compiler.compileNode(node, runtime.federated ? runtime : { ...runtime, nodeConnection }).compiled_code;
        return compiledCode;
      } finally {
        timing.push({ name: 'compile', started_at: compileStart, completed_at: new Date().toISOString() });
        executeStart = new Date().toISOString();
      }
    },
    log: (level, message) => emit({ type: 'log', level, message, unique_id: node.unique_id }),
  };
  const stopCancel = cancelOnAbort(signal, lease.connection);
  try {
    executeStart = new Date().toISOString();
    const outcome = await materialize(opts, x, federation);
    timing.push({ name: 'execute', started_at: executeStart, completed_at: new Date().toISOString() });
    if (opts.command !== 'compile' && sql.executed.length > 0) await writeRunFile(opts, node, sql.text());
    return {
      unique_id: node.unique_id,
      status: outcome.status,
      timing,
      thread_id: threadId,
      execution_time: (Date.now() - t0) / 1000,
      adapter_response: adapterResponse(outcome),
      message: outcome.status === 'pass' ? null : outcome.message,
      failures: outcome.failures ?? null,
      compiled: outcome.compiledCode !== null,
      compiled_code: outcome.compiledCode,
      relation_name: outcome.relation?.render() ?? null,
      ...(outcome.batchResults ? { batch_results: outcome.batchResults } : {}),
    };
  } catch (e) {
    if (executeStart && compiledCode !== null) timing.push({ name: 'execute', started_at: executeStart, completed_at: new Date().toISOString() });
    if (opts.command !== 'compile' && sql.executed.length > 0) await writeRunFile(opts, node, sql.text()).catch(() => undefined);
    return errorResult(node, threadId, e, t0, timing, compiledCode);
  } finally {
    stopCancel();
    lease.release();
  }
}

/** A unit test's result: pass, fail with the diff, or an error naming the test's YAML file and line. */
async function runUnitTest(
  opts: RunCommandOptions,
  pool: ConnectionPool,
  ctx: AdapterContext,
  node: ExecutableNode,
  threadId: string,
  signal: AbortSignal,
  emit: (e: RunEvent) => void,
): Promise<RunResult> {
  const t0 = Date.now();
  const started = new Date().toISOString();
  const test = opts.project.unitTests.get(node.unique_id)!;
  try {
    const outcome = await executeUnitTest(test, node, {
      project: opts.project,
      compiler: opts.compiler,
      duckdb: await opts.resolveAdapter(UNIT_TEST_ENGINE),
      pool,
      ctx,
      targetPath: opts.targetPath,
      signal,
      log: (level, message) => emit({ type: 'log', level, message, unique_id: node.unique_id }),
    });
    return {
      unique_id: node.unique_id,
      status: outcome.status,
      timing: [{ name: 'execute', started_at: started, completed_at: new Date().toISOString() }],
      thread_id: threadId,
      execution_time: (Date.now() - t0) / 1000,
      adapter_response: adapterResponse(outcome),
      message: outcome.status === 'pass' ? null : outcome.message,
      failures: outcome.failures ?? null,
      compiled: true,
      compiled_code: outcome.compiledCode,
      relation_name: null,
    };
  } catch (e) {
    return errorResult(node, threadId, e, t0, [], null);
  }
}

async function materialize(opts: RunCommandOptions, x: NodeExecution, federation: RunFederation): Promise<MaterializationResult> {
  const federated = federation.federated(x.node);
  if (opts.command === 'compile') {
    const runtime = x.node.resource_type === 'model' ? await modelRuntime(x) : { relationExists: false, fullRefresh: x.fullRefresh };
    const compiledCode = federated ? await federation.compile(x, federated, runtime) : x.compile(runtime);
    return { status: 'success', message: 'compiled', compiledCode, relation: x.node.resource_type === 'test' ? null : x.compiler.relationOf(x.node) };
  }
  if (opts.command === 'clone') {
    if (!opts.cloneFrom) throw new DvtError('usage', 'clone needs the --state manifest to clone from');
    return materializeClone(x, opts.cloneFrom);
  }
  if (federated) return federation.materialize(x, federated);
  switch (x.node.resource_type) {
    case 'model':
      return materializeModel(x);
    case 'seed':
      return materializeSeed(x);
    case 'test':
      return executeDataTest(x);
    case 'snapshot':
      return materializeSnapshot(x);
    default:
      throw new DvtError('runtime', `dvt cannot run ${x.node.resource_type} nodes yet (${x.node.unique_id})`, {
        location: { file: x.node.original_file_path },
      });
  }
}

function cancelOnAbort(signal: AbortSignal, connection: { cancel?(): Promise<void> }): () => void {
  if (!connection.cancel) return () => undefined;
  const onAbort = () => void connection.cancel!().catch(() => undefined);
  signal.addEventListener('abort', onAbort, { once: true });
  return () => signal.removeEventListener('abort', onAbort);
}

function adapterResponse(outcome: MaterializationResult): Record<string, unknown> {
  const response: Record<string, unknown> = { ...outcome.adapterResponse, _message: outcome.message };
  if (outcome.code) response.code = outcome.code;
  if (outcome.rowsAffected !== undefined) response.rows_affected = outcome.rowsAffected;
  return response;
}

const KIND_LABEL: Record<string, string> = {
  compile: 'Compilation Error',
  config: 'Compilation Error',
  database: 'Database Error',
  runtime: 'Runtime Error',
  adapter: 'Adapter Error',
  usage: 'Runtime Error',
};

/** dbt's shape: `Database Error in model orders (models/orders.sql)` and the engine's words below. */
export function errorMessage(node: ExecutableNode, error: unknown): string {
  const what = `${node.resource_type} ${node.name} (${node.original_file_path})`;
  if (isDvtError(error)) return `${KIND_LABEL[error.kind] ?? 'Error'} in ${what}\n  ${error.format().replace(/\n/g, '\n  ')}`;
  const message = error instanceof Error ? error.message : String(error);
  return `Database Error in ${what}\n  ${message.replace(/\n/g, '\n  ')}`;
}

function errorResult(
  node: ExecutableNode,
  threadId: string,
  error: unknown,
  t0: number,
  timing: RunResult['timing'],
  compiledCode: string | null,
): RunResult {
  return {
    unique_id: node.unique_id,
    status: 'error',
    timing,
    thread_id: threadId,
    execution_time: (Date.now() - t0) / 1000,
    adapter_response: {},
    message: errorMessage(node, error),
    failures: null,
    compiled: compiledCode !== null,
    compiled_code: compiledCode,
    relation_name: null,
  };
}

function skippedResult(id: string, reason: SkipReason, relationName: string | null): RunResult {
  const message =
    reason.kind === 'upstream'
      ? `Skipped because ${reason.failedAncestor} failed`
      : reason.kind === 'fail-fast'
        ? `Skipped: --fail-fast stopped the run after ${reason.failedNode} failed`
        : 'Skipped: the run was cancelled';
  return {
    unique_id: id,
    status: 'skipped',
    timing: [],
    thread_id: 'main',
    execution_time: 0,
    adapter_response: {},
    message,
    failures: null,
    compiled: false,
    compiled_code: null,
    relation_name: relationName,
  };
}

/** `target/run/<package>/<path>`: the SQL the node executed (generic tests under their YAML file's path). */
export function runFilePath(targetPath: string, node: ExecutableNode): string {
  const rel = node.resource_type === 'test' && node.test_metadata ? join(node.original_file_path, `${node.name}.sql`) : node.original_file_path;
  return join(targetPath, 'run', node.package_name, rel);
}

/** Asynchronous, so other workers' statements are not held up by the disk. */
async function writeRunFile(opts: RunCommandOptions, node: ExecutableNode, text: string): Promise<void> {
  const file = runFilePath(opts.targetPath, node);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, text);
}

/**
 * What dbt gives on-run-end hooks: `results` (each run result with its
 * `node`), and the schemas the run built into — of models, seeds and
 * snapshots that did not fail or skip — as `schemas` and `database_schemas`.
 */
function onRunEndLocals(nodes: readonly ExecutableNode[], results: ReadonlyMap<string, RunResult>): Record<string, unknown> {
  const ran = nodes.flatMap((node) => {
    const result = results.get(node.unique_id);
    return result ? [{ ...result, node }] : [];
  });
  const built = new Map<string, [string, string]>();
  for (const { node, status } of ran) {
    if (!['model', 'seed', 'snapshot'].includes(node.resource_type) || node.config.materialized === 'ephemeral') continue;
    if (['error', 'fail', 'skipped'].includes(status)) continue;
    built.set(`${node.database}\u0000${node.schema}`, [node.database, node.schema]);
  }
  const databaseSchemas = [...built.values()];
  return { results: ran, schemas: [...new Set(databaseSchemas.map(([, schema]) => schema))], database_schemas: databaseSchemas };
}

async function runProjectHooks(
  opts: RunCommandOptions,
  pool: ConnectionPool,
  phase: 'on-run-start' | 'on-run-end',
  emit: (e: RunEvent) => void,
  locals: Record<string, unknown> = {},
): Promise<void> {
  const hooks = phase === 'on-run-start' ? opts.project.config.onRunStart : opts.project.config.onRunEnd;
  if (hooks.length === 0) return;
  emit({ type: 'hooks_start', phase, count: hooks.length });
  const lease = await pool.acquire(opts.project.profile.target);
  try {
    for (const [i, hook] of hooks.entries()) {
      const t0 = Date.now();
      let sql = hook;
      try {
        sql = opts.compiler.renderHook(hook, undefined, {}, locals).trim();
        if (sql.length > 0) await lease.connection.query(sql);
        emit({ type: 'hook_end', phase, index: i + 1, total: hooks.length, sql, status: 'success', execution_time: (Date.now() - t0) / 1000 });
      } catch (e) {
        const message = isDvtError(e) ? e.format() : (e as Error).message;
        emit({ type: 'hook_end', phase, index: i + 1, total: hooks.length, sql, status: 'error', execution_time: (Date.now() - t0) / 1000, message });
        throw new DvtError('runtime', `${phase} hook ${i + 1} failed: ${message}`, { location: { file: 'dbt_project.yml' }, cause: e });
      }
    }
  } finally {
    lease.release();
  }
}
