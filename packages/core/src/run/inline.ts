import { createHash } from 'node:crypto';
import { defaultConfig } from '../project/config.js';
import { targetDatabase } from '../project/load.js';
import type { ExecutableNode, Project } from '../project/types.js';

const INLINE_NAME = 'inline_query';

/**
 * `--inline SQL` as dbt treats it: a node of its own in the root project, so
 * `ref()`, `source()`, macros and vars work and ephemeral models it refers to
 * are inlined as CTEs, exactly as for a model file. It lives on the default
 * target and is never added to the project or the graph.
 */
export function inlineNode(project: Project, sql: string): ExecutableNode {
  const output = project.profile.outputs[project.profile.target];
  const pkg = project.config.name;
  return {
    unique_id: `sql_operation.${pkg}.${INLINE_NAME}`,
    resource_type: 'model',
    name: INLINE_NAME,
    package_name: pkg,
    path: `${INLINE_NAME}.sql`,
    original_file_path: `${INLINE_NAME}.sql`,
    root_path: project.config.rootDir,
    fqn: [pkg, INLINE_NAME],
    description: '',
    meta: {},
    tags: [],
    config: defaultConfig('model'),
    raw_code: sql,
    language: 'sql',
    database: targetDatabase(output),
    schema: String(output.config.schema ?? output.config.dataset ?? 'main'),
    alias: INLINE_NAME,
    checksum: { name: 'sha256', checksum: createHash('sha256').update(sql).digest('hex') },
    columns: {},
    refs: [],
    sources: [],
    depends_on: { macros: [], nodes: [] },
  };
}
