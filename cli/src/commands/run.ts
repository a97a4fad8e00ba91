import type { Project, RunCommandName } from '@dvt/core';
import { resolve } from 'node:path';
import { booleanFlag, integerFlag, listFlag, stringFlag, UsageError } from '../args.js';
import type { CommandContext } from '../main.js';
import { RunReporter } from '../output/run-report.js';
import { selectFromFlags } from '../selection.js';
import { openSession, type Session } from '../session.js';
import { writeArtifacts } from '../artifacts.js';

/** `dvt seed | run | test | build | snapshot`: select, run on the scheduler, print dbt's lines, write the artifacts. */
export default async function run(ctx: CommandContext): Promise<number> {
  return runNodes(ctx);
}

/**
 * The run itself; `chosen` replaces the selection flags (`dvt retry` hands
 * over the nodes to run again, of those the project still has).
 */
export async function runNodes(ctx: CommandContext, chosen?: (project: Project) => string[]): Promise<number> {
  const command = ctx.invocation.command as RunCommandName;
  const { runCommand } = await import('@dvt/core');
  const cloneFrom = command === 'clone' ? await cloneSource(ctx) : undefined;
  const session = await openSession(ctx, { database: true });
  const selection = chosen ? chosen(session.project) : await selectFromFlags(session.project, ctx.invocation, ctx.log, resourceTypesOf(ctx, command));
  if (booleanFlag(ctx.invocation, 'defer')) await deferToState(ctx, session, selection);
  const reporter = new RunReporter(ctx.log, (id) => session.project.nodes.get(id) ?? session.project.unitTests.get(id));
  const abort = new AbortController();
  const onInterrupt = () => abort.abort(new Error('interrupted (Ctrl-C)'));
  process.once('SIGINT', onInterrupt);
  try {
    const outcome = await runCommand({
      command,
      project: session.project,
      compiler: session.compiler,
      selection,
      threads: integerFlag(ctx.invocation, 'threads'),
      fullRefresh: booleanFlag(ctx.invocation, 'full-refresh'),
      failFast: booleanFlag(ctx.invocation, 'fail-fast'),
      targetPath: session.targetPath,
      resolveAdapter: session.resolveAdapter,
      events: reporter.handle,
      moveProgress: ctx.log.showsProgress,
      signal: abort.signal,
      ...(cloneFrom ? { cloneFrom } : {}),
    });
    await writeArtifacts(session, ctx, outcome);
    return outcome.success ? 0 : 1;
  } finally {
    process.off('SIGINT', onInterrupt);
    await session.close();
  }
}

/** Every type a command may run, for `--exclude-resource-type` to take from. */
const COMMAND_TYPES: Partial<Record<RunCommandName, string[]>> = {
  test: ['test', 'unit_test'],
  build: ['seed', 'model', 'snapshot', 'test', 'unit_test'],
};

/** `--resource-type` (all/default: no restriction) minus `--exclude-resource-type`; undefined = every type. */
function resourceTypesOf(ctx: CommandContext, command: RunCommandName): string[] | undefined {
  const requested = listFlag(ctx.invocation, 'resource-type');
  const excluded = listFlag(ctx.invocation, 'exclude-resource-type') ?? [];
  const types = requested?.includes('all') || requested?.includes('default') ? undefined : requested;
  if (excluded.length === 0) return types;
  return (types ?? COMMAND_TYPES[command] ?? []).filter((t) => !excluded.includes(t));
}

/** `clone`'s source: the --state manifest, which it cannot do without. */
async function cloneSource(ctx: CommandContext) {
  const dir = stringFlag(ctx.invocation, 'state');
  if (dir === undefined) throw new UsageError('clone needs --state DIR: the directory of the manifest.json whose relations to clone.');
  const core = await import('@dvt/core');
  return core.readStateManifest(resolve(ctx.cwd, dir));
}

/** `--defer`: unselected parents the target lacks are read from the --state manifest's relations. */
async function deferToState(ctx: CommandContext, session: Session, selection: string[]): Promise<void> {
  const dir = stringFlag(ctx.invocation, 'state');
  if (dir === undefined) throw new UsageError('--defer needs --state DIR: the directory of the manifest.json to defer to.');
  const core = await import('@dvt/core');
  const deferred = await core.deferredInputs({
    project: session.project,
    compiler: session.compiler,
    selection,
    state: core.readStateManifest(resolve(ctx.cwd, dir)),
    resolveAdapter: session.resolveAdapter,
  });
  session.compiler.deferTo(deferred);
  for (const [id, to] of deferred) ctx.log.debug('DeferredRelation', `${id} is read from ${[to.database, to.schema, to.identifier].filter(Boolean).join('.')} (--state)`);
}
