import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The cache directory's files. A cache that cannot be read or written only
 * costs the compile it would have saved: no error leaves this class.
 */
export class CompileCacheStore {
  constructor(
    readonly dir: string,
    private readonly trace: (message: string) => void,
  ) {}

  read(name: string): Buffer | undefined {
    try {
      return readFileSync(join(this.dir, name));
    } catch {
      return undefined;
    }
  }

  /**
   * Replaces the entry `name` whole: concurrent dvt processes each write a
   * file of their own and rename it into place, so a reader sees one
   * complete entry or none. Entries under `prefix` with another name are an
   * earlier build's of the same script, and go.
   */
  write(name: string, prefix: string, data: Buffer, purposes: readonly string[]): void {
    const temp = join(this.dir, `${name}.${process.pid}.tmp`);
    try {
      mkdirSync(this.dir, { recursive: true });
      writeFileSync(temp, data);
      renameSync(temp, join(this.dir, name));
      this.trace(`wrote ${join(this.dir, name)} (${data.length} bytes, for ${purposes.map((p) => p || '(no command)').join(', ')})`);
    } catch (e) {
      this.trace(`could not write ${join(this.dir, name)}: ${(e as Error).message}`);
      removeQuietly(temp);
      return;
    }
    try {
      for (const other of readdirSync(this.dir)) {
        if (other.startsWith(prefix) && other.endsWith('.v8') && other !== name) removeQuietly(join(this.dir, other));
      }
    } catch {
      // The directory went away meanwhile: nothing left to tidy.
    }
  }
}

/** Removes a file if it can; a file that cannot be removed was never there or is not ours to remove. */
function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // See above.
  }
}
