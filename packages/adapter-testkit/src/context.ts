import type { AdapterDefinition, CompleteConnection, Dialect, RelationRef } from '@dvt/core';
import type { ServiceSpec } from './services.js';

/**
 * SQL the kit needs that is not the same on every engine. Defaults are
 * standard SQL (PostgreSQL, DuckDB); an adapter whose engine differs passes
 * its own through `statements`.
 */
export interface KitStatements {
  createSchema(schema: string, dialect: Dialect): string;
  dropSchema(schema: string, dialect: Dialect): string;
  /** Rename `from` to the identifier of `to` (same schema). */
  renameTable(from: RelationRef, to: RelationRef, dialect: Dialect): string;
  begin: string;
  commit: string;
  rollback: string;
}

export const STANDARD_STATEMENTS: KitStatements = {
  createSchema: (schema, d) => `create schema ${d.quoteIdentifier(schema)}`,
  dropSchema: (schema, d) => `drop schema ${d.quoteIdentifier(schema)} cascade`,
  renameTable: (from, to, d) => `alter table ${d.renderRelation(from)} rename to ${d.quoteIdentifier(to.identifier)}`,
  begin: 'begin',
  commit: 'commit',
  rollback: 'rollback',
};

export interface ConformanceOptions<Config = Record<string, unknown>> {
  adapter: AdapterDefinition<Config>;
  /** The profile output the kit connects with. */
  config: Config;
  /** Relative paths in `config` resolve against this (default: the process's working directory). */
  projectDir?: string;
  /** Case id -> why this adapter skips it. A skipped case shows its reason in the report. */
  skip?: Record<string, string>;
  /** A server the adapter needs: without it every case skips with one line (or fails under DVT_TEST_REQUIRE_SERVICES=1). */
  requires?: ServiceSpec;
  setup?: () => void | Promise<void>;
  teardown?: () => void | Promise<void>;
  statements?: Partial<KitStatements>;
  /** Extra suites (e.g. materializations) run after the built-in ones, under the same scratch schema. */
  suites?: ConformanceSuite[];
  /** Rows in the generated bulk-load file (default 3000). */
  bulkRows?: number;
}

/** What a suite's cases get at run time. */
export interface ConformanceContext {
  readonly adapter: AdapterDefinition<Record<string, unknown>>;
  readonly dialect: Dialect;
  readonly statements: KitStatements;
  /** The connection the kit opened (with core's defaults filled in). Only valid inside a case. */
  readonly connection: CompleteConnection;
  /** Opens another connection with the same config (closed by the kit at the end). */
  openConnection(): Promise<CompleteConnection>;
  /** A schema created for this run and dropped after it. */
  readonly schema: string;
  /** A relation in the scratch schema. */
  relation(identifier: string): RelationRef;
  /** A fresh identifier unique in this run: `<prefix>_<n>`. */
  uniqueName(prefix: string): string;
}

/**
 * What a case returns: nothing when it ran, or a sentence saying why it does
 * not apply to this adapter (e.g. a capability it does not declare) — the
 * case is then reported as skipped with that sentence.
 */
export type CaseOutcome = void | string;

/** Registers one case under its stable id; the kit applies skips and service gating. */
export type DefineCase = (
  id: string,
  title: string,
  run: (ctx: ConformanceContext) => Promise<CaseOutcome> | CaseOutcome,
  opts?: { timeout?: number },
) => void;

/**
 * A group of cases. Suites only register cases (pure: no I/O at definition
 * time); `needsConnection: false` suites run without a database.
 */
export interface ConformanceSuite {
  id: string;
  title: string;
  needsConnection: boolean;
  define(defineCase: DefineCase, options: ConformanceOptions<Record<string, unknown>>): void;
}
