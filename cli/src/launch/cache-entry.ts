/**
 * A cache entry's bytes: a four-byte length, a JSON header of that length,
 * then V8's code cache. The header names the commands whose compiled code
 * the entry holds (see CachedScriptLoader.load).
 */
export interface CacheEntry {
  purposes: string[];
  code: Buffer;
}

export function encodeCacheEntry(entry: CacheEntry): Buffer {
  const header = Buffer.from(JSON.stringify({ purposes: entry.purposes }));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.length);
  return Buffer.concat([length, header, entry.code]);
}

/** The entry in `bytes`, or undefined for bytes that are none (V8 checks the code itself). */
export function decodeCacheEntry(bytes: Buffer): CacheEntry | undefined {
  if (bytes.length < 4) return undefined;
  const end = 4 + bytes.readUInt32LE(0);
  if (end > bytes.length) return undefined;
  let header: unknown;
  try {
    header = JSON.parse(bytes.toString('utf8', 4, end));
  } catch {
    return undefined;
  }
  const purposes = (header as { purposes?: unknown } | null)?.purposes;
  if (!Array.isArray(purposes) || !purposes.every((p) => typeof p === 'string')) return undefined;
  return { purposes, code: bytes.subarray(end) };
}
