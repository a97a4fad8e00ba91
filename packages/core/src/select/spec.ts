import { DvtError } from '../errors.js';

/**
 * dbt's node selection grammar, parsed to a tree:
 * `(@)?(N?\+)?(method(.arg)*:)?value(\+N?)?` criteria; a comma joins criteria
 * into an intersection, whitespace (and separate arguments) into a union.
 */

export interface Criteria {
  kind: 'criteria';
  /** `fqn` when the text names no method. */
  method: string;
  /** `config.materialized:` -> method `config`, args `['materialized']`. */
  methodArgs: string[];
  value: string;
  parents: boolean;
  parentsDepth?: number;
  children: boolean;
  childrenDepth?: number;
  /** `@`: children, and all the parents of those children. */
  childrensParents: boolean;
  indirectSelection?: IndirectSelection;
  /** The text this came from, for messages. */
  raw: string;
}

export type IndirectSelection = 'eager' | 'cautious' | 'buildable' | 'empty';

export type SelectionSpec =
  | Criteria
  | { kind: 'union'; items: SelectionSpec[] }
  | { kind: 'intersection'; items: SelectionSpec[] }
  | { kind: 'difference'; include: SelectionSpec; exclude: SelectionSpec };

export const SELECTOR_METHODS = [
  'fqn', 'tag', 'path', 'file', 'package', 'config', 'test_type', 'test_name', 'resource_type', 'source', 'exposure',
  'access', 'group', 'version', 'selector', 'state', 'result', 'source_status', 'unit_test',
] as const;

const CRITERIA = /^(?<childrensParents>@)?(?:(?<parentsDepth>\d*)(?<parents>\+))?(?:(?<method>[\w.]+):)?(?<value>.*?)(?:(?<children>\+)(?<childrenDepth>\d*))?$/;

/** A bare value is a path when it has a folder separator, a file name when it ends in a resource extension, else an fqn. */
function defaultMethod(value: string): string {
  if (value.includes('/') || value.includes('\\')) return 'path';
  if (/\.(sql|py|csv)$/i.test(value)) return 'file';
  return 'fqn';
}

export function parseCriteria(raw: string): Criteria {
  const match = CRITERIA.exec(raw);
  if (!match || !match.groups || match.groups.value === '') {
    throw new DvtError('usage', `Invalid selector "${raw}": expected [@][N+][method:]value[+N]`);
  }
  const g = match.groups;
  const [method, ...methodArgs] = g.method ? g.method.split('.') : [defaultMethod(g.value!)];
  if (!(SELECTOR_METHODS as readonly string[]).includes(method!)) {
    throw new DvtError('usage', `'${method}' is not a valid method name in selector "${raw}". Valid methods: ${SELECTOR_METHODS.join(', ')}`);
  }
  if (method === 'config' && methodArgs.length === 0) {
    throw new DvtError('usage', `Selector "${raw}" needs a config key: config.<key>:<value>`);
  }
  const childrensParents = g.childrensParents === '@';
  if (childrensParents && g.parents) {
    throw new DvtError('usage', `Invalid selector "${raw}": '@' and a leading '+' cannot be combined`);
  }
  return {
    kind: 'criteria',
    method: method!,
    methodArgs,
    value: g.value!,
    parents: g.parents === '+',
    ...(g.parentsDepth ? { parentsDepth: Number(g.parentsDepth) } : {}),
    children: g.children === '+',
    ...(g.childrenDepth ? { childrenDepth: Number(g.childrenDepth) } : {}),
    childrensParents,
    raw,
  };
}

/**
 * `--select`/`--exclude` values: each argument may itself hold several
 * space-separated selectors (`-s "a b" c` = a, b, c).
 */
export function parseSelectionArgs(args: readonly string[]): SelectionSpec | undefined {
  const items: SelectionSpec[] = [];
  for (const arg of args) {
    for (const word of arg.split(/\s+/)) {
      if (word === '') continue;
      const parts = word.split(',').filter((p) => p !== '');
      const criteria = parts.map(parseCriteria);
      items.push(criteria.length === 1 ? criteria[0]! : { kind: 'intersection', items: criteria });
    }
  }
  if (items.length === 0) return undefined;
  return items.length === 1 ? items[0]! : { kind: 'union', items };
}
