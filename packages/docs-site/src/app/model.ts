import { SearchIndex } from '../shared/search.js';
import type { LineageIndex } from '../shared/select.js';
import type { CatalogTable, EngineInfo, ManifestNode, SiteData } from '../shared/types.js';
import { GRAPH_RESOURCE_TYPES, outputOf } from '../shared/types.js';

export interface ColumnTest {
  name: string;
  unique_id: string;
}

const UNKNOWN_ENGINE: EngineInfo = { type: 'unknown', displayName: 'Unknown engine', color: '#8a8f98' };

/** The loaded project as the views read it: lookups built once. */
export class DocsModel implements LineageIndex {
  readonly nodes = new Map<string, ManifestNode>();
  readonly parents = new Map<string, string[]>();
  readonly children = new Map<string, string[]>();
  /** Data tests by the node they test, then by column ('' for node-level tests). */
  readonly tests = new Map<string, Map<string, ColumnTest[]>>();
  readonly search: SearchIndex;
  readonly projectName: string;

  constructor(readonly data: SiteData) {
    const { manifest } = data;
    this.projectName = manifest.metadata.project_name ?? 'project';
    const all: ManifestNode[] = [...Object.values(manifest.nodes), ...Object.values(manifest.sources), ...Object.values(manifest.exposures ?? {})];
    for (const node of all) {
      if (GRAPH_RESOURCE_TYPES.has(node.resource_type)) this.nodes.set(node.unique_id, node);
      if (node.resource_type === 'test') this.addTest(node);
    }
    for (const id of this.nodes.keys()) {
      this.parents.set(id, (manifest.parent_map?.[id] ?? []).filter((p) => this.nodes.has(p)));
      this.children.set(id, (manifest.child_map?.[id] ?? []).filter((c) => this.nodes.has(c)));
    }
    this.search = new SearchIndex(
      [...this.nodes.values()].map((n) => ({
        unique_id: n.unique_id,
        name: n.resource_type === 'source' ? `${n.source_name}.${n.name}` : n.name,
        description: n.description ?? '',
        columns: this.columnsOf(n).map((c) => ({ name: c.name, description: c.description })),
      })),
    );
  }

  private addTest(test: ManifestNode): void {
    const target = test.attached_node ?? test.depends_on?.nodes?.[0];
    if (!target) return;
    let byColumn = this.tests.get(target);
    if (!byColumn) this.tests.set(target, (byColumn = new Map()));
    const column = (test.column_name ?? '').toLowerCase();
    const list = byColumn.get(column) ?? [];
    list.push({ name: test.test_metadata?.name ?? test.name, unique_id: test.unique_id });
    byColumn.set(column, list);
  }

  output(node: ManifestNode): string {
    return outputOf(node, this.data.dvt);
  }

  engine(node: ManifestNode): EngineInfo {
    return this.data.dvt.engines[this.output(node)] ?? { ...UNKNOWN_ENGINE, type: node.config?.dvt?.adapter_type ?? UNKNOWN_ENGINE.type };
  }

  catalogOf(node: ManifestNode): CatalogTable | undefined {
    return node.resource_type === 'source' ? this.data.catalog.sources[node.unique_id] : this.data.catalog.nodes[node.unique_id];
  }

  label(node: ManifestNode): string {
    return node.resource_type === 'source' ? `${node.source_name}.${node.name}` : node.name;
  }

  /**
   * Columns from the project's YAML and the engine's catalog together: the
   * catalog's order and native types, the YAML's descriptions.
   */
  columnsOf(node: ManifestNode): { name: string; type: string; description: string; comment: string }[] {
    const documented = new Map(Object.values(node.columns ?? {}).map((c) => [c.name.toLowerCase(), c]));
    const cataloged = Object.values(this.catalogOf(node)?.columns ?? {}).sort((a, b) => a.index - b.index);
    const out = cataloged.map((c) => {
      const doc = documented.get(c.name.toLowerCase());
      documented.delete(c.name.toLowerCase());
      return { name: c.name, type: c.type, description: doc?.description ?? '', comment: c.comment ?? '' };
    });
    for (const doc of documented.values()) out.push({ name: doc.name, type: doc.data_type ?? '', description: doc.description ?? '', comment: '' });
    return out;
  }

  testsOf(node: ManifestNode, column: string): ColumnTest[] {
    return this.tests.get(node.unique_id)?.get(column.toLowerCase()) ?? [];
  }

  /** Is data moved across engines on the edge parent -> child? */
  crossesEngines(parent: ManifestNode, child: ManifestNode): boolean {
    return this.output(parent) !== this.output(child);
  }
}
