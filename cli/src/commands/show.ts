import { integerFlag, listFlag, stringFlag, UsageError } from '../args.js';
import type { CommandContext } from '../main.js';
import { formatTable, jsonRow } from '../output/table.js';
import { selectFromFlags } from '../selection.js';
import { openSession } from '../session.js';

/** `dvt show`: run one node's SQL (or --inline SQL) and print its first rows. */
export default async function show(ctx: CommandContext): Promise<number> {
  const { showQuery } = await import('@dvt/core');
  const { invocation, log } = ctx;
  const inline = stringFlag(invocation, 'inline');
  if (inline === undefined && !listFlag(invocation, 'select') && !stringFlag(invocation, 'selector')) {
    throw new UsageError("dvt show needs --select NODE or --inline 'SQL'.");
  }
  const limit = integerFlag(invocation, 'limit') ?? 5;
  const session = await openSession(ctx);
  const { project, compiler } = session;

  let node;
  let label: string;
  if (inline !== undefined) {
    label = 'inline query';
  } else {
    const selected = await selectFromFlags(project, invocation, ['model', 'seed', 'snapshot', 'analysis', 'test']);
    // dbt shows the one node named; tests that joined the selection indirectly are not it.
    const direct = selected.filter((id) => !id.startsWith('test.'));
    const chosen = direct.length > 0 ? direct : selected;
    if (chosen.length !== 1) {
      throw new UsageError(
        chosen.length === 0
          ? `No node matches --select ${listFlag(invocation, 'select')?.join(' ') ?? ''}.`
          : `dvt show previews one node; the selection matches ${chosen.length}: ${chosen.slice(0, 5).join(', ')}${chosen.length > 5 ? ', ...' : ''}.`,
      );
    }
    node = project.nodes.get(chosen[0]);
    label = `node '${node?.name}'`;
  }
  let inlineSql = inline === undefined ? undefined : compiler.renderHook(inline);
  // A seed's file is CSV, not SQL: preview the table it was loaded into.
  if (node?.resource_type === 'seed') {
    inlineSql = `select * from ${compiler.relationOf(node).render()}`;
    node = undefined;
  }
  const result = await showQuery({ project, compiler, node, inlineSql, limit, resolveAdapter: session.resolveAdapter });
  const columns = result.columns.map((c) => c.name);
  if (log.format === 'json') {
    log.info('ShowNode', `Previewing ${label}`, { columns, rows: result.rows.map((r) => jsonRow(columns, r)), is_inline: inline !== undefined });
  } else {
    log.info('ShowNode', `Previewing ${label}:`);
    log.result('ShowTable', formatTable(columns, result.rows));
  }
  return 0;
}
