import { grantsFromRows, grantsMissingFrom, type GrantMap } from '../compile/grant-maps.js';
import type { Relation } from '../compile/relation.js';
import type { ExecutableNode } from '../project/types.js';
import { callSqlMacro, type NodeExecution } from './context.js';

/** The node's `grants` config, each privilege's grantees as a list (a single name allowed), empty names dropped. */
export function configuredGrants(node: ExecutableNode): GrantMap {
  const out: GrantMap = {};
  for (const [privilege, grantees] of Object.entries(node.config.grants ?? {})) {
    const list = (Array.isArray(grantees) ? grantees : [grantees]).filter((g): g is string => typeof g === 'string' && g.length > 0);
    out[privilege] = list;
  }
  return out;
}

/**
 * Whether grants a relation had before this build may still be on it, so
 * that the current ones must be read and those the config dropped revoked
 * (dbt's `should_revoke`): never for a new relation; always for one kept
 * (incremental runs, re-seeds, snapshots); for one replaced, as the
 * engine's `copy_grants()` says (grants that follow the name, as on MySQL,
 * survive a swap; PostgreSQL's go with the dropped object).
 */
export function shouldRevoke(x: NodeExecution, existed: boolean, replaced: boolean): boolean {
  if (!existed) return false;
  if (!replaced) return true;
  return x.compiler.callMacro('copy_grants', [], {}, { node: x.node, adapterType: x.adapter.type }) === true;
}

/**
 * Brings the relation's grants to the node's `grants` config after it is
 * built: with `revoke`, reads what it has (`get_show_grant_sql`), revokes
 * what the config no longer lists and grants only what is missing;
 * otherwise grants everything configured. No config, nothing done (grants
 * made by hand stay). An engine without grants renders empty statements.
 */
export async function applyGrants(x: NodeExecution, relation: Relation, revoke: boolean): Promise<void> {
  const wanted = configuredGrants(x.node);
  if (Object.keys(wanted).length === 0) return;
  let toGrant = wanted;
  let toRevoke: GrantMap = {};
  if (revoke) {
    const show = callSqlMacro(x, 'get_show_grant_sql', relation).filter((s) => s.trim().length > 0);
    if (show.length > 0) {
      const current = await x.sql.run(show);
      const have = grantsFromRows(current.columns.map((c) => c.name), current.rows);
      toGrant = grantsMissingFrom(wanted, have);
      toRevoke = grantsMissingFrom(have, wanted);
      if (Object.keys(toGrant).length === 0 && Object.keys(toRevoke).length === 0) x.log('debug', `On ${relation.render()}: all grants are in place`);
    }
  }
  await x.sql.run([...dclStatements(x, relation, toRevoke, 'get_revoke_sql'), ...dclStatements(x, relation, toGrant, 'get_grant_sql')]);
}

/** One statement per privilege, or per privilege and grantee where the engine takes one grantee at a time. */
function dclStatements(x: NodeExecution, relation: Relation, grants: GrantMap, macro: 'get_grant_sql' | 'get_revoke_sql'): string[] {
  const entries = Object.entries(grants).filter(([, grantees]) => grantees.length > 0);
  if (entries.length === 0) return [];
  const several = x.compiler.callMacro('support_multiple_grantees_per_dcl_statement', [], {}, { node: x.node, adapterType: x.adapter.type }) === true;
  const out: string[] = [];
  for (const [privilege, grantees] of entries) {
    for (const group of several ? [grantees] : grantees.map((g) => [g])) out.push(...callSqlMacro(x, macro, relation, privilege, group));
  }
  return out;
}
