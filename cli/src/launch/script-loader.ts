import { closeSync, openSync, readFileSync, readSync, realpathSync, statSync } from 'node:fs';
import { isAscii } from 'node:buffer';
import { createRequire, isBuiltin } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { types } from 'node:util';
import { Script } from 'node:vm';
import { cacheEntryName, cacheEntryPrefix, TWIN_STAMP_MARK, twinStamp } from './cache-location.js';
import { decodeCacheEntry, encodeCacheEntry } from './cache-entry.js';
import type { CompileCacheStore } from './cache-store.js';
import { packageRootEntry, splitSpecifier } from './package-entry.js';

/** The parameters scripts/bundle.mjs builds a CommonJS twin to expect. */
const WRAPPER_HEAD = '(function (exports, require, module, __filename, __dirname, __dvtImportMetaUrl, __dvtImportMetaResolve) {';
const WRAPPER_TAIL = '\n})';

type Resolve = (specifier: string) => string;

interface Unsaved {
  script: Script;
  name: string;
  prefix: string;
  purposes: string[];
}

/**
 * Runs dvt's CommonJS twins (the same code as each package's ES module
 * bundle, see scripts/bundle.mjs) through V8's code cache, which Node 20
 * offers for scripts but not for ES modules. A package the program requires
 * is loaded from its twin when it has one, so the CLI, core, Jinja and the
 * adapters share one instance of each; anything else goes to Node's own
 * require (which loads an ES module too, on Node 20.19 and later).
 */
export class CachedScriptLoader {
  private readonly loaded = new Map<string, { exports: unknown }>();
  private readonly unsaved: Unsaved[] = [];

  /**
   * `program` is the CLI's own: its directory, and the `import.meta.resolve`
   * of its bin, which serves the scripts there (the only ones that use it;
   * a bare name resolves the same from anywhere in one package). `purpose`
   * names what this run does (the command): entries record the purposes
   * whose code they hold.
   */
  constructor(
    private readonly store: CompileCacheStore,
    private readonly runtime: string,
    private readonly program: { dir: string; resolve: Resolve },
    private readonly purpose: string,
    private readonly trace: (message: string) => void,
  ) {}

  /** The exports of the twin at `path`, run once per real file. */
  load(path: string): unknown {
    // One system call: the JavaScript realpath walks every component of the path.
    const real = realpathSync.native(path);
    const done = this.loaded.get(real);
    if (done) return done.exports;
    const source = readSource(real);
    const stamp = twinStamp(source);
    // The build's stamp says what the file was; its size and time say whether it was edited since.
    const { size, mtimeMs } = statSync(real);
    const name = stamp === undefined ? undefined : cacheEntryName(real, `${stamp} ${size} ${mtimeMs}`, this.runtime);
    const stored = name === undefined ? undefined : this.store.read(name);
    const entry = stored === undefined ? undefined : decodeCacheEntry(stored);
    const script = new Script(WRAPPER_HEAD + source + WRAPPER_TAIL, { filename: real, cachedData: entry?.code });
    if (name === undefined) {
      this.trace(`compiled ${real} (no build stamp: not cached)`);
    } else if (entry === undefined || script.cachedDataRejected) {
      this.trace(`${stored === undefined ? 'compiled' : 'rejected the cached code of'} ${real}`);
      this.unsaved.push({ script, name, prefix: cacheEntryPrefix(real), purposes: [this.purpose] });
    } else {
      this.trace(`used the cached code of ${real}`);
      // The entry holds what the commands that wrote it compiled; another command's functions
      // would be compiled on every run of it. Written once more, it holds both.
      if (!entry.purposes.includes(this.purpose)) this.unsaved.push({ script, name, prefix: cacheEntryPrefix(real), purposes: [...entry.purposes, this.purpose] });
    }
    const module = { exports: {} as unknown };
    // Registered before it runs, as Node's require does, so that a cycle sees the partial exports.
    this.loaded.set(real, module);
    const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
    const resolveSpecifier = dirname(real) === this.program.dir ? this.program.resolve : (specifier: string) => unavailableResolve(real, specifier);
    wrapper.call(module.exports, module.exports, this.requireFrom(real), module, real, dirname(real), pathToFileURL(real).href, resolveSpecifier);
    return module.exports;
  }

  /**
   * Writes the code of every script compiled this run, taken now rather than
   * when it was compiled: V8 then includes the functions the run went on to
   * compile, which a later run of the same command does not compile again.
   */
  saveCompiled(): void {
    for (const { script, name, prefix, purposes } of this.unsaved.splice(0)) {
      this.store.write(name, prefix, encodeCacheEntry({ purposes, code: script.createCachedData() }), purposes);
    }
  }

  private requireFrom(file: string): (id: string) => unknown {
    const nodeRequire = createRequire(file);
    // Each `await import('@dvt/core')` of the program is a require() of its twin when reached:
    // what an id names is looked up once.
    const found = new Map<string, () => unknown>();
    return (id: string) => {
      let load = found.get(id);
      if (!load) {
        load = this.loaderOf(id, file, nodeRequire);
        found.set(id, load);
      }
      return load();
    };
  }

  /**
   * How `id`, required from `file`, loads: a dvt twin (one the build stamped:
   * a package's own `.cjs` beside its ES module is none) through this
   * loader, anything else through Node's require.
   */
  private loaderOf(id: string, file: string, nodeRequire: NodeJS.Require): () => unknown {
    if (isBuiltin(id)) return () => nodeRequire(id);
    const path = id.startsWith('file:') ? fileURLToPath(id) : isAbsolute(id) || id.startsWith('.') ? resolve(dirname(file), id) : packageEntryPath(id, dirname(file));
    if (path === undefined) return () => nodeRequire(id);
    const twin = path.replace(/\.m?js$/, '.cjs');
    if (twin.endsWith('.cjs') && isStampedTwin(twin)) return () => this.load(twin);
    return () => asEsModuleExports(nodeRequire(path));
  }
}

/**
 * A script's text. The build escapes a twin's every character outside ASCII
 * (scripts/bundle.mjs), and its bytes then are its characters: read so, they
 * skip UTF-8 decoding, about half the read of a megabyte.
 */
function readSource(path: string): string {
  const bytes = readFileSync(path);
  return isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
}

/** Whether `path` is a file that starts with the build's twin stamp. */
function isStampedTwin(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const head = Buffer.alloc(TWIN_STAMP_MARK.length);
    readSync(fd, head, 0, head.length, 0);
    return head.toString('latin1') === TWIN_STAMP_MARK;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The file `specifier` (a package's root) names from `dir`, found in node_modules as Node finds it. */
function packageEntryPath(specifier: string, dir: string): string | undefined {
  const { name, subpath } = splitSpecifier(specifier);
  if (subpath !== '.') return undefined;
  for (let at = dir; ; at = dirname(at)) {
    const root = join(at, 'node_modules', name);
    const manifest = readManifest(join(root, 'package.json'));
    if (manifest) {
      const entry = packageRootEntry(manifest);
      return entry === undefined ? undefined : join(root, entry);
    }
    if (at === dirname(at)) return undefined;
  }
}

function readManifest(path: string): { exports?: unknown; main?: unknown } | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as { exports?: unknown; main?: unknown };
  } catch {
    return undefined;
  }
}

/**
 * An ES module's namespace, as a twin's compiled import reads exports: marked
 * `__esModule` so that its `default` is its default export, not the namespace.
 */
function asEsModuleExports(value: unknown): unknown {
  if (!types.isModuleNamespaceObject(value)) return value;
  return Object.defineProperty({ ...(value as object) }, '__esModule', { value: true });
}

function unavailableResolve(file: string, specifier: string): never {
  throw new Error(`import.meta.resolve('${specifier}') is not available to ${file} when run from the compile cache`);
}
