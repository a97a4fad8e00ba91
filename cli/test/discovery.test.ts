import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { candidatePackages, createAdapterDiscovery, discoverAdapter, installCommand, resolvableFrom } from '../src/adapters/discovery.js';
import { tempDir } from './helpers.js';

/** A third-party style adapter package on disk: valid by shape, never connected in these tests. */
function writeAdapterPackage(projectDir: string, packageName: string, type: string, opts: { version?: string; broken?: boolean } = {}): void {
  const dir = join(projectDir, 'node_modules', ...packageName.split('/'));
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: packageName, version: opts.version ?? '1.2.3', type: 'module', exports: { '.': { import: './index.js' } } }),
  );
  const definition = opts.broken
    ? `export default { apiVersion: 1, type: '${type}' };`
    : `const caps = { transactions: true, transactionalDdl: true, merge: false, renameTable: true, createOrReplace: true, cte: true,
         windowFunctions: true, maxIdentifierLength: 63, bulkLoad: 'insert', extract: 'stream', incrementalStrategies: ['append'],
         loadCsv: { delimiter: ',', header: true, nullString: '', forceQuoteText: false } };
       export default {
         apiVersion: 1, type: '${type}', displayName: '${packageName}', color: '#123456', configSchema: [{ name: 'path', type: 'string' }],
         dialect: { quoteIdentifier: (s) => '"' + s + '"', quoteLiteral: (v) => "'" + v + "'", placeholder: (i) => '$' + i,
           toCanonicalType: () => ({ kind: 'text' }), fromCanonicalType: () => 'text', renderRelation: (r) => r.identifier, capabilities: caps },
         describeTarget: () => ({ database: 'db', schema: 'main' }),
         connect: async () => { throw new Error('not connected in discovery tests'); },
       };`;
  writeFileSync(join(dir, 'index.js'), definition);
}

describe('adapter discovery', () => {
  it('tries an explicit adapter name, then @dvt/adapter-<type>, then dvt-adapter-<type>', () => {
    expect(candidatePackages('postgres', ['acme-pg'])).toEqual(['acme-pg', '@dvt/adapter-postgres', 'dvt-adapter-postgres']);
  });

  it('finds a third-party dvt-adapter-<type> in the project and reads its version', async () => {
    const projectDir = tempDir();
    writeAdapterPackage(projectDir, 'dvt-adapter-fake', 'fake', { version: '4.5.6' });
    const found = await discoverAdapter('fake', { projectDir, outputs: [] });
    expect(found.packageName).toBe('dvt-adapter-fake');
    expect(found.version).toBe('4.5.6');
    expect(found.definition.type).toBe('fake');
  });

  it('prefers @dvt/adapter-<type> over dvt-adapter-<type>, and an explicit adapter: over both', async () => {
    const projectDir = tempDir();
    writeAdapterPackage(projectDir, 'dvt-adapter-fake', 'fake');
    writeAdapterPackage(projectDir, '@dvt/adapter-fake', 'fake');
    writeAdapterPackage(projectDir, 'acme-fake', 'fake');
    expect((await discoverAdapter('fake', { projectDir, outputs: [] })).packageName).toBe('@dvt/adapter-fake');
    const outputs = [{ name: 'dev', type: 'fake', adapter: 'acme-fake', threads: 1, config: {} }];
    expect((await discoverAdapter('fake', { projectDir, outputs })).packageName).toBe('acme-fake');
  });

  it('falls back to the adapters installed with the CLI', async () => {
    const found = await discoverAdapter('duckdb', { projectDir: tempDir(), outputs: [] });
    expect(found.packageName).toBe('@dvt/adapter-duckdb');
    expect(found.definition.type).toBe('duckdb');
  });

  it('names what it tried and the install command of the project\'s package manager', async () => {
    const projectDir = tempDir();
    await expect(discoverAdapter('nosuchdb', { projectDir, outputs: [] })).rejects.toThrow(
      /No adapter installed for profile type 'nosuchdb'\.\nTried @dvt\/adapter-nosuchdb, dvt-adapter-nosuchdb from .*\nInstall it: npm install -D @dvt\/adapter-nosuchdb/,
    );
    writeFileSync(join(projectDir, 'pnpm-lock.yaml'), 'lockfileVersion: 9.0\n');
    expect(installCommand(projectDir, '@dvt/adapter-x')).toBe('pnpm add -D @dvt/adapter-x');
  });

  it('rejects a package whose export is not an adapter, naming the package', async () => {
    const projectDir = tempDir();
    writeAdapterPackage(projectDir, 'dvt-adapter-bad', 'bad', { broken: true });
    await expect(discoverAdapter('bad', { projectDir, outputs: [] })).rejects.toThrow(/dvt-adapter-bad is not a usable dvt adapter/);
  });

  it('rejects an adapter that serves another type', async () => {
    const projectDir = tempDir();
    writeAdapterPackage(projectDir, 'dvt-adapter-one', 'two');
    await expect(discoverAdapter('one', { projectDir, outputs: [] })).rejects.toThrow(/an adapter for 'two', not for profile type 'one'/);
  });

  it('tells a project where no package of the name can resolve without resolving it', () => {
    const projectDir = tempDir();
    const nested = join(projectDir, 'sub', 'project');
    mkdirSync(nested, { recursive: true });
    expect(resolvableFrom(nested, '@dvt/adapter-fake')).toBe(false);
    // A package importing itself by name resolves through its own package.json.
    writeFileSync(join(projectDir, 'sub', 'package.json'), JSON.stringify({ name: '@dvt/adapter-fake' }));
    expect(resolvableFrom(nested, '@dvt/adapter-fake')).toBe(true);
    expect(resolvableFrom(nested, 'dvt-adapter-fake')).toBe(false);
    writeAdapterPackage(projectDir, 'dvt-adapter-fake', 'fake');
    expect(resolvableFrom(nested, 'dvt-adapter-fake')).toBe(true);
  });

  it('imports each type once per run', async () => {
    const projectDir = tempDir();
    writeAdapterPackage(projectDir, 'dvt-adapter-fake', 'fake');
    const discovery = createAdapterDiscovery({ projectDir, outputs: [] });
    const [a, b] = await Promise.all([discovery.resolve('fake'), discovery.resolve('fake')]);
    expect(a).toBe(b);
  });
});
