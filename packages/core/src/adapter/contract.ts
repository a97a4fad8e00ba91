/**
 * The adapter contract: what an `@dvt/adapter-<type>` package exports.
 *
 * An adapter is a plain object (its package's default export), checked at load
 * time by shape and `apiVersion`, never by `instanceof` — two installed copies
 * of core must not break discovery.
 *
 * A new adapter needs only `Dialect` and a `Connection` with `query`, `stream`,
 * `ping` and `close`. Everything else (catalog, bulk load, extraction,
 * transactions) has defaults in core built on those; fast paths are optional.
 */

export const ADAPTER_API_VERSION = 1 as const;

/**
 * One logical type system that every engine maps to and from. Values of each
 * kind travel between engines in the representation documented on `Value`.
 */
export type CanonicalType =
  | { kind: 'boolean' }
  | { kind: 'smallint' }
  | { kind: 'integer' }
  | { kind: 'bigint' }
  | { kind: 'decimal'; precision?: number; scale?: number }
  | { kind: 'real' }
  | { kind: 'double' }
  | { kind: 'text'; length?: number }
  | { kind: 'date' }
  | { kind: 'time' }
  | { kind: 'timestamp' }
  | { kind: 'timestamptz' }
  | { kind: 'interval' }
  | { kind: 'json' }
  | { kind: 'uuid' }
  | { kind: 'binary' }
  | { kind: 'unknown'; native: string };

export type CanonicalKind = CanonicalType['kind'];

/**
 * How values are handed over by `query` and `stream`, chosen so that no value
 * loses precision on its way between engines:
 *
 * | kind                        | JS value                                           |
 * |-----------------------------|----------------------------------------------------|
 * | null of any kind            | `null`                                             |
 * | boolean                     | `boolean`                                          |
 * | smallint, integer           | `number`                                           |
 * | bigint                      | `bigint`                                           |
 * | decimal                     | `string` ('-12.50', exact)                         |
 * | real, double                | `number`                                           |
 * | text, uuid, json, interval  | `string` (json as its text)                        |
 * | date                        | `string` 'YYYY-MM-DD'                              |
 * | time                        | `string` 'HH:MM:SS[.ffffff]'                       |
 * | timestamp                   | `string` 'YYYY-MM-DD HH:MM:SS[.ffffff]'            |
 * | timestamptz                 | `string` 'YYYY-MM-DD HH:MM:SS[.ffffff]+00' (UTC)   |
 * | binary                      | `Uint8Array`                                       |
 * | unknown                     | whatever the driver gives, as text where possible  |
 *
 * Fractions of seconds carry no trailing zeros and are omitted when zero
 * (PostgreSQL's text form), so equal instants are equal strings; core's
 * `normalizeTimestamp`/`normalizeTimestampTz` produce exactly this. In CSV,
 * binary travels as PostgreSQL's hex text `\x0a1b`, booleans as true/false.
 */
export type Value = null | boolean | number | bigint | string | Uint8Array;

export interface ColumnMeta {
  name: string;
  /** The engine's own spelling of the type, as the catalog shows it. */
  nativeType: string;
  type: CanonicalType;
  nullable?: boolean;
  comment?: string;
}

export interface RelationRef {
  database?: string;
  schema: string;
  identifier: string;
}

export type RelationKind = 'table' | 'view' | 'materialized_view' | 'external' | 'other';

export interface RelationInfo extends RelationRef {
  kind: RelationKind;
  comment?: string;
  /** Row count and size where the engine knows them cheaply. */
  stats?: { rowCount?: number; bytes?: number };
}

export interface QueryResult {
  columns: ColumnMeta[];
  rows: Value[][];
  /** Rows affected by DML, where the engine reports it. */
  rowsAffected?: number;
}

export interface QueryOptions {
  signal?: AbortSignal;
}

export interface StreamOptions extends QueryOptions {
  /** Preferred rows per batch; the adapter may round it. */
  batchSize?: number;
}

export interface RowBatch {
  columns: ColumnMeta[];
  rows: Value[][];
}

export interface Catalog {
  listSchemas(database?: string): Promise<string[]>;
  listRelations(schema: string, database?: string): Promise<RelationInfo[]>;
  /** Columns in ordinal order; `undefined` when the relation does not exist. */
  describe(relation: RelationRef): Promise<ColumnMeta[] | undefined>;
}

/**
 * CSV as the movers exchange it (RFC 4180, `"` quoting, doubled quotes inside).
 * `nullString` is written unquoted for SQL NULL; a quoted field is never NULL,
 * so `""` is the empty string. Loaders say which spec they read best, and
 * extractors write the spec they are asked for.
 */
export interface CsvSpec {
  delimiter: string;
  header: boolean;
  nullString: string;
  /** Quote every non-null text field (MariaDB needs this to tell 'NULL' from NULL). */
  forceQuoteText: boolean;
}

export const DEFAULT_CSV: CsvSpec = { delimiter: ',', header: true, nullString: '', forceQuoteText: false };

export interface ColumnSpec {
  name: string;
  type: CanonicalType;
  /** Overrides the dialect's mapping of `type` (from `column_types`). */
  nativeType?: string;
}

/** Data handed to `bulkLoad`: a CSV file on local disk or a byte stream. */
export interface LoadSource {
  columns: ColumnSpec[];
  csv: CsvSpec;
  /** A local file path, or a stream factory (called once). */
  path?: string;
  open?: () => NodeJS.ReadableStream;
}

export interface LoadOptions {
  signal?: AbortSignal;
  onProgress?: (rows: number) => void;
}

export interface LoadStats {
  rows: number;
}

/** Where an extraction writes: CSV bytes in the requested spec. */
export interface ExtractSink {
  csv: CsvSpec;
  stream: NodeJS.WritableStream;
}

export interface ExtractStats {
  rows: number;
  columns: ColumnMeta[];
}

/** A columnar data file an engine reads or writes natively (DuckDB: Parquet). */
export interface DataFile {
  path: string;
  format: 'parquet';
}

export type BulkLoadKind = 'copy' | 'load-data' | 'appender' | 'stage' | 'insert';
export type ExtractKind = 'copy' | 'stream';

export interface DialectCapabilities {
  transactions: boolean;
  /** DDL can be rolled back inside a transaction (PostgreSQL, DuckDB: yes; MySQL: no). */
  transactionalDdl: boolean;
  merge: boolean;
  renameTable: boolean;
  createOrReplace: boolean;
  cte: boolean;
  windowFunctions: boolean;
  maxIdentifierLength: number;
  bulkLoad: BulkLoadKind;
  extract: ExtractKind;
  /** Incremental strategies the engine supports, in dbt's names. */
  incrementalStrategies: string[];
  /** The CSV spec this engine's loader reads losslessly. */
  loadCsv: CsvSpec;
  /** Most bind parameters one statement may carry (sizes the INSERT batches of the default bulk load). */
  maxParameters?: number;
  /**
   * `bulkLoad` fails on a number that does not fit its column (PostgreSQL's
   * COPY) instead of rounding or truncating it (DuckDB's reader rounds `2.5`
   * into an INTEGER). Large seeds then skip the whole-file type check that
   * otherwise runs beside the load. Absent means false.
   */
  strictLoad?: boolean;
}

/** Pure SQL knowledge about an engine: works with no connection. */
export interface Dialect {
  quoteIdentifier(id: string): string;
  quoteLiteral(value: Value): string;
  /** Bind placeholder for the i-th parameter (1-based): `$1`, `?`. */
  placeholder(index: number): string;
  toCanonicalType(native: string): CanonicalType;
  fromCanonicalType(type: CanonicalType): string;
  capabilities: DialectCapabilities;
  /** Relation as SQL text (quoting applied per part, database omitted where unsupported). */
  renderRelation(relation: RelationRef): string;
  /**
   * Optional: a constant of a canonical type as SQL the engine reads as that
   * exact value wherever it meets a column of the type, in a comparison or an
   * INSERT (core writes watermarks and pushed filters this way). `value` is in
   * `Value`'s representation for the kind; a timestamptz is in UTC
   * ('... +00'). Absent: `quoteLiteral(value)`, a string literal, which
   * PostgreSQL and DuckDB read as the column's type, offset included
   * (core's `typedLiteral` in adapter/defaults).
   */
  typedLiteral?(value: Value, type: CanonicalType): string;
  /**
   * True where a relation's name has no database part (MySQL: a "database"
   * is a schema). Relations in Jinja then render as `schema.identifier`
   * even though they carry target.database.
   */
  omitsDatabase?: boolean;
}

/** One field of a profile output, e.g. `host`, `password`. */
export interface ConfigProperty {
  name: string;
  type: 'string' | 'number' | 'boolean' | 'object' | 'array';
  required?: boolean;
  /** Never printed, logged, or written to artifacts. */
  secret?: boolean;
  default?: unknown;
  description?: string;
  aliases?: string[];
}

export interface AdapterLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
}

export interface AdapterContext {
  /** The project directory: relative paths in a profile resolve against it. */
  projectDir: string;
  logger: AdapterLogger;
}

export interface Connection {
  query(sql: string, params?: Value[], opts?: QueryOptions): Promise<QueryResult>;
  /**
   * Batches of rows with bounded memory; breaking out of the loop releases the
   * cursor. A result with no rows yields one batch with its columns and no rows.
   * Another statement on the same connection while a stream is open is either
   * refused with an Error or leaves the stream intact — never cuts it short.
   */
  stream(sql: string, params?: Value[], opts?: StreamOptions): AsyncIterable<RowBatch>;
  /** Optional: core falls back to information_schema queries. */
  catalog?: Catalog;
  /** Optional fast path: write the result of `sql` as CSV into `sink`. */
  extract?(sql: string, sink: ExtractSink, opts?: QueryOptions): Promise<ExtractStats>;
  /** Optional fast path: append CSV rows into an existing table. */
  bulkLoad?(relation: RelationRef, source: LoadSource, opts?: LoadOptions): Promise<LoadStats>;
  /** Optional fast path: write the result of `sql` into a data file (e.g. Parquet). */
  exportFile?(sql: string, file: DataFile, opts?: QueryOptions): Promise<ExtractStats>;
  /** Optional fast path: append the rows of a data file (columns matched by name) into an existing table. */
  loadFile?(relation: RelationRef, file: DataFile, opts?: LoadOptions): Promise<LoadStats>;
  /**
   * Optional: capabilities of the server this connection reached, where they
   * depend on its version (PostgreSQL has MERGE from 15). They override the
   * dialect's static flags, which cannot ask a server.
   */
  capabilities?: Partial<DialectCapabilities>;
  /** Optional: the server's version as the engine reports it (for logs and capability checks). */
  serverVersion?: string;
  ping(): Promise<void>;
  /** Interrupts whatever statement is running on this connection. */
  cancel?(): Promise<void>;
  close(): Promise<void>;
}

export interface AdapterDefinition<Config = Record<string, unknown>> {
  apiVersion: typeof ADAPTER_API_VERSION;
  /** profiles.yml `type:` */
  type: string;
  aliases?: string[];
  displayName: string;
  /** Brand colour (hex) used by the docs site and lineage graph. */
  color: string;
  configSchema: ConfigProperty[];
  dialect: Dialect;
  /**
   * Directory of Jinja macros overriding builtins as `<type>__<name>`, or a
   * list: the adapter's own directory first, then those of the adapters it
   * builds on (see `parentTypes`), so the `<parent>__` macros it inherits are
   * loaded even when the parent adapter is not in the run. The compiler loads
   * each directory once, however many adapters list it, and every adapter's
   * own directory before any inherited one.
   */
  macrosDir?: string | readonly string[];
  /** Types whose `<type>__` macros this adapter inherits (dispatch order), e.g. ['postgres'] for redshift. */
  parentTypes?: string[];
  /** The database and schema a profile output points at (for `target.*`). */
  describeTarget(config: Config): { database: string; schema: string };
  /**
   * Whether SQL run on a connection made from `own` can read relations that
   * live behind `other` (same server and database, an attached catalog, ...).
   * Pure: decided from the configs, before anything connects. Absent means
   * only outputs with an identical connection config see each other.
   */
  canSee?(own: Config, other: { type: string; config: Record<string, unknown> }): boolean;
  connect(config: Config, ctx: AdapterContext): Promise<Connection>;
}
