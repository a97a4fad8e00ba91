/**
 * The lineage graph's filter: dbt's graph operators on names. A term is
 * `[N]+name+[N]`, `@name`, or a name with `*` wildcards; `source:src.table`
 * names a source. Terms separated by spaces or commas are a union.
 */

export interface SelectableNode {
  unique_id: string;
  name: string;
  resource_type: string;
  source_name?: string;
}

export interface LineageIndex {
  nodes: ReadonlyMap<string, SelectableNode>;
  parents: ReadonlyMap<string, readonly string[]>;
  children: ReadonlyMap<string, readonly string[]>;
}

interface Term {
  pattern: string;
  up: number;
  down: number;
  /** `@name`: descendants and all their ancestors. */
  at: boolean;
}

const TERM = /^(@)?(?:(\d*)\+)?(.+?)(?:\+(\d*))?$/;

function parseTerm(text: string): Term {
  const m = TERM.exec(text);
  if (!m) return { pattern: text, up: 0, down: 0, at: false };
  const depth = (given: string | undefined, present: boolean) => (!present ? 0 : given ? Number(given) : Infinity);
  const upPresent = text.replace(/^@/, '').match(/^\d*\+/) !== null;
  const downPresent = /\+\d*$/.test(text);
  return { pattern: m[3], up: depth(m[2], upPresent), down: depth(m[4], downPresent), at: m[1] === '@' };
}

function matcher(pattern: string): (n: SelectableNode) => boolean {
  const sourcePrefix = pattern.startsWith('source:');
  const body = sourcePrefix ? pattern.slice('source:'.length) : pattern;
  const regex = new RegExp(`^${body.split('*').map(escapeRegExp).join('.*')}$`, 'i');
  // Sources are named `src.table` (or by their source's name alone): a bare table name means a model.
  return (n) => {
    if (n.resource_type === 'source') return regex.test(`${n.source_name}.${n.name}`) || regex.test(n.source_name ?? '') || regex.test(n.unique_id);
    return !sourcePrefix && (regex.test(n.name) || regex.test(n.unique_id));
  };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function walk(start: Iterable<string>, edges: ReadonlyMap<string, readonly string[]>, depth: number, into: Set<string>): void {
  let frontier = [...start];
  const seen = new Set(frontier);
  for (let level = 0; level < depth && frontier.length > 0; level++) {
    const next: string[] = [];
    for (const id of frontier) {
      for (const other of edges.get(id) ?? []) {
        if (seen.has(other)) continue;
        seen.add(other);
        into.add(other);
        next.push(other);
      }
    }
    frontier = next;
  }
}

/** The unique_ids a selection names; an empty or blank selection names every node. */
export function selectNodes(index: LineageIndex, selection: string): Set<string> {
  const terms = selection.split(/[\s,]+/).filter((t) => t.length > 0).map(parseTerm);
  if (terms.length === 0) return new Set(index.nodes.keys());
  const out = new Set<string>();
  for (const term of terms) {
    const match = matcher(term.pattern);
    const seeds = [...index.nodes.values()].filter(match).map((n) => n.unique_id);
    for (const id of seeds) out.add(id);
    if (term.at) {
      const down = new Set<string>(seeds);
      walk(seeds, index.children, Infinity, down);
      for (const id of down) out.add(id);
      walk(down, index.parents, Infinity, out);
      continue;
    }
    walk(seeds, index.parents, term.up, out);
    walk(seeds, index.children, term.down, out);
  }
  return out;
}
