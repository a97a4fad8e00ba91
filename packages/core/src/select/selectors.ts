import { DvtError } from '../errors.js';
import type { SelectorsFile } from '../project/types.js';
import { isRecord } from '../project/yaml.js';
import { parseCriteria, parseSelectionArgs, SELECTOR_METHODS } from './spec.js';
import type { Criteria, IndirectSelection, SelectionSpec } from './spec.js';

/** A named selector of selectors.yml, compiled to a selection tree. */
export interface SelectorDefinition {
  name: string;
  description: string;
  default: boolean;
  spec: SelectionSpec;
  /** The definition as written (the manifest's `selectors` shows it). */
  definition: unknown;
}

/**
 * Read selectors.yml definitions. `selector:` references between them are
 * resolved here, so a reference cycle or an unknown name is reported once,
 * with the file and line.
 */
export function parseSelectors(file: SelectorsFile | null): Map<string, SelectorDefinition> {
  const result = new Map<string, SelectorDefinition>();
  if (!file) return result;
  const raw = new Map<string, { entry: Record<string, unknown>; line?: number }>();
  file.definitions.forEach((entry, index) => {
    const line = file.lines[index];
    if (!isRecord(entry) || typeof entry.name !== 'string' || entry.definition === undefined) {
      throw new DvtError('config', 'each selector needs a name and a definition', { location: { file: file.file, line } });
    }
    if (raw.has(entry.name)) throw new DvtError('config', `selector '${entry.name}' is defined twice`, { location: { file: file.file, line } });
    raw.set(entry.name, { entry, line });
  });
  const defaults = [...raw.values()].filter(({ entry }) => entry.default === true);
  if (defaults.length > 1) {
    throw new DvtError('config', `only one selector may set 'default: true'; found ${defaults.map(({ entry }) => entry.name).join(', ')}`, {
      location: { file: file.file, line: defaults[1]!.line },
    });
  }
  const resolving = new Set<string>();
  const resolve = (name: string, from: { file: string; line?: number }): SelectionSpec => {
    const done = result.get(name);
    if (done) return done.spec;
    const found = raw.get(name);
    if (!found) throw new DvtError('config', `selector '${name}' is not defined in ${file.file}`, { location: from });
    if (resolving.has(name)) throw new DvtError('config', `selector '${name}' refers to itself`, { location: from });
    resolving.add(name);
    const location = { file: file.file, line: found.line };
    const spec = compileDefinition(found.entry.definition, location, (ref) => resolve(ref, location));
    resolving.delete(name);
    result.set(name, {
      name,
      description: String(found.entry.description ?? ''),
      default: found.entry.default === true,
      spec,
      definition: found.entry.definition,
    });
    return spec;
  };
  for (const name of raw.keys()) resolve(name, { file: file.file, line: raw.get(name)!.line });
  // Keep the file's order.
  return new Map([...raw.keys()].map((name) => [name, result.get(name)!]));
}

type Location = { file: string; line?: number };

function compileDefinition(definition: unknown, location: Location, resolveSelector: (name: string) => SelectionSpec): SelectionSpec {
  if (typeof definition === 'string') {
    const spec = parseSelectionArgs([definition]);
    if (!spec) throw new DvtError('config', 'empty selector definition', { location });
    return expandSelectorRefs(spec, resolveSelector);
  }
  if (!isRecord(definition)) throw new DvtError('config', `invalid selector definition ${JSON.stringify(definition)}`, { location });
  for (const op of ['union', 'intersection'] as const) {
    if (op in definition) {
      const items = definition[op];
      if (!Array.isArray(items)) throw new DvtError('config', `'${op}' must be a list`, { location });
      const includes: SelectionSpec[] = [];
      const excludes: SelectionSpec[] = [];
      for (const item of items) {
        if (isRecord(item) && 'exclude' in item && Object.keys(item).length === 1) {
          const excluded = Array.isArray(item.exclude) ? item.exclude : [item.exclude];
          for (const e of excluded) excludes.push(compileDefinition(e, location, resolveSelector));
        } else includes.push(compileDefinition(item, location, resolveSelector));
      }
      const include: SelectionSpec = includes.length === 1 ? includes[0]! : { kind: op, items: includes };
      if (excludes.length === 0) return include;
      return { kind: 'difference', include, exclude: excludes.length === 1 ? excludes[0]! : { kind: 'union', items: excludes } };
    }
  }
  let method: string;
  let value: unknown;
  const { method: m, value: v, children, parents, children_depth, parents_depth, childrens_parents, indirect_selection, exclude, ...rest } = definition;
  if (m !== undefined) {
    method = String(m);
    value = v;
  } else {
    // Shorthand: `{tag: nightly}`.
    const keys = Object.keys(rest);
    if (keys.length !== 1) throw new DvtError('config', `a selector criterion needs 'method' and 'value', got ${JSON.stringify(definition)}`, { location });
    method = keys[0]!;
    value = rest[method];
  }
  if (value === undefined || value === null) throw new DvtError('config', `selector method '${method}' needs a value`, { location });
  const [base, ...args] = method.split('.');
  if (!(SELECTOR_METHODS as readonly string[]).includes(base!)) {
    throw new DvtError('config', `'${base}' is not a valid method name in ${location.file}. Valid methods: ${SELECTOR_METHODS.join(', ')}`, { location });
  }
  let spec: SelectionSpec;
  if (base === 'selector') {
    spec = resolveSelector(String(value));
  } else {
    const criteria: Criteria = {
      ...parseCriteria(`${method}:${String(value)}`),
      methodArgs: args,
      parents: parents === true,
      children: children === true,
      childrensParents: childrens_parents === true,
      ...(typeof parents_depth === 'number' ? { parents: true, parentsDepth: parents_depth } : {}),
      ...(typeof children_depth === 'number' ? { children: true, childrenDepth: children_depth } : {}),
      ...(typeof indirect_selection === 'string' ? { indirectSelection: indirect_selection as IndirectSelection } : {}),
    };
    spec = criteria;
  }
  if (exclude !== undefined) {
    const excluded = (Array.isArray(exclude) ? exclude : [exclude]).map((e) => compileDefinition(e, location, resolveSelector));
    return { kind: 'difference', include: spec, exclude: excluded.length === 1 ? excluded[0]! : { kind: 'union', items: excluded } };
  }
  return spec;
}

/** `selector:name` inside a string definition or on the command line. */
export function expandSelectorRefs(spec: SelectionSpec, resolveSelector: (name: string) => SelectionSpec): SelectionSpec {
  switch (spec.kind) {
    case 'criteria':
      return spec.method === 'selector' ? resolveSelector(spec.value) : spec;
    case 'difference':
      return { kind: 'difference', include: expandSelectorRefs(spec.include, resolveSelector), exclude: expandSelectorRefs(spec.exclude, resolveSelector) };
    default:
      return { kind: spec.kind, items: spec.items.map((item) => expandSelectorRefs(item, resolveSelector)) };
  }
}
