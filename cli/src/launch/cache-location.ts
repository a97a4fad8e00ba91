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

/** How the stamp line begins. */
export const TWIN_STAMP_MARK = '// dvt-twin ';

/**
 * The build stamp scripts/bundle.mjs puts on the first line of a twin: a hash
 * of the rest of the file, so that the cache is keyed by the script's content
 * without hashing a megabyte on every start. Undefined for a script without one.
 */
export function twinStamp(source: string): string | undefined {
  return source.startsWith(TWIN_STAMP_MARK) ? /^[0-9a-f]+(?=\n)/.exec(source.slice(TWIN_STAMP_MARK.length))?.[0] : undefined;
}


/**
 * The cache entry of one script: `<script>-<where>-<what>.v8`. `where` hashes
 * the script's path, so that a newer build of the same installed file can
 * find and replace the entry it supersedes; `what` hashes `version` (what the
 * script's content is) and the runtime: V8 refuses code from another V8
 * version or other flags, but of the source it checks only the length.
 */
export function cacheEntryName(scriptPath: string, version: string, runtime: string): string {
  return `${cacheEntryPrefix(scriptPath)}${hash(`${version}\0${runtime}`)}.v8`;
}

/** The part of cacheEntryName that depends on the script's path only. */
export function cacheEntryPrefix(scriptPath: string): string {
  return `${basename(scriptPath).replace(/\.c?js$/, '').replace(/[^\w.-]/g, '_')}-${hash(scriptPath)}-`;
}

/** Node, V8 and the architecture: what cached code is valid for. */
export function runtimeIdentity(versions: NodeJS.ProcessVersions, arch: string): string {
  return `node ${versions.node} v8 ${versions.v8} ${arch}`;
}

/**
 * 53 bits of a string's hash (cyrb53), as 14 hex digits: enough to tell apart
 * the few entries of one cache, without loading node:crypto, which costs a
 * command that does not otherwise need it several milliseconds.
 */
export function hash(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, '0');
}

/**
 * What a run of `dvt <args>` does, for the cache's bookkeeping: its command
 * (the first word that is no flag), or '' for none (`--version`). A flag's
 * value taken for the command only costs a write of the cache.
 */
export function runPurpose(args: readonly string[]): string {
  return args.find((arg) => !arg.startsWith('-') && /^[a-z][a-z-]*$/.test(arg)) ?? '';
}
