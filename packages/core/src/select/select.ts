import { DvtError } from '../errors.js';
import { ancestors, descendants } from '../graph/graph.js';
import type { Graph } from '../graph/graph.js';
import type { Project } from '../project/types.js';
import { matchesMethod, selectables } from './methods.js';
import type { PreviousState, Selectable } from './methods.js';
import type { SelectorDefinition } from './selectors.js';
import { expandSelectorRefs, parseSelectors } from './selectors.js';
import { parseSelectionArgs } from './spec.js';
import type { Criteria, IndirectSelection, SelectionSpec } from './spec.js';

export interface SelectOptions {
  /** `--select` values (each may hold several space-separated selectors). */
  select?: readonly string[];
  exclude?: readonly string[];
  /** `--selector NAME` from selectors.yml. */
  selector?: string;
  /** How tests of selected nodes join the selection; dbt's default is eager. */
  indirectSelection?: IndirectSelection;
  /** Keep only these resource types in the result (a command's node kinds). */
  resourceTypes?: readonly string[];
}

/**
 * Everything needed to evaluate selections against one project: its
 * selectables, the graph, and selectors.yml. Build once per invocation.
 */
export class Selector {
  readonly items: ReadonlyMap<string, Selectable>;
  readonly selectors: ReadonlyMap<string, SelectorDefinition>;
  private readonly rootProject: string;

  constructor(
    project: Project,
    private readonly graph: Graph,
    /** What `--state` knows, for the `state:`, `result:` and `source_status:` selectors. */
    private readonly previous: PreviousState = {},
  ) {
    this.items = new Map(selectables(project).filter((item) => graph.parents.has(item.unique_id)).map((item) => [item.unique_id, item]));
    this.selectors = parseSelectors(project.selectors);
    this.rootProject = project.config.name;
  }

  /** The selected unique_ids, sorted. */
  select(options: SelectOptions = {}): string[] {
    const hasSelect = (options.select ?? []).some((s) => s.trim() !== '');
    const hasExclude = (options.exclude ?? []).some((s) => s.trim() !== '');
    if (options.selector !== undefined && hasSelect) {
      throw new DvtError('usage', '--selector cannot be combined with --select; put the criteria in the selector instead');
    }
    let spec: SelectionSpec | undefined;
    if (options.selector !== undefined) spec = this.named(options.selector);
    else if (hasSelect) spec = parseSelectionArgs(options.select!);
    else if (!hasExclude) {
      const fallback = [...this.selectors.values()].find((s) => s.default);
      if (fallback) spec = fallback.spec;
    }
    const indirect = options.indirectSelection ?? 'eager';
    let selected = spec ? this.withTests(this.evaluate(spec, indirect), indirect) : new Set(this.items.keys());
    const excludeSpec = hasExclude ? parseSelectionArgs(options.exclude!) : undefined;
    if (excludeSpec) {
      const excluded = this.withTests(this.evaluate(excludeSpec, 'eager'), 'eager');
      selected = new Set([...selected].filter((id) => !excluded.has(id)));
    }
    const types = options.resourceTypes;
    return [...selected].filter((id) => !types || types.includes(this.items.get(id)!.resource_type)).sort();
  }

  private named(name: string): SelectionSpec {
    const found = this.selectors.get(name);
    if (!found) {
      const known = [...this.selectors.keys()];
      throw new DvtError('usage', `Could not find selector named '${name}'` + (known.length ? `; selectors.yml defines: ${known.join(', ')}` : '; there is no selectors.yml'));
    }
    return found.spec;
  }

  private evaluate(spec: SelectionSpec, indirect: IndirectSelection): Set<string> {
    switch (spec.kind) {
      case 'criteria':
        if (spec.method === 'selector') return this.evaluate(expandSelectorRefs(spec, (n) => this.named(n)), indirect);
        // As dbt does, each criterion brings its tests before set operations: `orders,test_type:unit` is orders' unit tests.
        return this.withTests(this.criteria(spec), spec.indirectSelection ?? indirect);
      case 'union': {
        const out = new Set<string>();
        for (const item of spec.items) for (const id of this.evaluate(item, indirect)) out.add(id);
        return out;
      }
      case 'intersection': {
        const [first, ...rest] = spec.items.map((item) => this.evaluate(item, indirect));
        return new Set([...(first ?? [])].filter((id) => rest.every((set) => set.has(id))));
      }
      case 'difference': {
        const include = this.evaluate(spec.include, indirect);
        const exclude = this.withTests(this.evaluate(spec.exclude, 'eager'), 'eager');
        return new Set([...include].filter((id) => !exclude.has(id)));
      }
    }
  }

  private criteria(spec: Criteria): Set<string> {
    const ctx = { rootProject: this.rootProject, ...this.previous };
    const base = [...this.items.values()].filter((item) => matchesMethod(item, spec.method, spec.methodArgs, spec.value, ctx)).map((i) => i.unique_id);
    const out = new Set(base);
    const add = (ids: Iterable<string>) => {
      for (const id of ids) out.add(id);
    };
    if (spec.parents) add(ancestors(this.graph, base, spec.parentsDepth));
    if (spec.children) add(descendants(this.graph, base, spec.childrenDepth));
    if (spec.childrensParents) {
      const family = descendants(this.graph, base);
      add(family);
      add(ancestors(this.graph, [...base, ...family]));
    }
    return out;
  }

  /**
   * dbt's indirect selection: tests (data and unit tests) that depend on
   * selected nodes join the selection. eager: any parent selected; cautious: every parent selected;
   * buildable: every parent selected or an ancestor of the selection.
   */
  private withTests(selected: Set<string>, mode: IndirectSelection): Set<string> {
    if (mode === 'empty') return selected;
    const out = new Set(selected);
    let buildable: Set<string> | undefined;
    if (mode === 'buildable') buildable = new Set([...selected, ...ancestors(this.graph, selected)]);
    for (const item of this.items.values()) {
      if ((item.resource_type !== 'test' && item.resource_type !== 'unit_test') || out.has(item.unique_id)) continue;
      const parents = [...this.graph.parents.get(item.unique_id)!];
      if (parents.length === 0) continue;
      const ok =
        mode === 'eager' ? parents.some((p) => selected.has(p))
        : mode === 'cautious' ? parents.every((p) => selected.has(p))
        : parents.every((p) => buildable!.has(p)) && parents.some((p) => selected.has(p));
      if (ok) out.add(item.unique_id);
    }
    return out;
  }
}

/** One-shot helper: select from a project and its graph. */
export function selectNodes(project: Project, graph: Graph, options: SelectOptions = {}): string[] {
  return new Selector(project, graph).select(options);
}
