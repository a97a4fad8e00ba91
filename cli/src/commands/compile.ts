import type { AdapterDefinition } from '@dvt/core';
import { booleanFlag, integerFlag, stringFlag, UsageError } from '../args.js';
import { writeArtifacts } from '../artifacts.js';
import type { CommandContext } from '../main.js';
import { planTable } from '../output/plan-table.js';
import { RunReporter } from '../output/run-report.js';
import { selectFromFlags } from '../selection.js';
import { openSession, type Session } from '../session.js';

/**
 * `dvt compile`: render the selected nodes into target/compiled/ (no
 * connection needed beyond what macros ask for), or print `--inline` SQL
 * compiled. With one node selected, prints its SQL as dbt does.
 */
export default async function compile(ctx: CommandContext): Promise<number> {
  const session = await openSession(ctx, { database: true });
  try {
    return await compileWith(ctx, session);
  } finally {
    await session.close();
  }
}

async function compileWith(ctx: CommandContext, session: Session): Promise<number> {
  const { invocation, log } = ctx;
  const { runCommand, inlineNode } = await import('@dvt/core');
  const output = stringFlag(invocation, 'output');
  if (output !== undefined && output !== 'json') throw new UsageError(`dvt compile --output takes json (got '${output}').`);
  const json = output === 'json';
  const inline = stringFlag(invocation, 'inline');
  if (inline !== undefined) {
    const sql = session.compiler.compileNode(inlineNode(session.project, inline)).compiled_code;
    if (json) {
      log.result('CompiledSql', JSON.stringify({ node: 'inline_query', compiled: sql }), { compiled: sql, node_name: 'inline_query' });
    } else {
      log.info('CompiledNode', 'Compiled inline node is:');
      log.result('CompiledSql', sql, { compiled: sql, node_name: 'inline_query' });
    }
    return 0;
  }
  const selection = await selectFromFlags(session.project, invocation, log);
  const reporter = new RunReporter(log, (id) => session.project.nodes.get(id), { perNode: false });
  const outcome = await runCommand({
    command: 'compile',
    project: session.project,
    compiler: session.compiler,
    selection,
    threads: integerFlag(invocation, 'threads'),
    failFast: booleanFlag(invocation, 'fail-fast'),
    targetPath: session.targetPath,
    resolveAdapter: session.resolveAdapter,
    events: reporter.handle,
  });
  await writeArtifacts(session, ctx, outcome);
  const compiled = outcome.results.filter((r) => r.compiled_code !== null && !r.unique_id.startsWith('test.'));
  const single = outcome.success && compiled.length === 1 ? compiled[0] : undefined;
  if (single && !json) {
    const node = session.project.nodes.get(single.unique_id);
    log.info('CompiledNode', `Compiled node '${node?.name}' is:`);
    log.result('CompiledSql', single.compiled_code ?? '', { unique_id: single.unique_id, compiled: single.compiled_code });
  }
  await reportPlan(ctx, session, selection, json ? single : undefined);
  return outcome.success ? 0 : 1;
}

/**
 * The plan of the selected nodes (decided before anything runs): a table, or
 * with `--output json` one object per node, as `dvt ls --output json` gives
 * it, with the compiled SQL when one node was compiled.
 */
async function reportPlan(ctx: CommandContext, session: Session, selection: readonly string[], single: { unique_id: string; compiled_code: string | null } | undefined): Promise<void> {
  const { log } = ctx;
  const core = await import('@dvt/core');
  const plan = core.planFederation(session.project, { adapterOf: (type) => adapterOrUndefined(session, type) });
  const planned = selection.filter((id) => plan.nodes.has(id));
  if (stringFlag(ctx.invocation, 'output') !== 'json') {
    const shown = planned.filter((id) => !id.startsWith('test.'));
    if (shown.length > 0) log.info('PlanTable', planTable(session.project, plan, shown));
    return;
  }
  for (const id of planned) {
    const node = session.project.nodes.get(id)!;
    const item = {
      unique_id: id,
      name: node.name,
      resource_type: node.resource_type,
      original_file_path: node.original_file_path,
      plan: core.describePlan(plan.nodes.get(id)!),
      ...(single?.unique_id === id ? { compiled: single.compiled_code } : {}),
    };
    log.result('NodePlan', JSON.stringify(item), { item });
  }
}

function adapterOrUndefined(session: Session, type: string): AdapterDefinition | undefined {
  try {
    return session.compiler.adapter(type);
  } catch {
    return undefined;
  }
}
