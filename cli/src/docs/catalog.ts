import type { AdapterDefinition, CatalogEntryInput, CatalogInput, Project, RelationInfo } from '@dvt/core';
import type { Log } from '../output/log.js';
import { catalogSubjects } from './relations.js';
import type { CatalogSubject } from './relations.js';

export interface CatalogReadOptions {
  project: Project;
  resolveAdapter(type: string): Promise<AdapterDefinition>;
  log: Log;
  /** Masks secrets in messages that go into catalog.json's `errors`. */
  mask(text: string): string;
}

export interface CatalogRead {
  input: CatalogInput;
  /** Seconds each output took, by output name (reported in the summary). */
  seconds: Record<string, number>;
}

/**
 * Reads the catalog of every node and source from the engine it lives on:
 * one connection per profile output, all outputs at once. An output that
 * cannot be reached is reported and left out; the others are still read.
 */
export async function readCatalog(opts: CatalogReadOptions): Promise<CatalogRead> {
  const { core, subjects } = { core: await import('@dvt/core'), subjects: catalogSubjects(opts.project) };
  const input: CatalogInput = { nodes: [], sources: [], errors: [] };
  const seconds: Record<string, number> = {};
  await Promise.all(
    [...subjects].map(async ([outputName, list]) => {
      const started = performance.now();
      const output = opts.project.profile.outputs[outputName];
      if (!output) {
        input.errors.push(`No profile output '${outputName}' to read ${list.length} relation(s) from.`);
        return;
      }
      let adapter: AdapterDefinition | undefined;
      try {
        adapter = await opts.resolveAdapter(output.type);
        const raw = await adapter.connect(output.config, { projectDir: opts.project.config.rootDir, logger: adapterLogger(opts.log) });
        const connection = core.withDefaults(raw, adapter.dialect);
        try {
          for (const entry of await describeAll(connection.catalog, list)) (entry.kind === 'source' ? input.sources : input.nodes).push(entry.entry);
        } finally {
          await connection.close().catch(() => undefined);
        }
      } catch (e) {
        const message = opts.mask(`Could not read the catalog of '${outputName}' (${adapter?.displayName ?? output.type}): ${(e as Error).message}`);
        input.errors.push(message);
        opts.log.warn('CatalogOutputSkipped', `${message}; its ${list.length} relation(s) are left out of catalog.json.`, { output: outputName });
      }
      seconds[outputName] = (performance.now() - started) / 1000;
    }),
  );
  return { input, seconds };
}

type CatalogApi = NonNullable<Awaited<ReturnType<AdapterDefinition['connect']>>['catalog']>;

/** Relation listings per schema (kinds, comments, stats), then each relation's columns. */
async function describeAll(catalog: CatalogApi, subjects: CatalogSubject[]): Promise<{ kind: CatalogSubject['kind']; entry: CatalogEntryInput }[]> {
  // Per schema: its relations by lower-cased name, or null when the schema could not be listed.
  const listings = new Map<string, Map<string, RelationInfo> | null>();
  const schemaKey = (database: string | undefined, schema: string) => `${database ?? ''}\u0000${schema}`.toLowerCase();
  for (const s of subjects) {
    const key = schemaKey(s.relation.database, s.relation.schema);
    if (listings.has(key)) continue;
    try {
      const relations = await catalog.listRelations(s.relation.schema, s.relation.database);
      listings.set(key, new Map(relations.map((r) => [r.identifier.toLowerCase(), r])));
    } catch {
      listings.set(key, null); // a schema that cannot be listed still gets its relations described
    }
  }
  const out: { kind: CatalogSubject['kind']; entry: CatalogEntryInput }[] = [];
  for (const s of subjects) {
    const listing = listings.get(schemaKey(s.relation.database, s.relation.schema));
    const listed = listing?.get(s.relation.identifier.toLowerCase());
    // Not listed: not built (yet), and dbt leaves it out of the catalog too; no query needed to learn that.
    if (listing && !listed) continue;
    const columns = await catalog.describe(s.relation);
    if (columns === undefined) continue;
    out.push({
      kind: s.kind,
      entry: {
        unique_id: s.uniqueId,
        database: listed?.database ?? s.relation.database ?? null,
        schema: listed?.schema ?? s.relation.schema,
        name: listed?.identifier ?? s.relation.identifier,
        relation: listed,
        columns,
      },
    });
  }
  return out;
}

function adapterLogger(log: Log) {
  return {
    debug: (message: string) => log.debug('AdapterLog', message),
    info: (message: string) => log.debug('AdapterLog', message),
    warn: (message: string) => log.warn('AdapterWarning', message),
  };
}
