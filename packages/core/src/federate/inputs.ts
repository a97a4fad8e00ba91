import type { AdapterDefinition } from '../adapter/contract.js';
import type { Compiler } from '../compile/index.js';
import { Relation } from '../compile/relation.js';
import type { Project } from '../project/types.js';

/**
 * A federated model's input as its own connection names it: a source as
 * its YAML says (the loader gives it that connection's database), a model,
 * seed or snapshot where it is built.
 */
export function inputRelation(project: Project, compiler: Compiler, uniqueId: string, adapter: AdapterDefinition): Relation {
  const source = project.sources.get(uniqueId);
  if (!source) return compiler.relationOf(project.nodes.get(uniqueId)!);
  return new Relation(adapter.dialect, adapter.type, {
    database: source.database,
    schema: source.schema,
    identifier: source.identifier,
    type: 'table',
    quotePolicy: { ...project.config.quoting, ...(source.quoting ?? {}) },
  });
}
