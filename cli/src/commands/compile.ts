import { booleanFlag, integerFlag, stringFlag } from '../args.js';
import { writeArtifacts } from '../artifacts.js';
import type { CommandContext } from '../main.js';
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
  const inline = stringFlag(invocation, 'inline');
  if (inline !== undefined) {
    const sql = session.compiler.compileNode(inlineNode(session.project, inline)).compiled_code;
    log.info('CompiledNode', 'Compiled inline node is:');
    log.result('CompiledSql', sql, { compiled: sql, node_name: 'inline_query' });
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
  if (outcome.success && compiled.length === 1) {
    const node = session.project.nodes.get(compiled[0].unique_id);
    log.info('CompiledNode', `Compiled node '${node?.name}' is:`);
    log.result('CompiledSql', compiled[0].compiled_code ?? '', { unique_id: compiled[0].unique_id, compiled: compiled[0].compiled_code });
  }
  return outcome.success ? 0 : 1;
}
