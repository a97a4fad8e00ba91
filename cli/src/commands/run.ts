import type { Project, RunCommandName } from '@dvt/core';
import { booleanFlag, integerFlag, listFlag } from '../args.js';
import type { CommandContext } from '../main.js';
import { RunReporter } from '../output/run-report.js';
import { selectFromFlags } from '../selection.js';
import { openSession } from '../session.js';
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
  const session = await openSession(ctx, { database: true });
  const types = listFlag(ctx.invocation, 'resource-type');
  const selection = chosen
    ? chosen(session.project)
    : await selectFromFlags(session.project, ctx.invocation, ctx.log, types?.includes('all') || types?.includes('default') ? undefined : types);
  const reporter = new RunReporter(ctx.log, (id) => session.project.nodes.get(id));
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
      signal: abort.signal,
    });
    await writeArtifacts(session, ctx, outcome);
    return outcome.success ? 0 : 1;
  } finally {
    process.off('SIGINT', onInterrupt);
    await session.close();
  }
}
