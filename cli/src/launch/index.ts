import * as nodeModule from 'node:module';
import { homedir } from 'node:os';
import { realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileCacheDir, runPurpose, runtimeIdentity } from './cache-location.js';
import { CompileCacheStore } from './cache-store.js';
import { CachedScriptLoader } from './script-loader.js';

export interface Program {
  /** The bin's own import.meta: the program is found from it, and resolves bare names as it does. */
  meta: ImportMeta;
  /** The program's ES module bundle, relative to the bin. */
  module: string;
  /** Its CommonJS twin, relative to the bin. */
  script: string;
}

type EnableCompileCache = (dir?: string) => { status: number; message?: string; directory?: string };

/**
 * Starts the program with its compiled code cached between runs: compiling
 * the bundles is about a third of a small command's start-up. Node 22.1+
 * caches ES modules itself (`module.enableCompileCache`); on Node 20 the
 * program runs from its CommonJS twin, whose code V8 can cache. `--debug`
 * runs the ES modules with source maps, so that stack traces name the
 * TypeScript sources.
 */
export async function launch(program: Program, argv = process.argv, env = process.env): Promise<void> {
  const debug = argv.includes('--debug') || argv.includes('-d');
  if (debug) process.setSourceMapsEnabled(true);
  const trace = env.DVT_COMPILE_CACHE_DEBUG ? (message: string) => process.stderr.write(`dvt compile cache: ${message}\n`) : () => {};
  const dir = compileCacheDir(env, process.platform, homedir());
  if (dir === undefined) trace('off (DVT_NO_COMPILE_CACHE)');
  const enableCompileCache = (nodeModule as { enableCompileCache?: EnableCompileCache }).enableCompileCache;
  if (dir !== undefined && enableCompileCache) {
    const result = enableCompileCache(join(dir, 'node'));
    trace(`Node's compile cache: status ${result.status}${result.message ? ` (${result.message})` : ''} in ${result.directory ?? join(dir, 'node')}`);
  } else if (dir !== undefined && !debug) {
    const script = realpathSync.native(fileURLToPath(new URL(program.script, program.meta.url)));
    const resolve = (specifier: string) => program.meta.resolve(specifier);
    const store = new CompileCacheStore(dir, trace);
    const loader = new CachedScriptLoader(store, runtimeIdentity(process.versions, process.arch), { dir: dirname(script), resolve }, runPurpose(argv.slice(2)), trace);
    process.once('exit', () => loader.saveCompiled());
    loader.load(script);
    return;
  }
  await import(new URL(program.module, program.meta.url).href);
}
