import type { Manifest, ManifestNode } from '@dvt/docs-site';

/**
 * A synthetic project's manifest in the shape dbt's takes: `domains` groups
 * of sources, staging, intermediate and mart models (50 nodes each); every
 * tenth domain lives on PostgreSQL, with its last mart on DuckDB (data moved
 * across engines). Used to measure the docs site on thousands of nodes.
 */
export function syntheticManifest(domains: number): Manifest {
  const nodes: Record<string, ManifestNode> = {};
  const sources: Record<string, ManifestNode> = {};
  const parents: Record<string, string[]> = {};
  let seed = 7;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)];
  const model = (d: number, name: string, deps: string[], target: string): string => {
    const id = `model.big.${name}`;
    nodes[id] = {
      unique_id: id,
      name,
      resource_type: 'model',
      package_name: 'big',
      original_file_path: `models/domain_${d}/${name}.sql`,
      description: `Model ${name} of domain ${d}.`,
      columns: { id: { name: 'id', description: 'Key' }, [`${name}_amount`]: { name: `${name}_amount`, description: 'An amount' } },
      config: { materialized: 'table', dvt: { target, adapter_type: target === 'pg' ? 'postgres' : 'duckdb' } },
      raw_code: `select * from ${deps.map((p) => `{{ ref('${p.split('.').pop()}') }}`).join(' join ')}`,
      depends_on: { nodes: deps },
    };
    parents[id] = deps;
    return id;
  };
  for (let d = 0; d < domains; d++) {
    const target = d % 10 === 9 ? 'pg' : 'dev';
    const srcs: string[] = [];
    for (let i = 0; i < 5; i++) {
      const id = `source.big.src_${d}.table_${i}`;
      sources[id] = {
        unique_id: id,
        name: `table_${i}`,
        source_name: `src_${d}`,
        resource_type: 'source',
        package_name: 'big',
        original_file_path: `models/domain_${d}/sources.yml`,
        description: `Raw table ${i} of domain ${d}.`,
        config: { dvt: { connection: target, adapter_type: target === 'pg' ? 'postgres' : 'duckdb' } },
      };
      srcs.push(id);
    }
    const stg = Array.from({ length: 15 }, (_, i) => model(d, `stg_${d}_${i}`, [srcs[i % 5]], target));
    const int = Array.from({ length: 15 }, (_, i) => model(d, `int_${d}_${i}`, [...new Set([pick(stg), pick(stg)])], target));
    const marts: string[] = [];
    for (let i = 0; i < 15; i++) {
      const deps = new Set([pick(int), pick([...int, ...marts])]);
      marts.push(model(d, `mart_${d}_${i}`, [...deps], i === 14 ? 'dev' : target));
    }
  }
  const childMap: Record<string, string[]> = {};
  for (const id of [...Object.keys(nodes), ...Object.keys(sources)]) childMap[id] = [];
  for (const [child, ps] of Object.entries(parents)) for (const p of ps) childMap[p].push(child);
  const parentMap: Record<string, string[]> = { ...parents };
  for (const id of Object.keys(sources)) parentMap[id] = [];
  return { metadata: { project_name: 'big' }, nodes, sources, parent_map: parentMap, child_map: childMap };
}
