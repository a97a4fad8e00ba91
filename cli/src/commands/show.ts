import type { ExecutableNode, MoveProgressEvent } from '@dvt/core';
import { integerFlag, listFlag, stringFlag, UsageError } from '../args.js';
import type { CommandContext } from '../main.js';
import { showMoveProgress } from '../output/run-report.js';
import { formatTable, jsonRow } from '../output/table.js';
import { selectFromFlags } from '../selection.js';
import { openSession, type Session } from '../session.js';

/**
 * `dvt show`: preview the selected nodes (or --inline SQL) and print the
 * first rows of each. Nothing is written to any target: a query runs where
 * its inputs are when that is DuckDB, otherwise in the DuckDB cache on
 * copies of its inputs (see core's showQuery).
 */
export default async function show(ctx: CommandContext): Promise<number> {
  const { invocation } = ctx;
  const inline = stringFlag(invocation, 'inline');
  if (inline === undefined && !listFlag(invocation, 'select') && !stringFlag(invocation, 'selector')) {
    throw new UsageError("dvt show needs --select NODE or --inline 'SQL'.");
  }
  const limit = integerFlag(invocation, 'limit') ?? 5;
  const output = stringFlag(invocation, 'output');
  if (output !== undefined && output !== 'json') throw new UsageError(`dvt show --output takes json (got '${output}').`);
  const session = await openSession(ctx, { database: true, duckdb: true });
  try {
    return await showWith(ctx, session, inline, limit);
  } finally {
    await session.close();
  }
}

async function showWith(ctx: CommandContext, session: Session, inline: string | undefined, limit: number): Promise<number> {
  const { invocation } = ctx;
  if (inline !== undefined) {
    const { inlineNode } = await import('@dvt/core');
    await preview(ctx, session, { label: 'inline query', node: inlineNode(session.project, inline), isInline: true, limit });
    return 0;
  }
  const selected = await selectFromFlags(session.project, invocation, ctx.log, ['model', 'seed', 'snapshot', 'analysis', 'test']);
  session.compiler.selectResources(selected);
  // Tests join a selection indirectly (dbt's eager rule); show previews the nodes asked for.
  const direct = selected.filter((id) => !id.startsWith('test.'));
  const chosen = direct.length > 0 ? direct : selected;
  if (chosen.length === 0) throw new UsageError(`No node matches --select ${listFlag(invocation, 'select')?.join(' ') ?? ''}.`);
  for (const id of chosen) {
    const node = session.project.nodes.get(id) as ExecutableNode;
    await preview(ctx, session, { label: `node '${node.name}'`, node, limit });
  }
  return 0;
}

async function preview({ log, invocation }: CommandContext, session: Session, what: { label: string; node: ExecutableNode; isInline?: boolean; limit: number }): Promise<void> {
  const { showQuery } = await import('@dvt/core');
  const { project, compiler, resolveAdapter } = session;
  const result = await showQuery({
    project,
    compiler,
    node: what.node,
    inline: what.isInline === true,
    limit: what.limit,
    resolveAdapter,
    log: (level, message) => log.event(level, 'ShowPlacement', message),
    ...(log.showsProgress ? { progress: (e: MoveProgressEvent) => showMoveProgress(log, e) } : {}),
  });
  const columns = result.columns.map((c) => c.name);
  if (stringFlag(invocation, 'output') === 'json') {
    // dbt's `show --output json`: the node's name and its rows as objects.
    log.result('ShowNode', JSON.stringify({ node: what.node.name, show: result.rows.map((r) => jsonRow(columns, r)) }, null, 2), { columns, is_inline: what.isInline === true });
  } else if (log.format === 'json') {
    log.result('ShowNode', `Previewing ${what.label}`, { columns, rows: result.rows.map((r) => jsonRow(columns, r)), is_inline: what.isInline === true });
  } else {
    log.info('ShowNode', `Previewing ${what.label}:`);
    log.result('ShowTable', formatTable(columns, result.rows));
  }
}
