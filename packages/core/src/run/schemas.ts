import type { Compiler } from '../compile/index.js';
import { Relation } from '../compile/relation.js';
import type { ExecutableNode } from '../project/types.js';
import { asStatements } from './statements.js';
import { auditRelationRef, storesFailures } from './data-test.js';
import type { ConnectionPool } from './pool.js';

/**
 * Creates, before anything is built, every schema the run writes into that
 * does not exist yet (per profile output): the schemas of models, seeds and
 * snapshots, and the audit schema of tests that store their failures.
 */
export async function ensureSchemas(pool: ConnectionPool, compiler: Compiler, nodes: readonly ExecutableNode[]): Promise<void> {
  const wanted = new Map<string, Map<string, { database: string; schema: string; node: ExecutableNode }>>();
  const want = (node: ExecutableNode, database: string, schema: string) => {
    const output = compiler.outputOf(node).name;
    const byKey = wanted.get(output) ?? new Map();
    byKey.set(`${database}\u0000${schema}`, { database, schema, node });
    wanted.set(output, byKey);
  };
  for (const node of nodes) {
    if (node.resource_type === 'test') {
      if (storesFailures(node, compiler.flags.STORE_FAILURES === true)) {
        const audit = auditRelationRef(node);
        want(node, audit.database, audit.schema);
      }
    } else if (node.resource_type === 'model' || node.resource_type === 'seed' || node.resource_type === 'snapshot') {
      if (node.config.materialized !== 'ephemeral') want(node, node.database, node.schema);
    }
  }
  for (const [output, schemas] of wanted) {
    const lease = await pool.acquire(output);
    try {
      const existingByDatabase = new Map<string, Set<string>>();
      for (const { database, schema, node } of schemas.values()) {
        let existing = existingByDatabase.get(database);
        if (!existing) {
          const names = await lease.connection.catalog!.listSchemas(database || undefined);
          existing = new Set(names.map((n) => n.toLowerCase()));
          existingByDatabase.set(database, existing);
        }
        if (existing.has(schema.toLowerCase())) continue;
        const relation = new Relation(lease.adapter.dialect, lease.adapter.type, { database, schema, identifier: null });
        const sql = asStatements(compiler.callMacro('create_schema', [relation], {}, { node, adapterType: lease.adapter.type }), 'create_schema');
        for (const statement of sql) await lease.connection.query(statement);
        existing.add(schema.toLowerCase());
      }
    } finally {
      lease.release();
    }
  }
}
