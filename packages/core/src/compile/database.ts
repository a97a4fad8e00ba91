import { MAPPING_MARK } from '@dvt/jinja';
import type { ColumnMeta, RelationInfo, RelationRef } from '../adapter/contract.js';

/**
 * Synchronous database access while rendering: what `statement`,
 * `run_query`, `adapter.get_relation` and `adapter.get_columns_in_relation`
 * need. Jinja host functions are synchronous and drivers are not, so the
 * runner provides this through a bridge (a worker thread blocked on with
 * Atomics.wait, per ARCHITECTURE.md). Without one, those calls fail with a
 * clear message when executing, and answer as dbt does at parse time.
 */
export interface TemplateDatabase {
  /** Runs one statement on the profile output `outputName`; `fetch` asks for the rows. */
  execute(sql: string, outputName: string, fetch: boolean): StatementResult;
  /** The relation as the catalog has it (names compared as the engine folds them), or undefined. */
  getRelation(ref: RelationRef, outputName: string): RelationInfo | undefined;
  /** Columns in ordinal order, or undefined when the relation does not exist. */
  describe(ref: RelationRef, outputName: string): ColumnMeta[] | undefined;
  /** Relations of a schema (`adapter.list_relations_without_caching`); optional for older bridges. */
  listRelations?(schema: string, database: string | undefined, outputName: string): RelationInfo[];
  /**
   * The same calls made on a connection the runner holds (a node's own,
   * inside its transaction, as dbt runs a node's template queries) instead of
   * the output's template connection; undefined when that connection is not
   * one this database can reach.
   */
  onConnection?(connection: unknown): TemplateDatabase | undefined;
}

export interface StatementResult {
  columns: { name: string }[];
  rows: unknown[][];
  rowsAffected?: number;
  /** The engine's status text (`SELECT 3`, `INSERT 0 1`), when it gives one. */
  message?: string;
}

/** One column of a result table: `table.columns[0].values()`, `table.columns['name'].values()`. */
export class ResultColumn {
  constructor(
    readonly name: string,
    private readonly data: readonly unknown[],
  ) {}

  values(): unknown[] {
    return [...this.data];
  }
}

/** Columns by position or by name, iterating in order (agate's MappedSequence). */
export class ResultColumns {
  readonly [MAPPING_MARK] = true;
  private readonly list: ResultColumn[];

  constructor(columns: ResultColumn[]) {
    this.list = columns;
  }

  get(key: unknown): ResultColumn | undefined {
    if (typeof key === 'number') return this.list[key < 0 ? this.list.length + key : key];
    return this.list.find((c) => c.name === key);
  }

  keys(): string[] {
    return this.list.map((c) => c.name);
  }

  /** `(name, column)` pairs: dbt_utils' get_query_results_as_dict walks `table.columns.items()`. */
  items(): [string, ResultColumn][] {
    return this.list.map((c) => [c.name, c]);
  }

  values(): ResultColumn[] {
    return [...this.list];
  }

  [Symbol.iterator](): Iterator<ResultColumn> {
    return this.list[Symbol.iterator]();
  }
}

/** A row by position or by column name. */
export class ResultRow {
  readonly [MAPPING_MARK] = true;

  constructor(
    private readonly names: readonly string[],
    private readonly cells: readonly unknown[],
  ) {}

  get(key: unknown): unknown {
    if (typeof key === 'number') return this.cells[key < 0 ? this.cells.length + key : key];
    const i = this.names.indexOf(String(key));
    return i < 0 ? undefined : this.cells[i];
  }

  keys(): string[] {
    return [...this.names];
  }

  [Symbol.iterator](): Iterator<unknown> {
    return this.cells[Symbol.iterator]();
  }
}

/** What `load_result(name).table` and `run_query(sql)` return: an agate-like table. */
export class ResultTable {
  readonly column_names: string[];
  readonly rows: ResultRow[];
  readonly columns: ResultColumns;

  constructor(result: StatementResult) {
    this.column_names = result.columns.map((c) => c.name);
    this.rows = result.rows.map((cells) => new ResultRow(this.column_names, cells));
    this.columns = new ResultColumns(this.column_names.map((name, i) => new ResultColumn(name, result.rows.map((r) => r[i]))));
  }

  print_table(): string {
    return '';
  }

  /** `{% for row in table %}` walks the rows, as over an agate table. */
  [Symbol.iterator](): Iterator<ResultRow> {
    return this.rows[Symbol.iterator]();
  }
}
