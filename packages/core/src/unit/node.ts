import type { ExecutableNode } from '../project/types.js';
import type { UnitTestDefinition } from '../project/unit-tests.js';

/**
 * The node a unit test runs as, as dbt builds it: the tested model's code
 * and config under the unit test's identity (`this`, `model`, compile path
 * and run results name the unit test). It lives only in a run's plan.
 */
export function unitTestNode(test: UnitTestDefinition, model: ExecutableNode): ExecutableNode {
  const name = test.version !== null && test.version !== undefined ? `${test.name}_v${test.version}` : test.name;
  return {
    ...model,
    unique_id: test.unique_id,
    resource_type: 'unit_test',
    name,
    path: `${name}.sql`,
    original_file_path: test.original_file_path,
    root_path: test.root_path,
    fqn: test.fqn,
    description: test.description,
    tags: test.tags,
    meta: test.meta,
    config: { ...model.config, tags: test.config.tags, meta: test.config.meta, pre_hook: [], post_hook: [] },
    alias: name,
    checksum: { name: 'none', checksum: '' },
    depends_on: { macros: [...model.depends_on.macros], nodes: [model.unique_id] },
    patch_path: null,
    line: test.line,
  };
}
