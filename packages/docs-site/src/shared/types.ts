/**
 * The data the site reads: dbt's manifest.json and catalog.json (the parts
 * the site uses) plus dvt.json, dvt's own facts about engines and movement.
 */

export interface EngineInfo {
  /** Adapter type (`duckdb`, `postgres`). */
  type: string;
  displayName: string;
  /** Brand colour as the adapter declares it (`#336791`). */
  color: string;
}

/**
 * Where a model's SQL runs (core's federation planner): `pushdown` on its own
 * target, every input visible from there; `federate-duckdb` with inputs
 * copied into the DuckDB cache; `federate-target` with remote inputs copied
 * into the target; `federate-auto`, one of those two picked at run time.
 */
export type MovementPath = 'pushdown' | 'federate-duckdb' | 'federate-target' | 'federate-auto';

export function isFederated(path: MovementPath | undefined): boolean {
  return path !== undefined && path !== 'pushdown';
}

/** How the site names a path. */
export const PATH_LABELS: Record<MovementPath, string> = {
  pushdown: 'pushdown',
  'federate-duckdb': 'federated via DuckDB',
  'federate-target': 'federated on the target',
  'federate-auto': 'federated (DuckDB or the target, by size)',
};

export interface DvtDocsInfo {
  /** Engines by profile output name. */
  engines: Record<string, EngineInfo>;
  /** The profile's default output. */
  defaultTarget: string;
  /** Per model unique_id. */
  paths: Record<string, MovementPath>;
  /** Why a model is federated: the inputs its target cannot see. */
  reasons?: Record<string, string>;
  /** Layered layout of the whole project: unique_id -> [x, y] of the node's centre. */
  layout: Record<string, [number, number]>;
}

export interface ManifestColumn {
  name: string;
  description?: string;
  data_type?: string | null;
}

export interface ManifestNode {
  unique_id: string;
  name: string;
  resource_type: string;
  package_name: string;
  original_file_path: string;
  path?: string;
  database?: string | null;
  schema?: string;
  alias?: string;
  identifier?: string;
  source_name?: string;
  description?: string;
  columns?: Record<string, ManifestColumn>;
  config?: Record<string, unknown> & { dvt?: { target?: string; connection?: string; adapter_type?: string } };
  tags?: string[];
  fqn?: string[];
  raw_code?: string;
  compiled_code?: string;
  relation_name?: string | null;
  depends_on?: { nodes?: string[] };
  column_name?: string | null;
  attached_node?: string | null;
  test_metadata?: { name: string } | null;
  docs?: { show?: boolean };
}

export interface ManifestDoc {
  unique_id: string;
  name: string;
  package_name: string;
  block_contents: string;
}

export interface Manifest {
  metadata: { project_name?: string; generated_at?: string; adapter_type?: string | null };
  nodes: Record<string, ManifestNode>;
  sources: Record<string, ManifestNode>;
  exposures?: Record<string, ManifestNode>;
  docs?: Record<string, ManifestDoc>;
  parent_map?: Record<string, string[]>;
  child_map?: Record<string, string[]>;
}

export interface CatalogColumn {
  type: string;
  index: number;
  name: string;
  comment?: string | null;
}

export interface CatalogTable {
  metadata: { type: string; schema: string; name: string; database?: string | null; comment?: string | null };
  columns: Record<string, CatalogColumn>;
  stats: Record<string, { id: string; label: string; value: unknown; include: boolean }>;
}

export interface Catalog {
  nodes: Record<string, CatalogTable>;
  sources: Record<string, CatalogTable>;
  errors?: string[] | null;
}

export interface SiteData {
  manifest: Manifest;
  catalog: Catalog;
  dvt: DvtDocsInfo;
}

/** Resource types drawn in the lineage graph (tests are listed on pages, not drawn). */
export const GRAPH_RESOURCE_TYPES: ReadonlySet<string> = new Set(['model', 'seed', 'snapshot', 'source', 'exposure', 'analysis']);

/** Where the node lives: its profile output name. */
export function outputOf(node: ManifestNode, info: Pick<DvtDocsInfo, 'defaultTarget'>): string {
  return node.config?.dvt?.target ?? node.config?.dvt?.connection ?? info.defaultTarget;
}
