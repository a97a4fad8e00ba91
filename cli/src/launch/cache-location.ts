import { createHash } from 'node:crypto';
import { basename, isAbsolute, join } from 'node:path';

/**
 * Where compiled code is kept between runs, or undefined when caching is off
 * (`DVT_NO_COMPILE_CACHE` set to anything but an empty string or `0`).
 * The user's cache directory, as each platform names it, unless
 * `DVT_COMPILE_CACHE_DIR` says otherwise.
 */
export function compileCacheDir(env: NodeJS.ProcessEnv, platform: NodeJS.Platform, home: string): string | undefined {
  const off = env.DVT_NO_COMPILE_CACHE;
  if (off !== undefined && off !== '' && off !== '0') return undefined;
  if (env.DVT_COMPILE_CACHE_DIR) return env.DVT_COMPILE_CACHE_DIR;
  const xdg = env.XDG_CACHE_HOME;
  // The XDG spec says to ignore a relative path there.
  if (xdg && isAbsolute(xdg)) return join(xdg, 'dvt', 'compile-cache');
  if (platform === 'darwin') return join(home, 'Library', 'Caches', 'dvt', 'compile-cache');
  if (platform === 'win32') return join(env.LOCALAPPDATA ?? join(home, 'AppData', 'Local'), 'dvt', 'compile-cache');
  return join(home, '.cache', 'dvt', 'compile-cache');
}

/**
 * The cache entry of one script: `<script>-<where>-<what>.v8`. `where` hashes
 * the script's path, so that a newer build of the same installed file can
 * find and replace the entry it supersedes; `what` hashes the source and the
 * runtime (V8 refuses data from another V8 version or flags, and a changed
 * source of the same length could pass its check).
 */
export function cacheEntryName(scriptPath: string, source: string, runtime: string): string {
  return `${cacheEntryPrefix(scriptPath)}${hash(`${runtime}\0${source}`)}.v8`;
}

/** The part of cacheEntryName that depends on the script's path only. */
export function cacheEntryPrefix(scriptPath: string): string {
  return `${basename(scriptPath).replace(/\.c?js$/, '').replace(/[^\w.-]/g, '_')}-${hash(scriptPath)}-`;
}

/** Node, V8 and the architecture: what cached code is valid for. */
export function runtimeIdentity(versions: NodeJS.ProcessVersions, arch: string): string {
  return `node ${versions.node} v8 ${versions.v8} ${arch}`;
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}
