import { execFile } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Named pipes let DuckDB's own CSV reader and writer work on a stream while
 * it flows (`read_csv` and `COPY TO` take a path): a load parses from the
 * first bytes and an extraction feeds its sink as DuckDB writes, instead of
 * spooling everything to a file and reading it back.
 *
 * Our ends are opened non-blocking and served by the event loop (a pipe
 * socket), never by a blocking `open` or `write` in libuv's thread pool: a
 * FIFO's open waits for the other side, and a few such waits could take
 * every pool thread, DuckDB's own queries included.
 */

/** Creates a named pipe at `path`; false where the platform has none (Windows) or `mkfifo` is missing. */
export function makeFifo(path: string): Promise<boolean> {
  if (process.platform === 'win32') return Promise.resolve(false);
  return new Promise((resolve) => execFile('mkfifo', ['-m', '600', path], (error) => resolve(!error)));
}

/**
 * The read end, for an extraction DuckDB writes into, opened before DuckDB's
 * statement starts. A write holder keeps the pipe from reading as ended
 * before DuckDB opens its side: `release` it once the statement has settled.
 */
export function openFifoReader(path: string): { stream: net.Socket; release(): void } {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  let holder: number | undefined = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
  const release = () => {
    if (holder !== undefined) closeSync(holder);
    holder = undefined;
  };
  return { stream: new net.Socket({ fd, readable: true, writable: false }), release };
}

/**
 * The write end, for a load DuckDB reads from, once DuckDB has opened its
 * side (until then a non-blocking open has no reader to meet, and closing
 * our end early would leave DuckDB's open waiting for a writer forever).
 * Tries again every few milliseconds; undefined when `stop` fires first
 * (the statement failed before reading).
 */
export async function openFifoWriter(path: string, stop: AbortSignal): Promise<net.Socket | undefined> {
  for (let wait = 1; !stop.aborted; wait = Math.min(wait * 2, 16)) {
    try {
      const fd = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
      return new net.Socket({ fd, readable: false, writable: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENXIO') throw e;
    }
    await sleep(wait);
  }
  return undefined;
}

/**
 * A byte no UTF-8 text contains: written into a load pipe whose source
 * failed, it makes DuckDB's strict CSV reader fail wherever the source
 * stopped (mid-field, inside quotes or at a line end), so a cut-off stream
 * never reads as a complete, shorter CSV.
 */
export const POISON = Buffer.from([0xff]);
