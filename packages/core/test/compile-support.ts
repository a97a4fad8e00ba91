import { cpSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AdapterDefinition, Dialect } from '../src/adapter/contract.js';
import { Compiler } from '../src/compile/index.js';
import type { CompilerOptions } from '../src/compile/index.js';
import { loadProject } from '../src/project/index.js';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * A pure dialect for compile tests: ANSI double-quote quoting. Compilation
 * never connects, so `connect` refuses.
 */
export const testDialect: Dialect = {
  quoteIdentifier: (id) => `"${id.replace(/"/g, '""')}"`,
  quoteLiteral: (v) => (v === null ? 'null' : `'${String(v).replace(/'/g, "''")}'`),
  placeholder: (i) => `$${i}`,
  toCanonicalType: (native) => ({ kind: 'unknown', native }),
  fromCanonicalType: (t) => t.kind,
  renderRelation: (r) => [r.database, r.schema, r.identifier].filter(Boolean).map((p) => `"${p}"`).join('.'),
  capabilities: {
    transactions: true,
    transactionalDdl: true,
    merge: true,
    renameTable: true,
    createOrReplace: true,
    cte: true,
    windowFunctions: true,
    maxIdentifierLength: 63,
    bulkLoad: 'insert',
    extract: 'stream',
    incrementalStrategies: ['append', 'delete+insert'],
    loadCsv: { delimiter: ',', header: true, nullString: '', forceQuoteText: false },
  },
};

/** `testdb`, a child of postgres for dispatch purposes. */
export const testAdapter: AdapterDefinition = {
  apiVersion: 1,
  type: 'testdb',
  displayName: 'Test DB',
  color: '#000000',
  configSchema: [{ name: 'password', type: 'string', secret: true }],
  dialect: testDialect,
  parentTypes: ['postgres'],
  macrosDir: join(here, 'fixtures', 'compile-testdb-macros'),
  describeTarget: (config) => ({ database: String(config.database ?? 'memory'), schema: String(config.schema ?? 'main') }),
  connect: () => Promise.reject(new Error('compile tests never connect')),
};

export function fixtureDir(name: string): string {
  return join(here, 'fixtures', name);
}

/** A throwaway copy of a fixture (compiled/ is written into it), plus extra files. */
export function projectCopy(fixture: string, files: Record<string, string> = {}): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `dvt-${fixture}-`));
  cpSync(fixtureDir(fixture), dir, { recursive: true });
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function compilerFor(dir: string, options: Partial<CompilerOptions> & { vars?: Record<string, unknown>; env?: Record<string, string> } = {}): Promise<Compiler> {
  const env = { ...(options.env ?? {}) };
  const project = loadProject({ projectDir: dir, profilesDir: dir, env, vars: options.vars });
  return Compiler.create({ adapters: { testdb: testAdapter }, env, ...options, project });
}

/** Collapses runs of blank lines and trailing spaces so expected SQL reads naturally. */
export function tidy(sql: string): string {
  return sql
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .replace(/\n{2,}/g, '\n')
    .trim();
}
