import { countsText, type MoveProgressEvent, type NodeDescription, type RunEvent, type RunResult, type RunSummary } from '@dvt/core';
import type { Log } from './log.js';
import { doneLine, moveProgressText, plural, progressLine, seconds, type Tone } from './lines.js';

/**
 * Prints the runner's events as dbt does: the counts, one START line and one
 * result line per node, then the timing, the failures and the Done line.
 * JSON mode carries the same events with their data.
 */
export class RunReporter {
  private readonly ran: Record<string, number> = {};
  /** Models that ran, by materialization: dbt says "3 view models, 2 table models". */
  private readonly ranModels: Record<string, number> = {};
  private readonly failures: { node: NodeDescription; result: RunResult }[] = [];
  private readonly warnings: { node: NodeDescription; result: RunResult }[] = [];

  constructor(
    private readonly log: Log,
    /** What a result line needs of a node or unit test: its file and config. */
    private readonly nodeOf: (uniqueId: string) => { original_file_path: string; config: Record<string, unknown> } | undefined,
    /** `dvt compile` prints no per-node lines, only failures and the summary. */
    private readonly options: { perNode: boolean } = { perNode: true },
  ) {}

  /** Bound handler to hand to the runner. */
  readonly handle = (event: RunEvent): void => {
    switch (event.type) {
      case 'run_start':
        this.log.info('FoundStats', `Found ${event.countsText}`, { counts: event.counts });
        this.log.info('ConcurrencyLine', `Concurrency: ${plural(event.threads, 'thread')} (target='${event.target}')`, {
          num_threads: event.threads,
          target_name: event.target,
        });
        return;
      case 'hooks_start':
        this.log.info('HooksRunning', `Running ${plural(event.count, `${event.phase} hook`)}`, { ...event });
        return;
      case 'hook_end': {
        const ok = event.status === 'success';
        const description = `hook: ${oneLine(event.sql)}`;
        this.log.event(ok ? 'info' : 'error', 'LogHookEndLine', (p) =>
          progressLine(p, { index: event.index, total: event.total, verb: ok ? 'OK' : 'ERROR', description, status: `${ok ? 'OK' : 'ERROR'} in ${seconds(event.execution_time)}`, tone: ok ? 'good' : 'bad' }),
        { ...event });
        if (!ok && event.message) this.log.error('HookError', event.message);
        return;
      }
      case 'node_start':
        if (!this.options.perNode) return;
        this.log.info('NodeStart', (p) =>
          progressLine(p, { index: event.node.index, total: event.node.total, verb: 'START', description: event.node.description, status: 'RUN', tone: 'neutral' }),
        { node_info: nodeInfo(event.node), thread_id: event.thread_id });
        return;
      case 'node_end':
        this.nodeEnd(event.node, event.result);
        return;
      case 'log':
        // Adapters' and the runner's chatter (connections opened, ...) is for --debug; warnings always show.
        this.log.event(event.level === 'warn' ? 'warn' : 'debug', 'RunnerLog', event.message, event.unique_id ? { unique_id: event.unique_id } : {});
        return;
      case 'move_progress':
        showMoveProgress(this.log, event);
        return;
      case 'run_end':
        this.runEnd(event.elapsed, event.summary);
        return;
    }
  };

  private nodeEnd(node: NodeDescription, result: RunResult): void {
    if (node.resource_type === 'model') {
      const materialized = String(this.nodeOf(node.unique_id)?.config.materialized ?? 'view');
      this.ranModels[materialized] = (this.ranModels[materialized] ?? 0) + 1;
    } else {
      this.ran[node.resource_type] = (this.ran[node.resource_type] ?? 0) + 1;
    }
    const line = resultLine(node, result);
    if (line.tone === 'bad') this.failures.push({ node, result });
    else if (result.status === 'warn') this.warnings.push({ node, result });
    const level = line.tone === 'bad' ? 'error' : line.tone === 'warn' ? 'warn' : 'info';
    if (!this.options.perNode && level === 'info') return;
    this.log.event(level, 'NodeFinished', (p) => progressLine(p, { index: node.index, total: node.total, ...line }), {
      node_info: nodeInfo(node),
      run_result: result,
    });
  }

  private runEnd(elapsed: number, summary: RunSummary): void {
    if (summary.total === 0) {
      this.log.warn('NothingToDo', 'Nothing to do. Try checking your model configs and model specification args');
      return;
    }
    if (!this.options.perNode) {
      for (const { node, result } of this.failures) this.log.error('RunResultError', (p) => p.red(this.failureText(node, result)), { unique_id: node.unique_id });
      return;
    }
    const models = Object.keys(this.ranModels)
      .sort()
      .map((materialized) => plural(this.ranModels[materialized], `${materialized} model`));
    const ran = [...models, countsText(this.ran)].filter((part) => part !== '').join(', ') || 'nothing';
    this.log.info('Formatting', '');
    this.log.info('FinishedRunningStats', `Finished running ${ran} in ${humanDuration(elapsed)} (${seconds(elapsed)}).`, { execution_time: elapsed });
    this.log.info('Formatting', '');
    if (this.failures.length === 0 && this.warnings.length === 0) {
      this.log.info('EndOfRunSummary', (p) => p.green('Completed successfully'));
    } else if (this.failures.length === 0) {
      this.log.warn('EndOfRunSummary', (p) => p.yellow(`Completed with ${plural(this.warnings.length, 'warning')}:`));
    } else {
      this.log.error('EndOfRunSummary', (p) =>
        p.red(`Completed with ${plural(this.failures.length, 'error')} and ${plural(this.warnings.length, 'warning')}:`),
      );
    }
    for (const { node, result } of [...this.failures, ...this.warnings]) {
      this.log.info('Formatting', '');
      const level = result.status === 'warn' ? 'warn' : 'error';
      this.log.event(level, 'RunResultError', (p) => (level === 'warn' ? p.yellow : p.red)(this.failureText(node, result)), {
        unique_id: node.unique_id,
        status: result.status,
      });
    }
    this.log.info('Formatting', '');
    this.log.info('StatsLine', (p) => doneLine(p, summary), { stats: summary });
  }

  private failureText(node: NodeDescription, result: RunResult): string {
    const file = this.nodeOf(node.unique_id)?.original_file_path;
    const where = `${node.resource_type} ${node.name}${file ? ` (${file})` : ''}`;
    if (result.status === 'fail' || result.status === 'warn') {
      const head = `${result.status === 'warn' ? 'Warning' : 'Failure'} in ${where}`;
      return result.message ? `${head}\n  ${result.message.replace(/\n/g, '\n  ')}` : `${head}\n  Got ${plural(result.failures ?? 0, 'result')}`;
    }
    const message = result.message ?? 'unknown error';
    // The runner's message may already say where (`Database Error in model x (path)`): don't say it twice.
    if (message.split('\n')[0].includes(` in ${node.resource_type} ${node.name}`)) return message;
    return `${result.status === 'skipped' ? 'Skipped' : 'Error'} in ${where}\n  ${message}`;
  }
}

/** One line per move, changing in place on a terminal until the move ends (its final line is its 'moved ...' log). */
export function showMoveProgress(log: Log, event: MoveProgressEvent): void {
  log.progress(`${event.unique_id}\u0000${event.move}`, event.done ? undefined : moveProgressText(event));
}

/** The result line's verb, status text and colour, by resource type and status (dbt's wording). */
export function resultLine(node: NodeDescription, result: RunResult): { verb: string; description: string; status: string; tone: Tone } {
  const time = `in ${seconds(result.execution_time)}`;
  const isTest = node.resource_type === 'test' || node.resource_type === 'unit_test';
  // dbt names a unit test `<model>::<test>`.
  const name = node.resource_type === 'unit_test' ? node.description.replace(/^unit_test /, '') : node.name;
  switch (result.status) {
    case 'pass':
      return { verb: 'PASS', description: name, status: `PASS ${time}`, tone: 'good' };
    case 'warn':
      return { verb: `WARN ${result.failures ?? ''}`.trim(), description: name, status: `WARN ${result.failures ?? ''} ${time}`.replace('  ', ' '), tone: 'warn' };
    case 'fail':
      return { verb: `FAIL ${result.failures ?? ''}`.trim(), description: name, status: `FAIL ${result.failures ?? ''} ${time}`.replace('  ', ' '), tone: 'bad' };
    case 'skipped':
      return { verb: 'SKIP', description: isTest ? `${node.resource_type} ${name}` : `relation ${node.description.split(' ').pop()}`, status: 'SKIP', tone: 'warn' };
    case 'success': {
      if (node.resource_type === 'seed' && !node.description.startsWith('clone of ')) {
        const rows = result.adapter_response.rows_affected;
        return { verb: 'OK loaded', description: node.description, status: `${rows === undefined ? 'OK' : `INSERT ${rows}`} ${time}`, tone: 'good' };
      }
      const message = result.adapter_response._message || 'OK';
      return { verb: 'OK created', description: node.description, status: `${message} ${time}`, tone: 'good' };
    }
    default:
      return { verb: isTest ? 'ERROR' : 'ERROR creating', description: isTest ? name : node.description, status: `ERROR ${time}`, tone: 'bad' };
  }
}

function nodeInfo(node: NodeDescription): Record<string, unknown> {
  return { unique_id: node.unique_id, resource_type: node.resource_type, node_name: node.name, index: node.index, total: node.total };
}

function oneLine(sql: string): string {
  const flat = sql.replace(/\s+/g, ' ').trim();
  return flat.length > 40 ? `${flat.slice(0, 37)}...` : flat;
}

/** `0 hours 0 minutes and 1.23 seconds`, as dbt words it. */
export function humanDuration(total: number): string {
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const secs = total - hours * 3600 - minutes * 60;
  return `${hours} hours ${minutes} minutes and ${secs.toFixed(2)} seconds`;
}
