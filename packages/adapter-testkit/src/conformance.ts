import { afterAll, beforeAll, describe, it } from 'vitest';
import { withDefaults, type AdapterDefinition, type CompleteConnection, type RelationRef } from '@dvt/core';
import { STANDARD_STATEMENTS, type ConformanceContext, type ConformanceOptions, type ConformanceSuite, type DefineCase } from './context.js';
import { serviceSkipReason } from './services.js';
import { capabilitySuite } from './suites/capabilities.js';
import { connectionSuite } from './suites/connection.js';
import { dataMovementSuite } from './suites/data-movement.js';
import { dialectSuite } from './suites/dialect.js';

/** The built-in suites, in run order. Pass more through `options.suites`. */
export const BUILTIN_SUITES: readonly ConformanceSuite[] = [dialectSuite, connectionSuite, dataMovementSuite, capabilitySuite];

const silentLogger = { debug() {}, info() {}, warn() {} };

/**
 * Declares the conformance suite for one adapter as vitest cases. Call it at
 * the top level of a test file. Every case has a stable id (shown in its
 * title) that `skip` can name with a reason.
 */
export function describeAdapterConformance<Config>(options: ConformanceOptions<Config>): void {
  const opts = options as unknown as ConformanceOptions<Record<string, unknown>>;
  const adapter = opts.adapter as AdapterDefinition<Record<string, unknown>>;
  const dialect = adapter.dialect;
  const statements = { ...STANDARD_STATEMENTS, ...opts.statements };
  const suites = [...BUILTIN_SUITES, ...(opts.suites ?? [])];
  const known = new Set<string>();

  const runId = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  const schema = `dvt_kit_${runId}`;
  let counter = 0;
  let serviceReason: string | undefined;
  let primary: CompleteConnection | undefined;
  let connectError: unknown;
  const extra: CompleteConnection[] = [];

  const connect = async () =>
    withDefaults(await adapter.connect(opts.config, { projectDir: opts.projectDir ?? process.cwd(), logger: silentLogger }), dialect);

  const context: ConformanceContext = {
    adapter,
    dialect,
    statements,
    get connection() {
      if (!primary) throw new Error('no connection: the adapter failed to connect (see the first failing case)');
      return primary;
    },
    async openConnection() {
      const c = await connect();
      extra.push(c);
      return c;
    },
    schema,
    relation: (identifier: string): RelationRef => ({ schema, identifier }),
    uniqueName: (prefix: string) => `${prefix}_${++counter}`,
  };

  describe(`${adapter.displayName} adapter conformance`, () => {
    beforeAll(async () => {
      if (opts.requires) serviceReason = await serviceSkipReason(opts.requires);
      if (serviceReason) return;
      await opts.setup?.();
      try {
        primary = await connect();
        await primary.query(statements.createSchema(schema, dialect));
      } catch (e) {
        connectError = e;
      }
    }, 60_000);

    afterAll(async () => {
      if (primary) {
        try {
          await primary.query(statements.dropSchema(schema, dialect));
        } finally {
          for (const c of extra) await c.close().catch(() => undefined);
          await primary.close();
        }
      }
      if (!serviceReason) await opts.teardown?.();
    }, 60_000);

    for (const suite of suites) {
      describe(suite.title, () => {
        const defineCase: DefineCase = (id, title, run, caseOpts) => {
          if (known.has(id)) throw new Error(`conformance case id '${id}' is defined twice`);
          known.add(id);
          const skipReason = opts.skip?.[id];
          it(`[${id}] ${title}`, async (t) => {
            if (skipReason) return t.skip(skipReason);
            if (suite.needsConnection) {
              if (serviceReason) return t.skip(serviceReason);
              if (connectError) throw connectError;
            }
            const notApplicable = await run(context);
            if (typeof notApplicable === 'string') t.skip(notApplicable);
          }, caseOpts?.timeout ?? 30_000);
        };
        suite.define(defineCase, opts);
      });
    }

    it('[kit.skip-ids] every skipped case id exists', () => {
      const unknown = Object.keys(opts.skip ?? {}).filter((id) => !known.has(id));
      if (unknown.length > 0) throw new Error(`skip names case ids that do not exist: ${unknown.join(', ')}`);
    });
  });
}
