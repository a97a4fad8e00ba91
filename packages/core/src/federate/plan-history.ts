import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FederationPlan } from '../plan/types.js';

/** Where the last run's paths are kept: `.dvt/plan.json`, `{ unique_id: { path, engine } }`. */
export function planHistoryPath(projectDir: string): string {
  return join(projectDir, '.dvt', 'plan.json');
}

type Recorded = Record<string, { path: string; engine: string }>;

function read(file: string): Recorded {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as Recorded) : {};
  } catch {
    return {};
  }
}

/**
 * Warnings for nodes of `ids` that switched between pushdown and federation
 * since the last recorded run, changing engine (and so the dialect their SQL
 * is read in, e.g. after `--target`); then records the current paths.
 */
export function comparePlanWithLastRun(projectDir: string, plan: FederationPlan, ids: readonly string[], record: boolean): string[] {
  const file = planHistoryPath(projectDir);
  // Projects that never federated keep no history (and no .dvt/ directory).
  const federates = [...plan.nodes.values()].some((p) => p.path !== 'pushdown');
  if (!federates && !existsSync(file)) return [];
  const previous = read(file);
  const warnings: string[] = [];
  for (const id of ids) {
    const now = plan.nodes.get(id);
    const before = previous[id];
    if (!now || !before) continue;
    if (before.path !== now.path && before.engine !== now.engine) {
      warnings.push(`${id} ran ${before.path} on ${before.engine} last time and runs ${now.path} on ${now.engine} now: its SQL is read in another dialect`);
    }
  }
  if (record) {
    const next: Recorded = { ...previous };
    for (const id of ids) {
      const now = plan.nodes.get(id);
      if (now) next[id] = { path: now.path, engine: now.engine };
    }
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(next, null, 1));
  }
  return warnings;
}
