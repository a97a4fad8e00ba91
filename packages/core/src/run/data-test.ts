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
 * Whether a test keeps its failing rows, as dbt settles it: a set
 * `store_failures_as` decides (`ephemeral` keeps nothing); otherwise
 * `store_failures` does, and where neither is configured the
 * `--store-failures` flag (`flags.STORE_FAILURES`) does.
 */
export function storesFailures(node: ExecutableNode, storeFailuresFlag = false): boolean {
  const as = node.config.store_failures_as ?? null;
  const configured = as !== null ? as !== 'ephemeral' : (node.config.store_failures ?? null);
  return configured ?? storeFailuresFlag;
}

/**
 * Where a test keeps its failing rows: a table unless `store_failures_as`
 * says view. An unknown `store_failures_as` fails the test (not the run), as
 * in dbt.
 */
export function failureStorage(node: ExecutableNode, storeFailuresFlag = false): 'table' | 'view' | null {
  if (!storesFailures(node, storeFailuresFlag)) return null;
  const as = node.config.store_failures_as ?? 'table';
  if (as === 'table' || as === 'view') return as;
  throw new DvtError('compile', `'${String(as)}' is not a valid value for store_failures_as in ${node.unique_id}: use table, view or ephemeral`, {
    location: { file: node.original_file_path },
  });
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
  const limit = x.node.config.limit;
  const storage = failureStorage(x.node, x.compiler.flags.STORE_FAILURES === true);
  if (storage !== null) {
    audit = makeRelation(x, auditRelationRef(x.node), storage);
    await dropIfExists(x, audit);
    // As dbt: the stored rows are the ones the test counts, `limit` included.
    const kept = typeof limit === 'number' ? callSqlMacro(x, 'get_limit_subquery_sql', compiledCode, limit).join('\n') : compiledCode;
    const ddl = storage === 'view' ? callSqlMacro(x, 'create_view_as', audit, kept) : callSqlMacro(x, 'create_table_as', false, audit, kept);
    await x.sql.run(ddl);
    mainSql = `select * from ${audit.render()}`;
  }
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
