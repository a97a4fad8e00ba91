/**
 * Which columns a query reads, from DuckDB's own parse tree
 * (`json_serialize_sql`), so extraction can skip the rest. Pure: takes the
 * serialized tree. Deliberately over-approximates: every name any column
 * reference or USING list mentions counts, for every input. Anything that
 * reads columns without naming them (`*`, `COLUMNS(...)`, NATURAL joins,
 * positional column aliases on a table) or a tree that did not serialize
 * means all columns.
 */
export type ColumnNeed = { all: true } | { all: false; names: Set<string> };

export const ALL_COLUMNS: ColumnNeed = { all: true };

export function columnsUsed(serialized: string): ColumnNeed {
  let tree: unknown;
  try {
    tree = JSON.parse(serialized);
  } catch {
    return ALL_COLUMNS;
  }
  if (!isObject(tree) || tree.error !== false) return ALL_COLUMNS;
  const names = new Set<string>();
  let all = false;
  const visit = (value: unknown): void => {
    if (all) return;
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    if (!isObject(value)) return;
    if (value.class === 'STAR' || value.type === 'STAR' || value.ref_type === 'NATURAL') {
      all = true;
      return;
    }
    if (value.type === 'BASE_TABLE' && Array.isArray(value.column_name_alias) && value.column_name_alias.length > 0) {
      all = true;
      return;
    }
    for (const key of ['column_names', 'using_columns']) {
      const list = value[key];
      if (Array.isArray(list)) for (const name of list) if (typeof name === 'string') names.add(name.toLowerCase());
    }
    for (const child of Object.values(value)) visit(child);
  };
  visit(tree.statements);
  return all ? ALL_COLUMNS : { all: false, names };
}

/** Two needs together (several models reading one input). */
export function unionNeeds(a: ColumnNeed | undefined, b: ColumnNeed): ColumnNeed {
  if (!a) return b;
  if (a.all || b.all) return ALL_COLUMNS;
  return { all: false, names: new Set([...a.names, ...b.names]) };
}

/**
 * The columns to extract: those the need names (case-insensitively), in
 * table order; at least one, since a table needs a column even when only
 * its rows are counted.
 */
export function pickColumns<T extends { name: string }>(columns: readonly T[], need: ColumnNeed | undefined): T[] {
  if (!need || need.all) return [...columns];
  const picked = columns.filter((c) => need.names.has(c.name.toLowerCase()));
  return picked.length > 0 ? picked : columns.slice(0, 1);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
