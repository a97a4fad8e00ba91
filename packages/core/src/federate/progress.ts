import type { MoveProgress } from './mover.js';

/**
 * A move in progress, as the runner emits it (`move_progress`): reported
 * while its rows travel, and once more with `done` when it has ended,
 * succeeded or not, so a reader showing it can take it down.
 */
export interface MoveProgressEvent extends MoveProgress {
  unique_id: string;
  /** Where the rows go, e.g. `into cache shop__orders`; with `unique_id`, names the move. */
  move: string;
  done: boolean;
}

/** Where a federated run sends progress; without one, movers count nothing (counting reads every byte). */
export type MoveProgressSink = (event: MoveProgressEvent) => void;

/** How often one move reports at most: often enough to look live, rarely enough to cost nothing. */
export const PROGRESS_INTERVAL_MS = 500;

/**
 * One move's progress, throttled: the first report passes at once, later
 * ones at most every `intervalMs` (the latest wins); `finish` always reports,
 * with the last figures and `done`.
 */
export class MoveProgressReporter {
  private last: MoveProgress = { rows: 0, seconds: 0, rowsPerSecond: 0 };
  private reportedAt: number | undefined;

  constructor(
    private readonly sink: MoveProgressSink,
    private readonly uniqueId: string,
    private readonly move: string,
    private readonly intervalMs = PROGRESS_INTERVAL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** The mover's `onProgress`. */
  readonly update = (progress: MoveProgress): void => {
    this.last = progress;
    const at = this.now();
    if (this.reportedAt !== undefined && at - this.reportedAt < this.intervalMs) return;
    this.reportedAt = at;
    this.sink({ unique_id: this.uniqueId, move: this.move, ...progress, done: false });
  };

  finish(): void {
    this.sink({ unique_id: this.uniqueId, move: this.move, ...this.last, done: true });
  }

  /** Runs a move with its progress reported to `sink`; without a sink the move gets no `onProgress` at all. */
  static async around<T>(sink: MoveProgressSink | undefined, uniqueId: string, move: string, run: (onProgress?: (progress: MoveProgress) => void) => Promise<T>): Promise<T> {
    if (!sink) return run();
    const reporter = new MoveProgressReporter(sink, uniqueId, move);
    try {
      return await run(reporter.update);
    } finally {
      reporter.finish();
    }
  }
}
