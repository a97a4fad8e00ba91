import type { RetractResult, RetractStatus } from '@dvt/core';
import { booleanFlag, listFlag, stringFlag, UsageError } from '../args.js';
import type { CommandContext } from '../main.js';
import { plural, progressLine, seconds, tint, type Tone } from '../output/lines.js';
import { selectFromFlags } from '../selection.js';
import { openSession } from '../session.js';

const RETRACTABLE_TYPES = ['model', 'seed', 'snapshot'];

const LABELS: Record<RetractStatus, { verb: string; status: string; tone: Tone }> = {
  dropped: { verb: 'DROPPED', status: 'DROPPED', tone: 'good' },
  would_drop: { verb: 'WOULD DROP', status: 'DRY RUN', tone: 'neutral' },
  not_found: { verb: 'NOT FOUND', status: 'NOT FOUND', tone: 'warn' },
  error: { verb: 'ERROR dropping', status: 'ERROR', tone: 'bad' },
};

/**
 * `dvt retract`: drop the selected models, seeds and snapshots from the
 * targets they were built on, children first, with their cache tables.
 * `--dry-run` connects and looks, and drops nothing. Exit 1 when any drop
 * failed; a relation that is not there is reported, not a failure.
 */
export default async function retractCommand(ctx: CommandContext): Promise<number> {
  const { invocation, log } = ctx;
  if (!listFlag(invocation, 'select') && !stringFlag(invocation, 'selector') && !listFlag(invocation, 'exclude')) {
    // Dropping every model of a project is never a default: ask for it with --select.
    throw new UsageError("dvt retract needs --select (e.g. --select my_model+, or --select '*' for everything dvt built).");
  }
  const dryRun = booleanFlag(invocation, 'dry-run');
  const session = await openSession(ctx, { duckdb: true });
  try {
    const { retract } = await import('@dvt/core');
    const selection = await selectFromFlags(session.project, invocation, log, RETRACTABLE_TYPES);
    const results = await retract({
      project: session.project,
      compiler: session.compiler,
      selection,
      dryRun,
      resolveAdapter: session.resolveAdapter,
      onResult: (result, index, total) => report(ctx, result, index, total),
    });
    if (results.length === 0) {
      log.warn('NothingToDo', 'Nothing to retract: the selection holds no model, seed or snapshot dvt builds.');
      return 0;
    }
    summarize(ctx, results, dryRun);
    return results.some((r) => r.status === 'error') ? 1 : 0;
  } finally {
    await session.close();
  }
}

function report({ log }: CommandContext, result: RetractResult, index: number, total: number): void {
  const label = LABELS[result.status];
  const what = `${result.kind ?? ''}${result.kind ? ' ' : ''}${result.resource_type} ${result.relation} on '${result.output}'`;
  const status = result.status === 'dropped' ? `${label.status} in ${seconds(result.seconds)}` : label.status;
  const level = result.status === 'error' ? 'error' : 'info';
  log.event(level, 'RetractResult', (p) => progressLine(p, { index, total, verb: label.verb, description: what, status, tone: label.tone }), { result });
  for (const extra of result.alsoDropped) log.info('RetractExtra', `  ${result.status === 'would_drop' || result.status === 'not_found' ? 'and' : 'also'} ${extra}`);
  if (result.message) log.error('RetractError', (p) => p.red(`  ${result.message}`));
}

function summarize({ log }: CommandContext, results: RetractResult[], dryRun: boolean): void {
  const count = (status: RetractStatus) => results.filter((r) => r.status === status).length;
  const dropped = dryRun ? count('would_drop') : count('dropped');
  const missing = count('not_found');
  const failed = count('error');
  const extras = results.reduce((n, r) => n + r.alsoDropped.length, 0);
  log.info('Formatting', '');
  log.info('RetractSummary', `${dryRun ? 'Would drop' : 'Dropped'} ${plural(dropped, 'relation')}${extras > 0 ? ` and ${plural(extras, 'leftover or cache table', 'leftovers or cache tables')}` : ''}${dryRun ? ' (dry run: nothing was dropped)' : ''}.`);
  log.info('StatsLine', (p) =>
    `Done. ${tint(p, dropped > 0 ? 'good' : 'neutral', `${dryRun ? 'WOULD_DROP' : 'DROPPED'}=${dropped}`)} ${tint(p, missing > 0 ? 'warn' : 'neutral', `NOT_FOUND=${missing}`)} ${tint(p, failed > 0 ? 'bad' : 'neutral', `ERROR=${failed}`)} TOTAL=${results.length}`,
    { stats: { dropped, not_found: missing, error: failed, total: results.length, dry_run: dryRun } },
  );
}
