import type { CanonicalType, ColumnMeta, Dialect } from '../adapter/contract.js';
import { formatCanonicalType } from '../adapter/types.js';
import { DvtError } from '../errors.js';
import type { ExecutableNode } from '../project/types.js';

/** A column the contract declares: its name, type as written, and constraints as SQL clauses. */
export interface ContractColumn {
  name: string;
  data_type: string;
  constraints: ColumnConstraint[];
}
export type ColumnConstraint = { type: 'not_null' } | { type: 'primary_key' } | { type: 'unique' } | { type: 'check'; expression: string };

/** A model-level constraint: over several columns, or a check on the row. */
export type ModelConstraint =
  | { type: 'primary_key' | 'unique' | 'not_null'; columns: string[] }
  | { type: 'check'; expression: string };

export interface ContractMismatch {
  column: string;
  /** The type the contract declares, or null when the model has a column the contract lacks. */
  contract_type: string | null;
  /** The model's type, or null when the contract declares a column the model lacks. */
  model_type: string | null;
  reason: 'missing in model' | 'missing in contract' | 'type differs';
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function contractEnforced(node: ExecutableNode): boolean {
  return node.resource_type === 'model' && node.config.contract?.enforced === true;
}

/**
 * The contract a model's YAML declares, in column order. Every column needs a
 * `data_type` (dbt's rule); a constraint dvt cannot apply is an error rather
 * than a promise silently not kept.
 */
export function declaredContract(node: ExecutableNode): ContractColumn[] {
  const where = { location: { file: node.patch_path?.replace(/^[^:]+:\/\//, '') ?? node.original_file_path } };
  const columns = Object.values(node.columns ?? {});
  if (columns.length === 0) {
    throw new DvtError('config', `${node.unique_id} has an enforced contract but declares no columns; list them with name and data_type`, where);
  }
  return columns.map((column) => {
    if (typeof column.data_type !== 'string' || column.data_type.trim() === '') {
      throw new DvtError('config', `${node.unique_id} has an enforced contract: column '${column.name}' needs a data_type`, where);
    }
    const constraints = (column.constraints ?? []).map((raw): ColumnConstraint => {
      const type = isRecord(raw) ? raw.type : undefined;
      if (type === 'not_null' || type === 'primary_key' || type === 'unique') return { type };
      if (type === 'check' && isRecord(raw) && typeof raw.expression === 'string') return { type, expression: raw.expression };
      throw new DvtError(
        'config',
        `${node.unique_id}: column '${column.name}' has constraint ${JSON.stringify(raw)}; dvt applies not_null, primary_key, unique and check (with an expression)`,
        where,
      );
    });
    return { name: column.name, data_type: column.data_type.trim(), constraints };
  });
}

/** The model-level `constraints:` of a contracted model, checked against its declared columns. */
export function declaredModelConstraints(node: ExecutableNode, declared: readonly ContractColumn[]): ModelConstraint[] {
  const where = { location: { file: node.patch_path?.replace(/^[^:]+:\/\//, '') ?? node.original_file_path } };
  const known = new Set(declared.map((c) => c.name.toLowerCase()));
  return (node.constraints ?? []).map((raw): ModelConstraint => {
    const type = isRecord(raw) ? raw.type : undefined;
    if (isRecord(raw) && type === 'check' && typeof raw.expression === 'string') return { type, expression: raw.expression };
    if (isRecord(raw) && (type === 'primary_key' || type === 'unique' || type === 'not_null')) {
      const columns = raw.columns;
      if (!Array.isArray(columns) || columns.length === 0 || !columns.every((c) => typeof c === 'string')) {
        throw new DvtError('config', `${node.unique_id}: the model-level ${type} constraint needs 'columns', a list of column names`, where);
      }
      const unknown = columns.find((c) => !known.has(c.toLowerCase()));
      if (unknown !== undefined) throw new DvtError('config', `${node.unique_id}: the model-level ${type} constraint names column '${unknown}', which the contract does not declare`, where);
      return { type, columns };
    }
    throw new DvtError('config', `${node.unique_id}: model constraint ${JSON.stringify(raw)}; dvt applies primary_key, unique, not_null (with columns) and check (with an expression)`, where);
  });
}

/**
 * The model's result columns against the contract: names compare case-
 * insensitively (engines fold them), types by their kind in dvt's canonical
 * types (so `int`/`integer`/`int4` agree, while `integer` and `bigint` or
 * `text` and `integer` do not); lengths and precisions are not compared.
 */
export function compareContract(declared: readonly ContractColumn[], actual: readonly ColumnMeta[], dialect: Dialect): ContractMismatch[] {
  const mismatches: ContractMismatch[] = [];
  const actualByName = new Map(actual.map((c) => [c.name.toLowerCase(), c]));
  const declaredNames = new Set(declared.map((c) => c.name.toLowerCase()));
  for (const column of declared) {
    const found = actualByName.get(column.name.toLowerCase());
    if (!found) {
      mismatches.push({ column: column.name, contract_type: column.data_type, model_type: null, reason: 'missing in model' });
      continue;
    }
    if (kindOf(dialect.toCanonicalType(column.data_type)) !== kindOf(found.type)) {
      mismatches.push({ column: column.name, contract_type: column.data_type, model_type: found.nativeType || formatCanonicalType(found.type), reason: 'type differs' });
    }
  }
  for (const column of actual) {
    if (!declaredNames.has(column.name.toLowerCase())) {
      mismatches.push({ column: column.name, contract_type: null, model_type: column.nativeType || formatCanonicalType(column.type), reason: 'missing in contract' });
    }
  }
  return mismatches;
}

function kindOf(type: CanonicalType): string {
  return type.kind;
}

/** dbt's message, with one line per mismatch. */
export function contractFailureMessage(node: ExecutableNode, mismatches: readonly ContractMismatch[]): string {
  const rows = mismatches.map((m) => `  ${m.column.padEnd(24)} ${(m.contract_type ?? '-').padEnd(16)} ${(m.model_type ?? '-').padEnd(16)} ${m.reason}`);
  return [
    `This model has an enforced contract that failed (${node.unique_id}).`,
    "Please ensure the name, data_type, and number of columns in your contract match the columns in your model's definition.",
    '',
    `  ${'column'.padEnd(24)} ${'contract type'.padEnd(16)} ${'model type'.padEnd(16)} problem`,
    ...rows,
  ].join('\n');
}

/**
 * The table a contract builds: declared columns and types with their
 * constraints, then the model's rows inserted by column name, so the engine
 * enforces what it supports while loading.
 */
export function contractTableSql(
  relation: string,
  declared: readonly ContractColumn[],
  dialect: Dialect,
  compiledCode: string,
  modelConstraints: readonly ModelConstraint[] = [],
): { create: string; insert: string } {
  const notNull = new Set(modelConstraints.flatMap((c) => (c.type === 'not_null' ? c.columns.map((n) => n.toLowerCase()) : [])));
  const definitions = declared.map((column) => {
    const clauses = column.constraints.map((c) =>
      c.type === 'not_null' ? 'not null' : c.type === 'primary_key' ? 'primary key' : c.type === 'unique' ? 'unique' : `check (${c.expression})`,
    );
    if (notNull.has(column.name.toLowerCase()) && !clauses.includes('not null')) clauses.push('not null');
    return `    ${[dialect.quoteIdentifier(column.name), column.data_type, ...clauses].join(' ')}`;
  });
  for (const c of modelConstraints) {
    if (c.type === 'check') definitions.push(`    check (${c.expression})`);
    else if (c.type !== 'not_null') definitions.push(`    ${c.type === 'primary_key' ? 'primary key' : 'unique'} (${c.columns.map((n) => dialect.quoteIdentifier(n)).join(', ')})`);
  }
  const names = declared.map((c) => dialect.quoteIdentifier(c.name)).join(', ');
  return {
    create: `create table ${relation} (\n${definitions.join(',\n')}\n)`,
    insert: `insert into ${relation} (${names})\nselect ${names}\nfrom (\n${stripTrailingSemicolon(compiledCode)}\n) as model_subq`,
  };
}

/** The model's SQL with no rows, to learn its columns without running it. */
export function emptyResultSql(compiledCode: string): string {
  return `select * from (\n${stripTrailingSemicolon(compiledCode)}\n) as dbt_contract_check where false limit 0`;
}

function stripTrailingSemicolon(sql: string): string {
  return sql.replace(/;\s*$/, '');
}
