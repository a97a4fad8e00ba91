import { describe, expect, it } from 'vitest';
import { runScheduled, type ScheduledTask, type SkipReason } from '../src/run/scheduler.js';

const delay = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      reject(new Error('aborted'));
    });
  });

// a -> b, a -> c, b -> d, c -> d (a diamond), plus an unrelated e
const diamond: ScheduledTask[] = [
  { id: 'a', parents: [] },
  { id: 'b', parents: ['a'] },
  { id: 'c', parents: ['a'] },
  { id: 'd', parents: ['b', 'c'] },
  { id: 'e', parents: [] },
];

describe('runScheduled', () => {
  it('runs parents before children, in order, on one thread', async () => {
    const started: string[] = [];
    const report = await runScheduled({
      tasks: diamond,
      threads: 1,
      failFast: false,
      execute: async (id, ctx) => {
        started.push(`${id}@${ctx.threadId}`);
        return 'success';
      },
      onSkip: () => {
        throw new Error('nothing should be skipped');
      },
    });
    expect(started).toEqual(['a@Thread-1', 'b@Thread-1', 'c@Thread-1', 'd@Thread-1', 'e@Thread-1']);
    expect(report.completed).toHaveLength(5);
    expect(report.stoppedBy).toBeUndefined();
  });

  it('runs independent nodes at the same time with threads > 1, never more than threads', async () => {
    let running = 0;
    let peak = 0;
    const threadsSeen = new Set<string>();
    const finishedBefore = new Map<string, Set<string>>();
    const finished = new Set<string>();
    await runScheduled({
      tasks: diamond,
      threads: 2,
      failFast: false,
      execute: async (id, ctx) => {
        finishedBefore.set(id, new Set(finished));
        threadsSeen.add(ctx.threadId);
        running++;
        peak = Math.max(peak, running);
        await delay(20);
        running--;
        finished.add(id);
        return 'success';
      },
      onSkip: () => undefined,
    });
    expect(peak).toBe(2);
    expect([...threadsSeen].sort()).toEqual(['Thread-1', 'Thread-2']);
    expect([...finishedBefore.get('d')!]).toEqual(expect.arrayContaining(['a', 'b', 'c']));
    expect([...finishedBefore.get('b')!]).toContain('a');
  });

  it('skips the descendants of a failed node, naming it, and keeps running the rest', async () => {
    const ran: string[] = [];
    const skipped: [string, SkipReason][] = [];
    await runScheduled({
      tasks: diamond,
      threads: 2,
      failFast: false,
      execute: async (id) => {
        ran.push(id);
        return id === 'b' ? 'failure' : 'success';
      },
      onSkip: (id, reason) => skipped.push([id, reason]),
    });
    expect(ran.sort()).toEqual(['a', 'b', 'c', 'e']);
    expect(skipped).toEqual([['d', { kind: 'upstream', failedAncestor: 'b' }]]);
  });

  it('skips transitively and treats a throwing executor as a failure', async () => {
    const skipped: string[] = [];
    await runScheduled({
      tasks: [
        { id: 'x', parents: [] },
        { id: 'y', parents: ['x'] },
        { id: 'z', parents: ['y'] },
      ],
      threads: 1,
      failFast: false,
      execute: async (id) => {
        if (id === 'x') throw new Error('boom');
        return 'success';
      },
      onSkip: (id, reason) => {
        expect(reason).toEqual({ kind: 'upstream', failedAncestor: 'x' });
        skipped.push(id);
      },
    });
    expect(skipped.sort()).toEqual(['y', 'z']);
  });

  it('with fail-fast stops new starts, aborts running nodes and skips the rest', async () => {
    const ran: string[] = [];
    const aborted: string[] = [];
    const skipped = new Map<string, SkipReason>();
    const report = await runScheduled({
      tasks: [
        { id: 'slow', parents: [] },
        { id: 'bad', parents: [] },
        { id: 'later1', parents: [] },
        { id: 'later2', parents: [] },
      ],
      threads: 2,
      failFast: true,
      execute: async (id, ctx) => {
        ran.push(id);
        if (id === 'bad') {
          await delay(5);
          return 'failure';
        }
        try {
          await delay(id === 'slow' ? 2000 : 1, ctx.signal);
          return 'success';
        } catch {
          aborted.push(id);
          return 'failure';
        }
      },
      onSkip: (id, reason) => skipped.set(id, reason),
    });
    expect(report.stoppedBy).toBe('bad');
    expect(ran.sort()).toEqual(['bad', 'slow']);
    expect(aborted).toEqual(['slow']);
    expect(skipped.get('later1')).toEqual({ kind: 'fail-fast', failedNode: 'bad' });
    expect(skipped.get('later2')).toEqual({ kind: 'fail-fast', failedNode: 'bad' });
  });

  it('a cancelled run starts nothing new, aborts running tasks and skips the rest', async () => {
    const user = new AbortController();
    const ran: string[] = [];
    const skipped = new Map<string, SkipReason>();
    await runScheduled({
      tasks: [
        { id: 'first', parents: [] },
        { id: 'second', parents: [] },
        { id: 'child', parents: ['first'] },
      ],
      threads: 1,
      failFast: false,
      signal: user.signal,
      execute: async (id, ctx) => {
        ran.push(id);
        setTimeout(() => user.abort(), 5);
        try {
          await delay(2000, ctx.signal);
          return 'success';
        } catch {
          return 'failure';
        }
      },
      onSkip: (id, reason) => skipped.set(id, reason),
    });
    expect(ran).toEqual(['first']);
    expect(skipped.get('child')).toEqual({ kind: 'upstream', failedAncestor: 'first' });
    expect(skipped.get('second')).toEqual({ kind: 'cancelled' });
  });

  it('ignores parents outside the selection', async () => {
    const ran: string[] = [];
    await runScheduled({
      tasks: [{ id: 'child', parents: ['not-selected'] }],
      threads: 1,
      failFast: false,
      execute: async (id) => {
        ran.push(id);
        return 'success';
      },
      onSkip: () => undefined,
    });
    expect(ran).toEqual(['child']);
  });

  it('lets every running node and its statements listen to the shared abort signal without a listener-leak warning', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      await runScheduled({
        tasks: Array.from({ length: 8 }, (_, i) => ({ id: `n${i}`, parents: [] })),
        threads: 8,
        failFast: false,
        // Each node with two statements in flight, as bridged statements each listen for cancellation.
        execute: async (_id, ctx) => {
          await Promise.all([delay(20, ctx.signal), delay(20, ctx.signal)]);
          return 'success';
        },
        onSkip: () => undefined,
      });
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).not.toContain('MaxListenersExceededWarning');
  });
});
