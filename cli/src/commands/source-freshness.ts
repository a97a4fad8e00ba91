import type { FreshnessEvent, FreshnessResult, FreshnessSourceInfo } from '@dvt/core';
import { integerFlag, UsageError } from '../args.js';
import type { CommandContext } from '../main.js';
import type { Log } from '../output/log.js';
import { doneLine, plural, progressLine, seconds, type Tone } from '../output/lines.js';
import { humanDuration } from '../output/run-report.js';
import { selectFromFlags } from '../selection.js';
import { openSession } from '../session.js';

/**
 * `dvt source freshness`: how old each selected source's newest row is,
 * judged by its `freshness:` thresholds; writes target/sources.json. Exit 1
 * when a source is past error_after or could not be checked, as dbt.
 */
export default async function sourceFreshness(ctx: CommandContext): Promise<number> {
  const sub = ctx.invocation.positional;
  if (sub !== 'freshness') {
    throw new UsageError(sub === undefined ? "dvt source needs a sub-command: dvt source freshness." : `Unknown sub-command 'source ${sub}': dvt source freshness.`);
  }
  const core = await import('@dvt/core');
  const session = await openSession(ctx);
  try {
    const selection = await selectFromFlags(session.project, ctx.invocation, ctx.log, ['source']);
    const reporter = new FreshnessReporter(ctx.log);
    const outcome = await core.runSourceFreshness({
      project: session.project,
      compiler: session.compiler,
      selection,
      threads: integerFlag(ctx.invocation, 'threads'),
      resolveAdapter: session.resolveAdapter,
      events: reporter.handle,
    });
    const path = core.writeSourcesJson(session.targetPath, outcome.results, outcome.elapsed, {
      invocationId: session.invocationId,
      invocationStartedAt: session.startedAt,
      env: core.customEnv(ctx.env),
    });
    ctx.log.debug('ArtifactWritten', `Wrote ${path}`);
    return outcome.success ? 0 : 1;
  } finally {
    await session.close();
  }
}

/** dbt's lines for freshness: `1 of 3 WARN freshness of raw.orders .... [WARN in 0.02s]`. */
class FreshnessReporter {
  constructor(private readonly log: Log) {}

  readonly handle = (event: FreshnessEvent): void => {
    switch (event.type) {
      case 'start':
        if (event.count === 0) return;
        this.log.info('ConcurrencyLine', `Concurrency: ${plural(event.threads, 'thread')} (target='${event.target}')`, { num_threads: event.threads, target_name: event.target });
        return;
      case 'source_start':
        this.log.info('LogStartLine', (p) => progressLine(p, { ...position(event.source), verb: 'START', description: `freshness of ${event.source.name}`, status: 'RUN', tone: 'neutral' }), {
          node_info: nodeInfo(event.source),
          thread_id: event.thread_id,
        });
        return;
      case 'source_end': {
        const { verb, tone } = VERBS[event.result.status];
        const level = tone === 'bad' ? 'error' : tone === 'warn' ? 'warn' : 'info';
        this.log.event(level, 'LogFreshnessResult', (p) =>
          progressLine(p, { ...position(event.source), verb, description: `freshness of ${event.source.name}`, status: `${verb} in ${seconds(event.result.execution_time)}`, tone }),
        { node_info: nodeInfo(event.source), source_freshness_result: event.result });
        return;
      }
      case 'end':
        this.end(event.elapsed, event.results);
        return;
    }
  };

  private end(elapsed: number, results: FreshnessResult[]): void {
    if (results.length === 0) {
      this.log.warn('NothingToDo', 'Nothing to do. No selected source has a loaded_at_field and freshness thresholds.');
      return;
    }
    this.log.info('Formatting', '');
    this.log.info('FinishedRunningStats', `Finished running ${plural(results.length, 'source')} in ${humanDuration(elapsed)} (${seconds(elapsed)}).`, { execution_time: elapsed });
    for (const r of results) {
      if (r.status !== 'runtime error') continue;
      this.log.error('RunResultError', (p) => p.red(`Error in source ${r.unique_id}\n  ${r.error}`), { unique_id: r.unique_id, status: r.status });
    }
    const count = (s: FreshnessResult['status']) => results.filter((r) => r.status === s).length;
    const tally = { pass: count('pass'), warn: count('warn'), error: count('error') + count('runtime error'), skip: 0, total: results.length };
    this.log.info('StatsLine', (p) => doneLine(p, tally), { stats: tally });
  }
}

const VERBS: Record<FreshnessResult['status'], { verb: string; tone: Tone }> = {
  pass: { verb: 'PASS', tone: 'good' },
  warn: { verb: 'WARN', tone: 'warn' },
  error: { verb: 'ERROR STALE', tone: 'bad' },
  'runtime error': { verb: 'ERROR', tone: 'bad' },
};

function position(source: FreshnessSourceInfo): { index: number; total: number } {
  return { index: source.index, total: source.total };
}

function nodeInfo(source: FreshnessSourceInfo): Record<string, unknown> {
  return { unique_id: source.unique_id, resource_type: 'source', node_name: source.name, index: source.index, total: source.total };
}
