import { setMaxListeners } from 'node:events';

/**
 * The DAG scheduler: runs the selected nodes in dependency order on `threads`
 * workers. It knows nothing about databases — a node is an id, its parents
 * inside the selection, and an async `execute` — so it is tested on its own.
 *
 * Rules (dbt's):
 * - a node starts once every selected parent has finished successfully;
 * - a node whose parent failed (or was skipped) is skipped, and its message
 *   names the failed ancestor;
 * - with `failFast`, the first failure stops new starts, aborts what is
 *   running (through the AbortSignal given to `execute`), and every node not
 *   yet finished is skipped.
 * Among ready nodes, the one earliest in `order` starts first, so a run with
 * one thread is deterministic.
 */

export interface ScheduledTask {
  id: string;
  /** Ids of parents that are part of this run; others are ignored. */
  parents: readonly string[];
}

export interface TaskContext {
  /** `Thread-1` ... `Thread-N`, as dbt names its workers. */
  threadId: string;
  signal: AbortSignal;
}

export type TaskOutcome = 'success' | 'failure';

export type SkipReason =
  | { kind: 'upstream'; failedAncestor: string }
  | { kind: 'fail-fast'; failedNode: string }
  | { kind: 'cancelled' };

export interface SchedulerOptions {
  /** Tasks in a topological order (parents before children). */
  tasks: readonly ScheduledTask[];
  threads: number;
  failFast: boolean;
  execute(id: string, ctx: TaskContext): Promise<TaskOutcome>;
  onSkip(id: string, reason: SkipReason): void;
  /** Cancels the run (Ctrl-C): nothing new starts, running tasks see it through their signal, the rest are skipped. */
  signal?: AbortSignal;
}

export interface SchedulerReport {
  /** Ids in the order they finished or were skipped. */
  completed: string[];
  /** Set when fail-fast stopped the run: the node that failed first. */
  stoppedBy?: string;
}

export async function runScheduled(opts: SchedulerOptions): Promise<SchedulerReport> {
  const threads = Math.max(1, Math.floor(opts.threads));
  const position = new Map<string, number>();
  opts.tasks.forEach((t, i) => position.set(t.id, i));

  const waitingOn = new Map<string, number>();
  const children = new Map<string, string[]>();
  for (const task of opts.tasks) {
    const parents = [...new Set(task.parents)].filter((p) => position.has(p) && p !== task.id);
    waitingOn.set(task.id, parents.length);
    for (const p of parents) {
      const list = children.get(p) ?? [];
      list.push(task.id);
      children.set(p, list);
    }
  }

  const ready: string[] = opts.tasks.filter((t) => waitingOn.get(t.id) === 0).map((t) => t.id);
  const done = new Set<string>();
  const completed: string[] = [];
  const abort = new AbortController();
  // Every running node and each of its statements in flight listen to this one signal: more than Node's default 10.
  setMaxListeners(0, abort.signal);
  let stoppedBy: string | undefined;
  const cancelled = () => opts.signal?.aborted === true;
  const onCancel = () => abort.abort(opts.signal!.reason);
  opts.signal?.addEventListener('abort', onCancel, { once: true });
  const freeThreads = Array.from({ length: threads }, (_, i) => `Thread-${threads - i}`);
  const running = new Set<Promise<void>>();

  const finish = (id: string) => {
    done.add(id);
    completed.push(id);
  };

  const skipDescendants = (failed: string) => {
    const stack = [...(children.get(failed) ?? [])];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (done.has(id)) continue;
      finish(id);
      opts.onSkip(id, { kind: 'upstream', failedAncestor: failed });
      stack.push(...(children.get(id) ?? []));
    }
  };

  const release = (id: string) => {
    for (const child of children.get(id) ?? []) {
      const left = waitingOn.get(child)! - 1;
      waitingOn.set(child, left);
      if (left === 0 && !done.has(child)) insertByPosition(ready, child, position);
    }
  };

  const start = (id: string) => {
    const threadId = freeThreads.pop()!;
    const job = (async () => {
      let outcome: TaskOutcome;
      try {
        outcome = await opts.execute(id, { threadId, signal: abort.signal });
      } catch {
        // An executor is expected to turn errors into a failure outcome; a
        // throw still must not wedge the run.
        outcome = 'failure';
      }
      freeThreads.push(threadId);
      finish(id);
      if (outcome === 'success') {
        release(id);
      } else {
        skipDescendants(id);
        if (opts.failFast && stoppedBy === undefined) {
          stoppedBy = id;
          abort.abort(new Error(`fail-fast: ${id} failed`));
        }
      }
    })();
    running.add(job);
    void job.finally(() => running.delete(job));
  };

  while (ready.length > 0 || running.size > 0) {
    while (stoppedBy === undefined && !cancelled() && ready.length > 0 && freeThreads.length > 0) {
      start(ready.shift()!);
    }
    if (running.size === 0) break;
    await Promise.race(running);
  }
  opts.signal?.removeEventListener('abort', onCancel);

  if (stoppedBy !== undefined || cancelled()) {
    const reason: SkipReason = stoppedBy !== undefined ? { kind: 'fail-fast', failedNode: stoppedBy } : { kind: 'cancelled' };
    for (const task of opts.tasks) {
      if (done.has(task.id)) continue;
      finish(task.id);
      opts.onSkip(task.id, reason);
    }
  }
  return { completed, stoppedBy };
}

function insertByPosition(queue: string[], id: string, position: Map<string, number>): void {
  const p = position.get(id)!;
  let i = queue.length;
  while (i > 0 && position.get(queue[i - 1]!)! > p) i--;
  queue.splice(i, 0, id);
}
