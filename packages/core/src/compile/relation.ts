import { isKwargs, toJS } from '@dvt/jinja';
import type { Dialect, RelationRef } from '../adapter/contract.js';

/** dbt's relation types; `cte` marks an ephemeral model inlined as a CTE. */
export type RelationType = 'table' | 'view' | 'cte' | 'materialized_view' | 'external' | null;

export interface RelationPolicy {
  database: boolean;
  schema: boolean;
  identifier: boolean;
}

export interface RelationInit {
  database?: string | null;
  schema?: string | null;
  identifier?: string | null;
  type?: RelationType;
  quotePolicy?: Partial<RelationPolicy>;
  includePolicy?: Partial<RelationPolicy>;
  /** Rows a `ref()`/`source()` reads (`--empty`: 0); the relation then renders as a limited subquery. */
  limit?: number | null;
}

const ALL: RelationPolicy = { database: true, schema: true, identifier: true };
const EPHEMERAL_PREFIX = '__dbt__cte__';

/**
 * A database relation as dbt's Jinja sees it: prints as its quoted SQL name,
 * and answers `.get('metadata')` like a mapping because packages such as
 * dbt_utils recognise relations that way.
 */
export class Relation {
  readonly database: string | null;
  readonly schema: string | null;
  readonly identifier: string | null;
  readonly type: RelationType;
  readonly quote_policy: RelationPolicy;
  readonly include_policy: RelationPolicy;
  readonly dialect: Dialect;
  readonly adapterType: string;
  readonly limit: number | null;

  constructor(dialect: Dialect, adapterType: string, init: RelationInit) {
    this.dialect = dialect;
    this.adapterType = adapterType;
    this.database = init.database ?? null;
    this.schema = init.schema ?? null;
    this.identifier = init.identifier ?? null;
    this.type = init.type ?? null;
    this.quote_policy = { ...ALL, ...init.quotePolicy };
    this.include_policy = { ...ALL, ...init.includePolicy };
    this.limit = init.limit ?? null;
  }

  /** A relation for an ephemeral model: the bare CTE name. */
  static ephemeral(dialect: Dialect, adapterType: string, name: string): Relation {
    return new Relation(dialect, adapterType, {
      identifier: EPHEMERAL_PREFIX + name,
      type: 'cte',
      quotePolicy: { identifier: false },
      includePolicy: { database: false, schema: false },
    });
  }

  static addEphemeralPrefix(name: string): string {
    return EPHEMERAL_PREFIX + name;
  }

  get name(): string | null {
    return this.identifier;
  }
  get table(): string | null {
    return this.identifier;
  }
  get is_table(): boolean {
    return this.type === 'table';
  }
  get is_view(): boolean {
    return this.type === 'view';
  }
  get is_cte(): boolean {
    return this.type === 'cte';
  }
  get is_materialized_view(): boolean {
    return this.type === 'materialized_view';
  }
  /** What dbt_utils' `_is_relation` reads: `metadata.type` ending in `Relation`. */
  get metadata(): Record<string, string> {
    return { type: `${this.adapterType.charAt(0).toUpperCase()}${this.adapterType.slice(1)}Relation` };
  }
  get path(): { database: string | null; schema: string | null; identifier: string | null } {
    return { database: this.database, schema: this.schema, identifier: this.identifier };
  }

  /** Mapping-style access, as dbt relations (dataclasses) allow. */
  get(key: string, fallback: unknown = null): unknown {
    switch (key) {
      case 'metadata':
        return this.metadata;
      case 'path':
        return this.path;
      case 'type':
        return this.type;
      case 'database':
      case 'schema':
      case 'identifier':
        return this[key];
      case 'quote_policy':
        return this.quote_policy;
      case 'include_policy':
        return this.include_policy;
      default:
        return fallback;
    }
  }

  /**
   * The name as SQL, or with a limit (`--empty`) a subquery reading at most
   * that many rows, aliased as dbt does so it stands where a table name did:
   * `(select * from "db"."main"."orders" where false limit 0) _dbt_limit_subq_orders`.
   */
  render(): string {
    const name = this.renderName();
    if (this.limit === null) return name;
    const body = this.limit === 0 ? `select * from ${name} where false limit 0` : `select * from ${name} limit ${this.limit}`;
    return `(${body}) _dbt_limit_subq_${this.identifier ?? 'relation'}`;
  }

  /** This relation reading at most `limit` rows when rendered. */
  limited(limit: number): Relation {
    return this.copy({ limit });
  }

  private renderName(): string {
    const parts: string[] = [];
    for (const part of ['database', 'schema', 'identifier'] as const) {
      const value = this[part];
      if (!this.include_policy[part] || value === null || value === '') continue;
      if (part === 'database' && this.dialect.omitsDatabase) continue;
      parts.push(this.quote_policy[part] ? this.dialect.quoteIdentifier(value) : value);
    }
    return parts.join('.');
  }

  toString(): string {
    return this.render();
  }

  /** `include(database=False)` from Jinja, or `include({ database: false })` from TS. */
  include(opts: Partial<RelationPolicy> = {}): Relation {
    return this.copy({ includePolicy: { ...this.include_policy, ...pickPolicy(options(opts)) } });
  }

  quote(opts: Partial<RelationPolicy> = {}): Relation {
    return this.copy({ quotePolicy: { ...this.quote_policy, ...pickPolicy(options(opts)) } });
  }

  without_identifier(): Relation {
    return this.include({ identifier: false });
  }

  /** `incorporate(path={...}, type=...)` */
  incorporate(given: { path?: Partial<Record<'database' | 'schema' | 'identifier', string | null>>; type?: RelationType } = {}): Relation {
    const opts = options(given) as typeof given;
    const path = opts.path ?? {};
    return this.copy({
      database: 'database' in path ? path.database : this.database,
      schema: 'schema' in path ? path.schema : this.schema,
      identifier: 'identifier' in path ? path.identifier : this.identifier,
      type: opts.type === undefined ? this.type : opts.type,
    });
  }

  /**
   * dbt's `relation.information_schema('columns')`: the database's
   * information schema, or one view of it (`"db".INFORMATION_SCHEMA.columns`);
   * the relation's own schema is left out.
   */
  information_schema(...args: unknown[]): Relation {
    const last = args[args.length - 1];
    const given = isKwargs(last) ? last.get('view_name') : args[0];
    const view = typeof given === 'string' && given !== '' ? given : null;
    return new Relation(this.dialect, this.adapterType, {
      database: this.database,
      schema: 'INFORMATION_SCHEMA',
      identifier: view,
      type: 'view',
      quotePolicy: { database: this.quote_policy.database, schema: false, identifier: false },
    });
  }

  information_schema_only(): Relation {
    return this.information_schema();
  }

  toRef(): RelationRef {
    return { ...(this.database ? { database: this.database } : {}), schema: this.schema ?? '', identifier: this.identifier ?? '' };
  }

  private copy(change: RelationInit): Relation {
    return new Relation(this.dialect, this.adapterType, {
      database: this.database,
      schema: this.schema,
      identifier: this.identifier,
      type: this.type,
      quotePolicy: this.quote_policy,
      includePolicy: this.include_policy,
      limit: this.limit,
      ...change,
    });
  }
}

/** Keyword arguments from Jinja arrive as a Kwargs object holding engine values. */
function options<T>(given: T): T {
  return (isKwargs(given) ? toJS(given.values) : given ?? {}) as T;
}

function pickPolicy(opts: Partial<RelationPolicy>): Partial<RelationPolicy> {
  const out: Partial<RelationPolicy> = {};
  for (const key of ['database', 'schema', 'identifier'] as const) {
    if (typeof opts[key] === 'boolean') out[key] = opts[key];
  }
  return out;
}

export function isRelation(value: unknown): value is Relation {
  return value instanceof Relation;
}
