import { callJinja, type JinjaCallable } from '@dvt/jinja';
import { DvtError } from '../errors.js';
import { Column } from './column.js';
import { ResultTable } from './database.js';
import { grantsFromRows, type GrantMap } from './grant-maps.js';
import type { RenderState } from './context.js';
import { arg, splitArgs } from './kwargs.js';
import { Relation } from './relation.js';
import type { RelationType } from './relation.js';

// Host objects templates call methods on: `adapter`, `api.Relation`, `api.Column`.

/** dbt's generic type names as `api.Column.translate_type` spells them. */
const TYPE_LABELS: Record<string, string> = { STRING: 'TEXT', TIMESTAMP: 'TIMESTAMP', FLOAT: 'FLOAT', INTEGER: 'INT', BOOLEAN: 'BOOLEAN' };

/** `api.Column`: a column as packages build one, and the type helpers. */
export const columnApi = {
  create: (...args: unknown[]) => {
    const call = splitArgs(args);
    return new Column(String(arg(call, 0, 'name')), String(arg(call, 1, 'label_or_dtype', arg(call, 1, 'dtype', ''))));
  },
  translate_type: (dtype: unknown) => TYPE_LABELS[String(dtype).toUpperCase()] ?? String(dtype),
  string_type: (size: unknown) => `character varying(${String(size)})`,
  numeric_type: (dtype: unknown, precision: unknown, scale: unknown) =>
    precision === null || precision === undefined || scale === null || scale === undefined ? String(dtype) : `${String(dtype)}(${String(precision)},${String(scale)})`,
};

/** The `adapter` object templates see. */
export class JinjaAdapter {
  constructor(private readonly state: RenderState) {}

  type(): string {
    return this.state.adapterType;
  }

  quote(identifier: unknown): string {
    return this.state.dialect.quoteIdentifier(String(identifier));
  }

  quote_as_configured(identifier: unknown, quoteKey: unknown): string {
    const quoting = this.state.services.project.config.quoting;
    const key = String(quoteKey);
    return quoting[key] === false ? String(identifier) : this.quote(identifier);
  }

  /** `get_show_grant_sql`'s result (run_query's table) as the `grants` config's shape: privilege -> grantees. */
  standardize_grants_dict(table: unknown): GrantMap {
    if (!(table instanceof ResultTable)) throw new DvtError('compile', 'adapter.standardize_grants_dict expects the table of run_query(get_show_grant_sql(relation))');
    return grantsFromRows(table.column_names, table.rows.map((row) => table.column_names.map((_, i) => row.get(i))));
  }

  quote_seed_column(column: unknown, quoteConfig?: unknown): string {
    return quoteConfig === false ? String(column) : this.quote(column);
  }

  // Introspection reads the database through the runner's bridge when
  // executing; at parse time dbt answers without a database, and so do we.
  get_relation(...args: unknown[]): Relation | null {
    if (!this.state.execute) return null;
    const call = splitArgs(args);
    const str = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : String(v));
    const ref = { database: str(arg(call, 0, 'database')), schema: String(arg(call, 1, 'schema')), identifier: String(arg(call, 2, 'identifier')) };
    const found = this.state.database('adapter.get_relation()').getRelation(ref, this.state.output.name);
    if (!found) return null;
    const kind = found.kind === 'other' ? null : found.kind;
    return new Relation(this.state.dialect, this.state.adapterType, { database: found.database ?? ref.database, schema: found.schema, identifier: found.identifier, type: kind });
  }

  get_columns_in_relation(relation: unknown): Column[] {
    if (!this.state.execute) return [];
    if (!(relation instanceof Relation)) throw new DvtError('compile', 'adapter.get_columns_in_relation() takes a relation');
    const columns = this.state.database('adapter.get_columns_in_relation()').describe(relation.toRef(), this.state.output.name) ?? [];
    return columns.map((c) => new Column(c.name, c.nativeType));
  }

  /** Columns of `from` that `to` lacks (by name, ignoring case). */
  get_missing_columns(from: unknown, to: unknown): Column[] {
    if (!this.state.execute) return [];
    const present = new Set(this.get_columns_in_relation(to).map((c) => c.name.toLowerCase()));
    return this.get_columns_in_relation(from).filter((c) => !present.has(c.name.toLowerCase()));
  }

  // Relation management from templates (run-operation, custom materializations,
  // package macros): the SQL comes from the overridable builtin macros, run
  // through the bridge. At parse time nothing runs, as in dbt.

  create_schema(relation: unknown): null {
    this.runMacroStatements('create_schema', [this.relationArg(relation, 'create_schema')]);
    return null;
  }

  drop_schema(relation: unknown): null {
    this.runMacroStatements('drop_schema', [this.relationArg(relation, 'drop_schema')]);
    return null;
  }

  drop_relation(relation: unknown): null {
    this.runMacroStatements('drop_relation', [this.relationArg(relation, 'drop_relation')]);
    return null;
  }

  truncate_relation(relation: unknown): null {
    this.runMacroStatements('truncate_relation', [this.relationArg(relation, 'truncate_relation')]);
    return null;
  }

  rename_relation(from: unknown, to: unknown): null {
    this.runMacroStatements('rename_relation', [this.relationArg(from, 'rename_relation'), this.relationArg(to, 'rename_relation')]);
    return null;
  }

  /** Relations of `schema_relation`'s schema, as the catalog lists them. */
  list_relations_without_caching(schemaRelation: unknown): Relation[] {
    if (!this.state.execute) return [];
    const schema = this.relationArg(schemaRelation, 'list_relations_without_caching');
    const database = this.state.database('adapter.list_relations_without_caching()');
    if (!database.listRelations) throw new DvtError('compile', 'adapter.list_relations_without_caching() needs a database bridge that lists relations');
    const ref = schema.toRef();
    return database.listRelations(ref.schema, ref.database, this.state.output.name).map(
      (r) => new Relation(this.state.dialect, this.state.adapterType, { database: r.database ?? ref.database ?? null, schema: r.schema, identifier: r.identifier, type: r.kind === 'view' ? 'view' : r.kind === 'other' ? null : 'table' }),
    );
  }

  private relationArg(value: unknown, method: string): Relation {
    if (!(value instanceof Relation)) throw new DvtError('compile', `adapter.${method}() takes a relation (api.Relation.create(...), ref(), this)`);
    return value;
  }

  private runMacroStatements(name: string, args: unknown[]): void {
    if (!this.state.execute) return;
    const { registry } = this.state.services;
    const entry = registry.resolve(name, this.state.packageName);
    if (!entry) throw new DvtError('compile', `adapter.${name}() needs the macro '${name}', which no package defines`);
    const value = callJinja(this.state.use(entry), args, {});
    const statements = typeof value === 'string' ? [value] : Array.isArray(value) ? value.map(String) : [String(value)];
    for (const sql of statements) if (sql.trim().length > 0) this.state.runStatement(null, sql, false);
  }

  /** Template statements run on their own connection, each committed as it runs: nothing is left to commit. */
  commit(): null {
    return null;
  }

  /** `adapter.execute(sql, fetch=True)` -> (response, table) */
  execute(...args: unknown[]): unknown[] {
    const call = splitArgs(args);
    if (!this.state.execute) return [null, null];
    const result = this.state.runStatement(null, String(arg(call, 0, 'sql')), Boolean(arg(call, 2, 'fetch', false)));
    return [result.response, result.table];
  }

  dispatch(...args: unknown[]): JinjaCallable {
    const call = splitArgs(args);
    let name = String(arg(call, 0, 'macro_name'));
    let namespace = arg<string | null>(call, 1, 'macro_namespace', null);
    if (namespace === null && name.includes('.')) {
      // dbt's older form: dispatch('pkg.name')
      [namespace, name] = name.split('.', 2) as [string, string];
    }
    const { services } = this.state;
    const definition = services.adapter(this.state.adapterType);
    const chain = [definition.type, ...(definition.parentTypes ?? [])];
    const entry = services.registry.dispatch(name, namespace, chain, services.project.config.dispatch, this.state.packageName);
    return this.state.use(entry);
  }
}

/** `api.Relation.create(database=, schema=, identifier=, type=)` */
export class RelationApi {
  constructor(private readonly state: RenderState) {}

  create(...args: unknown[]): Relation {
    const call = splitArgs(args);
    const str = (v: unknown): string | null => (v === undefined || v === null ? null : String(v));
    return new Relation(this.state.dialect, this.state.adapterType, {
      database: str(arg(call, 0, 'database')),
      schema: str(arg(call, 1, 'schema')),
      identifier: str(arg(call, 2, 'identifier')),
      type: (str(arg(call, 3, 'type')) as RelationType) ?? null,
    });
  }

  add_ephemeral_prefix(name: unknown): string {
    return Relation.addEphemeralPrefix(String(name));
  }
}
