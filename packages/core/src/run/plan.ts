import type { ExecutableNode, Project, ResourceType } from '../project/types.js';
import { isUnitTestActive } from '../project/unit-tests.js';
import { unitTestNode } from '../unit/node.js';
import type { ScheduledTask } from './scheduler.js';
import type { RunCommandName } from './types.js';

/** The resource types each command executes. */
export const COMMAND_RESOURCES: Record<RunCommandName, readonly ResourceType[]> = {
  run: ['model'],
  seed: ['seed'],
  test: ['test', 'unit_test'],
  build: ['seed', 'model', 'snapshot', 'test', 'unit_test'],
  compile: ['model', 'test', 'analysis', 'snapshot'],
  snapshot: ['snapshot'],
  clone: ['model', 'seed', 'snapshot'],
};

/**
 * dbt's `selected_resources` for a command: the selection limited to the
 * types the command selects (ephemeral models included: they are selected,
 * only not executed). As in dbt, compile also selects seeds, and build leaves
 * unit tests out (they run beside their models, not as selected nodes).
 */
export function selectedResources(project: Project, command: RunCommandName, selection: readonly string[]): string[] {
  const types = new Set<ResourceType>(COMMAND_RESOURCES[command]);
  if (command === 'compile') types.add('seed');
  if (command === 'build') types.delete('unit_test');
  return selection.filter((id) => {
    const node = project.nodes.get(id);
    if (node) return types.has(node.resource_type) && node.config.enabled !== false;
    const test = project.unitTests.get(id);
    return test !== undefined && types.has('unit_test') && isUnitTestActive(project, test);
  });
}

export interface RunPlan {
  /** Nodes to execute, parents before children. */
  nodes: ExecutableNode[];
  tasks: ScheduledTask[];
}

function isEphemeral(node: ExecutableNode): boolean {
  return node.resource_type === 'model' && node.config.materialized === 'ephemeral';
}

/**
 * What a command executes out of the selection, in dependency order, with
 * each node's parents inside the run. Ephemeral models are not executed
 * (compilation inlines them), so a node depends on whatever the ephemeral
 * depended on. In `build`, a node also waits for the tests of its parents, so
 * a failing test skips what is downstream of the model it tests (dbt's rule);
 * test edges that would close a cycle are left out. Selected unit tests run
 * as nodes of their own (`unitTestNode`); in `build` a model waits for its
 * unit tests, so one failing skips the model and what follows, as in dbt.
 */
export function planRun(project: Project, command: RunCommandName, selection: readonly string[]): RunPlan {
  const types = new Set(COMMAND_RESOURCES[command]);
  const chosen = new Map<string, ExecutableNode>();
  for (const id of selection) {
    const node = project.nodes.get(id);
    if (!node || !types.has(node.resource_type) || node.config.enabled === false) continue;
    if (command !== 'compile' && isEphemeral(node)) continue;
    chosen.set(id, node);
  }

  // Parents within the run, looking through ephemeral models.
  const parentsOf = (node: ExecutableNode): string[] => {
    const out = new Set<string>();
    const stack = [...node.depends_on.nodes];
    const seen = new Set<string>();
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      if (chosen.has(id)) {
        out.add(id);
        continue;
      }
      const other = project.nodes.get(id);
      if (other && isEphemeral(other)) stack.push(...other.depends_on.nodes);
    }
    return [...out];
  };

  const parents = new Map<string, string[]>();
  for (const [id, node] of chosen) parents.set(id, parentsOf(node));

  // A unit test waits for what its model reads (their columns may type its rows); in build, the model waits for it.
  for (const [id, node] of unitTestsOf(project, types, selection)) {
    const model = project.nodes.get(node.depends_on.nodes[0]!)!;
    parents.set(id, parentsOf(model));
    if (command === 'build') parents.get(model.unique_id)?.push(id);
    chosen.set(id, node);
  }

  if (command === 'build') addTestEdges(chosen, parents);

  const order = topologicalOrder([...chosen.keys()], parents);
  return {
    nodes: order.map((id) => chosen.get(id)!),
    tasks: order.map((id) => ({ id, parents: parents.get(id)! })),
  };
}

/** The selected unit tests a command runs, each as the node it executes as. */
function unitTestsOf(project: Project, types: ReadonlySet<ResourceType>, selection: readonly string[]): Map<string, ExecutableNode> {
  const out = new Map<string, ExecutableNode>();
  if (!types.has('unit_test')) return out;
  for (const id of selection) {
    const test = project.unitTests.get(id);
    if (!test || !isUnitTestActive(project, test)) continue;
    out.set(id, unitTestNode(test, project.nodes.get(test.depends_on.nodes[0]!)!));
  }
  return out;
}

function addTestEdges(chosen: Map<string, ExecutableNode>, parents: Map<string, string[]>): void {
  const childrenOf = new Map<string, string[]>();
  for (const [id, ps] of parents) {
    for (const p of ps) {
      const list = childrenOf.get(p) ?? [];
      list.push(id);
      childrenOf.set(p, list);
    }
  }
  const ancestors = (id: string): Set<string> => {
    const out = new Set<string>();
    const stack = [...(parents.get(id) ?? [])];
    while (stack.length > 0) {
      const p = stack.pop()!;
      if (out.has(p)) continue;
      out.add(p);
      stack.push(...(parents.get(p) ?? []));
    }
    return out;
  };
  for (const [testId, test] of chosen) {
    if (test.resource_type !== 'test') continue;
    const testAncestors = ancestors(testId);
    for (const tested of parents.get(testId) ?? []) {
      for (const child of childrenOf.get(tested) ?? []) {
        if (child === testId || chosen.get(child)?.resource_type === 'test' || testAncestors.has(child)) continue;
        const list = parents.get(child)!;
        if (!list.includes(testId)) list.push(testId);
      }
    }
  }
}

/** Kahn's algorithm; ties keep the given order (sorted ids), so runs are reproducible. */
function topologicalOrder(ids: string[], parents: Map<string, string[]>): string[] {
  const sorted = [...ids].sort();
  const waiting = new Map(sorted.map((id) => [id, parents.get(id)!.length]));
  const children = new Map<string, string[]>();
  for (const id of sorted) for (const p of parents.get(id)!) children.set(p, [...(children.get(p) ?? []), id]);
  const ready = sorted.filter((id) => waiting.get(id) === 0);
  const out: string[] = [];
  while (ready.length > 0) {
    const id = ready.shift()!;
    out.push(id);
    for (const child of children.get(id) ?? []) {
      const left = waiting.get(child)! - 1;
      waiting.set(child, left);
      if (left === 0) ready.push(child);
    }
  }
  if (out.length !== ids.length) {
    const stuck = sorted.filter((id) => !out.includes(id));
    throw new Error(`dependency cycle among: ${stuck.join(', ')}`);
  }
  return out;
}
