import type { ColumnMeta, RelationInfo } from '../adapter/contract.js';
import { baseMetadata, writeJsonFile } from './common.js';
import type { ArtifactMetadataOptions } from './common.js';

export const CATALOG_SCHEMA = 'https://schemas.getdbt.com/dbt/catalog/v1.json';

/** What the engine said about one node's or source's relation. */
export interface CatalogEntryInput {
  unique_id: string;
  database?: string | null;
  schema: string;
  name: string;
  /** From the engine's relation listing; absent when the relation was only described. */
  relation?: Pick<RelationInfo, 'kind' | 'comment' | 'stats'>;
  columns: ColumnMeta[];
}

export interface CatalogInput {
  nodes: CatalogEntryInput[];
  sources: CatalogEntryInput[];
  /** Connections that could not be read, as messages; written to `errors` (null when none). */
  errors: string[];
}

type Json = Record<string, unknown>;

/** dbt's spelling of relation kinds in catalog metadata (`BASE TABLE`, `VIEW`). */
const KIND_NAMES: Record<string, string> = {
  table: 'BASE TABLE',
  view: 'VIEW',
  materialized_view: 'MATERIALIZED VIEW',
  external: 'EXTERNAL',
  other: 'OTHER',
};

function statsJson(stats: RelationInfo['stats']): Json {
  const out: Json = {};
  if (stats?.rowCount !== undefined) {
    out.row_count = { id: 'row_count', label: 'Row Count', value: stats.rowCount, include: true, description: 'Rows in the relation, as the engine counts them' };
  }
  if (stats?.bytes !== undefined) {
    out.bytes = { id: 'bytes', label: 'Approximate Size', value: stats.bytes, include: true, description: 'Bytes on disk, as the engine reports them' };
  }
  out.has_stats = { id: 'has_stats', label: 'Has Stats?', value: Object.keys(out).length > 0, include: false, description: 'Indicates whether there are statistics for this table' };
  return out;
}

function entryJson(entry: CatalogEntryInput): Json {
  const columns: Json = {};
  entry.columns.forEach((c, i) => {
    columns[c.name] = { type: c.nativeType, index: i + 1, name: c.name, comment: c.comment ?? null };
  });
  return {
    metadata: {
      type: KIND_NAMES[entry.relation?.kind ?? 'table'] ?? 'BASE TABLE',
      schema: entry.schema,
      name: entry.name,
      database: entry.database ?? null,
      comment: entry.relation?.comment ?? null,
      owner: null,
    },
    columns,
    stats: statsJson(entry.relation?.stats),
    unique_id: entry.unique_id,
  };
}

/** catalog.json (v1): columns with native types, comments and stats per node and source. */
export function buildCatalog(input: CatalogInput, options: ArtifactMetadataOptions): Json {
  const nodes: Json = {};
  for (const entry of input.nodes) nodes[entry.unique_id] = entryJson(entry);
  const sources: Json = {};
  for (const entry of input.sources) sources[entry.unique_id] = entryJson(entry);
  return {
    metadata: baseMetadata(CATALOG_SCHEMA, options),
    nodes,
    sources,
    errors: input.errors.length > 0 ? input.errors : null,
  };
}

/** Write `<dir>/catalog.json`; returns its path. */
export function writeCatalog(dir: string, input: CatalogInput, options: ArtifactMetadataOptions): string {
  return writeJsonFile(dir, 'catalog.json', buildCatalog(input, options));
}
