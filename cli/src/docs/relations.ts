import type { Project, RelationRef } from '@dvt/core';

/** A node or source whose relation the catalog reads, and the profile output it lives on. */
export interface CatalogSubject {
  uniqueId: string;
  kind: 'node' | 'source';
  output: string;
  relation: RelationRef;
}

const CATALOGED = new Set(['model', 'seed', 'snapshot']);

/**
 * What `docs generate` describes, grouped by profile output: enabled models
 * (not ephemeral: they have no relation), seeds, snapshots and sources.
 */
export function catalogSubjects(project: Project): Map<string, CatalogSubject[]> {
  const byOutput = new Map<string, CatalogSubject[]>();
  const add = (subject: CatalogSubject) => {
    const list = byOutput.get(subject.output) ?? [];
    list.push(subject);
    byOutput.set(subject.output, list);
  };
  const defaultOutput = project.profile.target;
  for (const node of project.nodes.values()) {
    if (!CATALOGED.has(node.resource_type) || node.config.enabled === false || node.config.materialized === 'ephemeral') continue;
    const output = typeof node.config.target === 'string' ? node.config.target : defaultOutput;
    add({ uniqueId: node.unique_id, kind: 'node', output, relation: { database: node.database || undefined, schema: node.schema, identifier: node.alias } });
  }
  for (const source of project.sources.values()) {
    if (source.config.enabled === false) continue;
    add({
      uniqueId: source.unique_id,
      kind: 'source',
      output: source.connection ?? defaultOutput,
      relation: { database: source.database || undefined, schema: source.schema, identifier: source.identifier },
    });
  }
  return byOutput;
}
