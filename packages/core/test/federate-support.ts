import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AdapterDefinition, Connection } from '../src/adapter/contract.js';
import { Compiler } from '../src/compile/index.js';
import { loadProject } from '../src/project/index.js';
import { runCommand, type RunEvent, type RunOutcome } from '../src/run/index.js';

/**
 * Federation tests run on the real adapters and servers. Core cannot depend
 * on the adapters (they depend on core), so their builds are loaded by path.
 */
const root = join(import.meta.dirname, '../../..');
const entries: Record<string, string> = {
  duckdb: 'adapters/duckdb/dist/index.js',
  postgres: 'adapters/postgres/dist/index.js',
  mariadb: 'adapters/mariadb/dist/index.js',
};

export type EngineType = 'duckdb' | 'postgres' | 'mariadb';

export async function loadAdapters(): Promise<Record<EngineType, AdapterDefinition> | string> {
  const out: Partial<Record<EngineType, AdapterDefinition>> = {};
  for (const [type, entry] of Object.entries(entries)) {
    const file = join(root, entry);
    if (!existsSync(file)) {
      const reason = `${file} is not built; run: pnpm --filter @dvt/adapter-${type}... build`;
      if (process.env.DVT_TEST_REQUIRE_SERVICES === '1') throw new Error(reason);
      return reason;
    }
    out[type as EngineType] = ((await import(pathToFileURL(file).href)) as { default: AdapterDefinition }).default;
  }
  return out as Record<EngineType, AdapterDefinition>;
}

/** Why PostgreSQL or MariaDB tests cannot run here, through the testkit's gate. */
export async function servicesSkipReason(): Promise<string | undefined> {
  const file = join(root, 'packages/adapter-testkit/dist/index.js');
  if (!existsSync(file)) return `${file} is not built`;
  const kit = (await import(pathToFileURL(file).href)) as {
    serviceSkipReason(spec: unknown): Promise<string | undefined>;
    POSTGRES: unknown;
    MARIADB: unknown;
  };
  return (await kit.serviceSkipReason(kit.POSTGRES)) ?? (await kit.serviceSkipReason(kit.MARIADB));
}

export const silent = { debug() {}, info() {}, warn() {} };

export interface FederationFixture {
  dir: string;
  /** Unique per test file: the PostgreSQL schema and MariaDB database prefix. */
  tag: string;
  write(files: Record<string, string>): void;
  cleanup(): void;
}

export function fixtureDir(name: string): FederationFixture {
  const dir = mkdtempSync(join(tmpdir(), `dvt-${name}-`));
  const tag = `dvt_${name.replace(/\W/g, '_')}_${process.pid}_${Date.now() % 100000}`;
  return {
    dir,
    tag,
    write(files) {
      for (const [path, text] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), text);
      }
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * Drops what a federation test file made: its PostgreSQL schemas and MariaDB
 * databases (the fixture's tag plus any extra names), the connections, and
 * the project directory. A connection that never opened is skipped.
 */
export async function dropFixture(fx: FederationFixture, pg: Connection | undefined, maria: Connection | undefined, extraNames: string[] = []): Promise<void> {
  const names = [fx.tag, ...extraNames];
  if (pg) {
    for (const name of names) await pg.query(`drop schema if exists ${name} cascade`);
    await pg.close();
  }
  if (maria) {
    for (const name of names) await maria.query(`drop database if exists ${name}`);
    await maria.close();
  }
  fx.cleanup();
}

export async function connect(adapter: AdapterDefinition, config: Record<string, unknown>, projectDir: string): Promise<Connection> {
  return adapter.connect(config, { projectDir, logger: silent });
}

export async function runProject(
  adapters: Record<EngineType, AdapterDefinition>,
  dir: string,
  options: { select?: string[]; fullRefresh?: boolean; threads?: number; command?: 'run' | 'compile' | 'build' | 'seed' | 'test'; env?: Record<string, string> } = {},
): Promise<RunOutcome & { events: RunEvent[] }> {
  const env = options.env ?? {};
  const project = loadProject({ projectDir: dir, profilesDir: dir, env });
  const compiler = await Compiler.create({ project, adapters, env, flags: { FULL_REFRESH: options.fullRefresh ?? false } });
  compiler.parseProject();
  const selection = [...project.nodes.values()].filter((n) => !options.select || options.select.includes(n.name)).map((n) => n.unique_id);
  const events: RunEvent[] = [];
  const outcome = await runCommand({
    command: options.command ?? 'run',
    project,
    compiler,
    selection,
    threads: options.threads,
    fullRefresh: options.fullRefresh,
    targetPath: join(dir, 'target'),
    resolveAdapter: async (type) => adapters[type as EngineType],
    events: (e) => events.push(e),
  });
  return { ...outcome, events };
}

export function failures(outcome: RunOutcome): string[] {
  return outcome.results.filter((r) => !['success', 'pass', 'warn'].includes(r.status)).map((r) => `${r.unique_id}: ${r.status} ${r.message}`);
}
