import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AdapterDefinition, Value } from '../src/adapter/contract.js';
import { Compiler } from '../src/compile/index.js';
import { loadProject } from '../src/project/index.js';
import { runCommand } from '../src/run/index.js';
import type { RunCommandName, RunEvent, RunOutcome } from '../src/run/index.js';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * The runner's integration tests use the real DuckDB adapter. Core cannot
 * depend on it (the adapter depends on core), so the tests load its build
 * output by path; `pnpm test` builds every package first.
 */
const duckdbEntry = join(here, '../../../adapters/duckdb/dist/index.js');

export async function loadDuckdb(): Promise<AdapterDefinition | string> {
  if (!existsSync(duckdbEntry)) {
    const reason = `the DuckDB adapter is not built (${duckdbEntry}); run: pnpm --filter @dvt/adapter-duckdb... build`;
    if (process.env.DVT_TEST_REQUIRE_SERVICES === '1') throw new Error(reason);
    return reason;
  }
  const mod = (await import(pathToFileURL(duckdbEntry).href)) as { default: AdapterDefinition };
  return mod.default;
}

export interface TestProject {
  dir: string;
  write(files: Record<string, string>): void;
  remove(path: string): void;
  cleanup(): void;
}

/** A throwaway copy of a fixture project with a DuckDB profile writing into it. */
export function projectCopy(fixture: string, files: Record<string, string> = {}): TestProject {
  const dir = mkdtempSync(join(tmpdir(), `dvt-${fixture}-`));
  cpSync(join(here, 'fixtures', fixture), dir, { recursive: true });
  const write = (more: Record<string, string>) => {
    for (const [path, text] of Object.entries(more)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
  };
  write({
    'profiles.yml': `run_shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: ${join(dir, 'warehouse.duckdb')}\n      schema: main\n      threads: 1\n`,
    ...files,
  });
  return { dir, write, remove: (path) => rmSync(join(dir, path), { force: true }), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface RunOptions {
  /** Node names to run (default: every node the command executes). */
  select?: string[];
  threads?: number;
  fullRefresh?: boolean;
  failFast?: boolean;
  vars?: Record<string, unknown>;
}

export async function runDvt(
  adapter: AdapterDefinition,
  project: TestProject,
  command: RunCommandName,
  options: RunOptions = {},
): Promise<RunOutcome & { events: RunEvent[] }> {
  const loaded = loadProject({ projectDir: project.dir, profilesDir: project.dir, env: {}, vars: options.vars });
  const compiler = await Compiler.create({ project: loaded, adapters: { duckdb: adapter }, env: {}, flags: { FULL_REFRESH: options.fullRefresh ?? false } });
  compiler.parseProject();
  const selection = [...loaded.nodes.values()]
    .filter((n) => !options.select || options.select.includes(n.name))
    .map((n) => n.unique_id);
  const events: RunEvent[] = [];
  const outcome = await runCommand({
    command,
    project: loaded,
    compiler,
    selection,
    threads: options.threads,
    fullRefresh: options.fullRefresh,
    failFast: options.failFast,
    targetPath: join(project.dir, 'target'),
    resolveAdapter: async () => adapter,
    events: (e) => events.push(e),
  });
  return { ...outcome, events };
}

/** Runs SQL against the project's DuckDB file on a connection of its own. */
export async function query(adapter: AdapterDefinition, project: TestProject, sql: string): Promise<Value[][]> {
  const conn = await adapter.connect({ path: join(project.dir, 'warehouse.duckdb') }, { projectDir: project.dir, logger: { debug() {}, info() {}, warn() {} } });
  try {
    return (await conn.query(sql)).rows;
  } finally {
    await conn.close();
  }
}

export function statusOf(outcome: RunOutcome, name: string): string | undefined {
  return outcome.results.find((r) => r.unique_id.split('.').at(-1) === name || r.unique_id.split('.').at(-2) === name)?.status;
}
