import type { ExecutableNode } from '@dvt/core';
import { integerFlag, listFlag, stringFlag, UsageError } from '../args.js';
import type { CommandContext } from '../main.js';
import { inlineNode } from '../inline.js';
import { formatTable, jsonRow } from '../output/table.js';
import { selectFromFlags } from '../selection.js';
import { openSession, type Session } from '../session.js';

/** `dvt show`: run the selected nodes' SQL (or --inline SQL) and print the first rows of each. */
export default async function show(ctx: CommandContext): Promise<number> {
  const { invocation } = ctx;
  const inline = stringFlag(invocation, 'inline');
  if (inline === undefined && !listFlag(invocation, 'select') && !stringFlag(invocation, 'selector')) {
    throw new UsageError("dvt show needs --select NODE or --inline 'SQL'.");
  }
  const limit = integerFlag(invocation, 'limit') ?? 5;
  const session = await openSession(ctx, { database: true });
  try {
    return await showWith(ctx, session, inline, limit);
  } finally {
    await session.close();
  }
}

async function showWith(ctx: CommandContext, session: Session, inline: string | undefined, limit: number): Promise<number> {
  const { invocation } = ctx;
  if (inline !== undefined) {
    await preview(ctx, session, { label: 'inline query', node: await inlineNode(session.project, inline), isInline: true, limit });
    return 0;
  }
  const selected = await selectFromFlags(session.project, invocation, ctx.log, ['model', 'seed', 'snapshot', 'analysis', 'test']);
  // Tests join a selection indirectly (dbt's eager rule); show previews the nodes asked for.
  const direct = selected.filter((id) => !id.startsWith('test.'));
  const chosen = direct.length > 0 ? direct : selected;
  if (chosen.length === 0) throw new UsageError(`No node matches --select ${listFlag(invocation, 'select')?.join(' ') ?? ''}.`);
  for (const id of chosen) {
    const node = session.project.nodes.get(id) as ExecutableNode;
    // A seed's file is CSV, not SQL: preview the table it was loaded into.
    if (node.resource_type === 'seed') {
      await preview(ctx, session, { label: `node '${node.name}'`, inlineSql: `select * from ${session.compiler.relationOf(node).render()}`, limit });
    } else {
      await preview(ctx, session, { label: `node '${node.name}'`, node, limit });
    }
  }
  return 0;
}

async function preview(
  { log }: CommandContext,
  session: Session,
  what: { label: string; node?: ExecutableNode; inlineSql?: string; isInline?: boolean; limit: number },
): Promise<void> {
  const { showQuery } = await import('@dvt/core');
  const { project, compiler, resolveAdapter } = session;
  const result = await showQuery({ project, compiler, node: what.node, inlineSql: what.inlineSql, limit: what.limit, resolveAdapter });
  const columns = result.columns.map((c) => c.name);
  if (log.format === 'json') {
    log.result('ShowNode', `Previewing ${what.label}`, { columns, rows: result.rows.map((r) => jsonRow(columns, r)), is_inline: what.isInline === true });
  } else {
    log.info('ShowNode', `Previewing ${what.label}:`);
    log.result('ShowTable', formatTable(columns, result.rows));
  }
}
