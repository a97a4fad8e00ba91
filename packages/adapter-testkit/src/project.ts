import { join } from 'node:path';
import { Compiler, loadProject, runCommand } from '@dvt/core';
import type { AdapterContext, AdapterDefinition, ExecutableNode, RunCommandName, RunOutcome, Value } from '@dvt/core';

/** A context for connections a test opens itself: logs nothing. */
export const QUIET_CONTEXT: AdapterContext = { projectDir: process.cwd(), logger: { debug: () => undefined, info: () => undefined, warn: () => undefined } };

export interface RunProjectOptions {
  /** Which nodes run (default: every node). */
  select?: (node: ExecutableNode) => boolean;
  vars?: Record<string, unknown>;
  fullRefresh?: boolean;
  /** Replaces the profile's outputs after loading, e.g. to keep a real output (with secrets) off the disk. */
  outputs?: ReturnType<typeof loadProject>['profile']['outputs'];
}

/**
 * Runs a dvt command on the project in `dir` (profiles.yml beside
 * dbt_project.yml) with `adapter`, as the CLI does: load, parse, run.
 */
export async function runProject(adapter: AdapterDefinition, dir: string, command: RunCommandName, options: RunProjectOptions = {}): Promise<RunOutcome> {
  const project = loadProject({ projectDir: dir, profilesDir: dir, env: {}, vars: options.vars ?? {} });
  if (options.outputs) project.profile.outputs = options.outputs;
  const fullRefresh = options.fullRefresh ?? false;
  const compiler = await Compiler.create({ project, adapters: { [adapter.type]: adapter }, env: {}, flags: { FULL_REFRESH: fullRefresh } });
  compiler.parseProject();
  const select = options.select ?? (() => true);
  return runCommand({
    command,
    project,
    compiler,
    selection: [...project.nodes.values()].filter(select).map((n) => n.unique_id),
    fullRefresh,
    targetPath: join(dir, 'target'),
    resolveAdapter: async () => adapter,
  });
}

/** The rows of `sql`, on a connection opened for it and closed after. */
export async function queryRows(adapter: AdapterDefinition, config: Parameters<AdapterDefinition['connect']>[0], sql: string, ctx: AdapterContext = QUIET_CONTEXT): Promise<Value[][]> {
  const connection = await adapter.connect(config, ctx);
  try {
    return (await connection.query(sql)).rows;
  } finally {
    await connection.close();
  }
}
