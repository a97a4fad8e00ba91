import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { comparePlanWithLastRun } from '../src/federate/plan-history.js';
import type { FederationPlan, NodePlan } from '../src/plan/types.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const plan = (nodes: Partial<NodePlan>[]): FederationPlan => ({
  defaultTarget: 'dev',
  nodes: new Map(nodes.map((n) => [n.unique_id!, { target: 'dev', inputs: [], ...n } as NodePlan])),
});

describe('plan history between runs', () => {
  it('warns when a model moves between pushdown and federation (and engine), and records the paths', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dvt-history-'));
    dirs.push(dir);
    const federated = plan([{ unique_id: 'model.p.m', path: 'federate-duckdb', engine: 'duckdb' }]);
    expect(comparePlanWithLastRun(dir, federated, ['model.p.m'], true)).toEqual([]);
    const pushed = plan([{ unique_id: 'model.p.m', path: 'pushdown', engine: 'postgres' }]);
    expect(comparePlanWithLastRun(dir, pushed, ['model.p.m'], true)).toEqual([
      'model.p.m ran federate-duckdb on duckdb last time and runs pushdown on postgres now: its SQL is read in another dialect',
    ]);
    expect(comparePlanWithLastRun(dir, pushed, ['model.p.m'], true)).toEqual([]);
  });

  it('keeps no history for a project that never federated', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dvt-history-'));
    dirs.push(dir);
    expect(comparePlanWithLastRun(dir, plan([{ unique_id: 'model.p.m', path: 'pushdown', engine: 'duckdb' }]), ['model.p.m'], true)).toEqual([]);
    expect(existsSync(join(dir, '.dvt'))).toBe(false);
  });
});
