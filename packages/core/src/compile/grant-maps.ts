/** privilege -> grantees: the `grants` config, and what a relation currently has, in one shape. */
export type GrantMap = Record<string, string[]>;

/**
 * What `a` has that `b` lacks, privilege by privilege, names compared
 * without case (engines report `SELECT` for a configured `select`); keys
 * and names keep `a`'s spelling. dbt's `diff_of_two_dicts`.
 */
export function grantsMissingFrom(a: GrantMap, b: GrantMap): GrantMap {
  const folded = new Map(Object.entries(b).map(([k, v]) => [k.toLowerCase(), new Set(v.map((g) => g.toLowerCase()))]));
  const out: GrantMap = {};
  for (const [privilege, grantees] of Object.entries(a)) {
    const present = folded.get(privilege.toLowerCase());
    const missing = present ? grantees.filter((g) => !present.has(g.toLowerCase())) : grantees;
    if (missing.length > 0) out[privilege] = missing;
  }
  return out;
}

/**
 * The rows of `get_show_grant_sql` (columns `grantee` and `privilege_type`)
 * as a GrantMap (dbt's `adapter.standardize_grants_dict`).
 */
export function grantsFromRows(columns: readonly string[], rows: readonly (readonly unknown[])[]): GrantMap {
  const at = (name: string) => columns.findIndex((c) => c.toLowerCase() === name);
  const grantee = at('grantee');
  const privilege = at('privilege_type');
  if (grantee < 0 || privilege < 0) {
    throw new Error(`get_show_grant_sql must return the columns grantee and privilege_type (got ${columns.join(', ')})`);
  }
  const out: GrantMap = {};
  for (const row of rows) (out[String(row[privilege])] ??= []).push(String(row[grantee]));
  return out;
}
