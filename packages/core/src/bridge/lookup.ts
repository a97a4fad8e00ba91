import type { RelationInfo, RelationRef } from '../adapter/contract.js';

/** The relation named `identifier`: exact name first, then ignoring case (engines fold unquoted names). */
export function findRelationIn(relations: readonly RelationInfo[], identifier: string): RelationInfo | undefined {
  return relations.find((r) => r.identifier === identifier) ?? relations.find((r) => r.identifier.toLowerCase() === identifier.toLowerCase());
}

/** The three names of a relation: the compiler's Relation objects carry methods, which cannot cross threads. */
export function plainRef(ref: RelationRef): RelationRef {
  return ref.database === undefined || ref.database === null
    ? { schema: ref.schema, identifier: ref.identifier }
    : { database: ref.database, schema: ref.schema, identifier: ref.identifier };
}
