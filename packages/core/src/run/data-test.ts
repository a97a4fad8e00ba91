import type { Value } from '../adapter/contract.js';
import type { Relation } from '../compile/relation.js';
import { DvtError } from '../errors.js';
import type { ExecutableNode } from '../project/types.js';
import { callSqlMacro, dropIfExists, makeRelation, type MaterializationResult, type NodeExecution } from './context.js';

export const AUDIT_SCHEMA_SUFFIX = 'dbt_test__audit';

/** Where `store_failures` writes a test's failing rows: `<schema>_dbt_test__audit.<test name>`. */
export function auditRelationRef(node: ExecutableNode): { database: string; schema: string; identifier: string } {
  const schema = node.schema.endsWith(AUDIT_SCHEMA_SUFFIX) ? node.schema : `${node.schema}_${AUDIT_SCHEMA_SUFFIX}`;
  return { database: node.database, schema, identifier: node.alias || node.name };
}

/**
 * How a test keeps its failing rows: `store_failures_as` (table, view,
 * ephemeral = not kept) wins over `store_failures: true` (a table).
 */
export function failureStorage(node: ExecutableNode): 'table' | 'view' | null {
  const as = node.config.store_failures_as;
  if (as === 'table' || as === 'view') return as;
  if (as === 'ephemeral') return null;
  return node.config.store_failures === true ? 'table' : null;
}

export function storesFailures(node: ExecutableNode): boolean {
  return failureStorage(node) !== null;
}

export interface TestVerdict {
  status: 'pass' | 'warn' | 'fail';
  failures: number;
  message: string;
}

/**
 * dbt's reading of the test query's one row: with severity error, a true
 * `should_error` fails; otherwise a true `should_warn` warns (fails with
 * `--warn-error`); else it passes.
 */
export function judgeTest(row: { failures: Value; should_warn: Value; should_error: Value }, node: ExecutableNode, warnError = false): TestVerdict {
  const failures = Number(row.failures ?? 0);
  const severity = String(node.config.severity ?? 'error').toLowerCase();
  const truthy = (v: Value) => v === true || v === 1 || v === 1n || v === '1' || v === 't' || v === 'true';
  const count = `Got ${failures} result${failures === 1 ? '' : 's'}`;
  if (severity === 'error' && truthy(row.should_error)) {
    return { status: 'fail', failures, message: `${count}, configured to fail if ${node.config.error_if ?? '!= 0'}` };
  }
  if (truthy(row.should_warn)) {
    return { status: warnError ? 'fail' : 'warn', failures, message: `${count}, configured to warn if ${node.config.warn_if ?? '!= 0'}` };
  }
  return { status: 'pass', failures, message: 'PASS' };
}

/** Runs a data test (generic or singular) and judges its failing rows. */
export async function executeDataTest(x: NodeExecution): Promise<MaterializationResult> {
  const compiledCode = x.compile({ relationExists: false, fullRefresh: false });
  let mainSql = compiledCode;
  let audit: Relation | null = null;
  const storage = failureStorage(x.node);
  if (storage !== null) {
    audit = makeRelation(x, auditRelationRef(x.node), storage);
    await dropIfExists(x, audit);
    const ddl = storage === 'view' ? callSqlMacro(x, 'create_view_as', audit, compiledCode) : callSqlMacro(x, 'create_table_as', false, audit, compiledCode);
    await x.sql.run(ddl);
    mainSql = `select * from ${audit.render()}`;
  }
  const limit = x.node.config.limit;
  const wrapped = callSqlMacro(
    x,
    'get_test_sql',
    mainSql,
    x.node.config.fail_calc ?? 'count(*)',
    x.node.config.warn_if ?? '!= 0',
    x.node.config.error_if ?? '!= 0',
    typeof limit === 'number' ? limit : null,
  );
  const result = await x.sql.run(wrapped);
  const row = result.rows[0];
  if (!row) throw new DvtError('runtime', `test ${x.node.unique_id} returned no row from its failure count query`);
  const at = (name: string) => {
    const i = result.columns.findIndex((c) => c.name.toLowerCase() === name);
    return i >= 0 ? row[i]! : row[['failures', 'should_warn', 'should_error'].indexOf(name)]!;
  };
  const verdict = judgeTest({ failures: at('failures'), should_warn: at('should_warn'), should_error: at('should_error') }, x.node, x.compiler.flags.WARN_ERROR === true);
  return {
    status: verdict.status,
    message: verdict.message,
    failures: verdict.failures,
    compiledCode,
    relation: audit,
    code: 'SELECT',
  };
}
