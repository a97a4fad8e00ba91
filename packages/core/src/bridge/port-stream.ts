import { Readable, Writable } from 'node:stream';
import type { MessagePort } from 'node:worker_threads';
import { rebuildError, serializeError, type SerializedError } from './protocol.js';

/**
 * Bytes between the render thread and the bridge worker, over a
 * MessageChannel of their own: node streams cannot cross threads, and a CSV
 * extraction on one side must feed a load on the other while both run, as a
 * pipe does within one thread. The writer may have at most WINDOW_BYTES that
 * the reader has not taken (backpressure, bounded memory).
 *
 * Only `end` ends the reader. A side destroyed with an error sends it before
 * closing the port, and the other side fails with that same error, so a
 * failed load or extraction is reported by its own words on both threads
 * (whichever of the port and the worker's reply arrives first); a port that
 * closes without either (the worker gone) fails the other side too. A
 * cut-off stream never reads as a complete, shorter one.
 */

type Forward = { chunk: Uint8Array } | { end: true } | { error: SerializedError };
type Back = { taken: number } | { error: SerializedError };

/** Bytes the writer may have posted that the reader's consumer has not taken yet. */
const WINDOW_BYTES = 2 * 1024 * 1024;
/** What each side buffers locally before pushing back on its own producer. */
const BUFFER_BYTES = 1024 * 1024;

/** Errors a port stream failed with because of the other side: that side's failure is the cause, not this one. */
const fromOtherSide = new WeakSet<object>();

export function cameFromOtherSide(error: unknown): boolean {
  return typeof error === 'object' && error !== null && fromOtherSide.has(error);
}

/** Marks `error` as the other side's: a stream that fails with it is not the cause. */
export function otherSide(error: Error): Error {
  fromOtherSide.add(error);
  return error;
}

const closedEarly = () => otherSide(new Error('a stream between the render thread and the database bridge worker closed before its end'));

/** Tells the other side why this one stopped, unless the reason came from there, then closes the port. */
function closeWith(port: MessagePort, error: Error | null): void {
  if (error && !cameFromOtherSide(error)) port.postMessage({ error: serializeError(error) } satisfies Forward & Back);
  port.close();
}

/** The writing end: what is written is posted to the reader, in as few messages as the producer allows. */
export class PortWriter extends Writable {
  private inFlight = 0;
  private blocked: (() => void) | undefined;
  private ended = false;

  constructor(private readonly port: MessagePort) {
    super({ highWaterMark: BUFFER_BYTES });
    port.on('message', (m: Back) => {
      if ('error' in m) return void this.destroy(otherSide(rebuildError(m.error)));
      this.inFlight -= m.taken;
      if (this.blocked && this.inFlight < WINDOW_BYTES) {
        const resume = this.blocked;
        this.blocked = undefined;
        resume();
      }
    });
    port.on('close', () => {
      if (!this.ended) this.destroy(closedEarly());
    });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this._writev([{ chunk }], callback);
  }

  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    let size = 0;
    for (const { chunk } of chunks) size += chunk.length;
    if (size > 0) {
      // A fresh buffer of its own can be transferred; a Buffer may be a view of a shared pool.
      const bytes = new Uint8Array(size);
      let at = 0;
      for (const { chunk } of chunks) {
        bytes.set(chunk, at);
        at += chunk.length;
      }
      this.port.postMessage({ chunk: bytes } satisfies Forward, [bytes.buffer]);
      this.inFlight += size;
    }
    if (this.inFlight >= WINDOW_BYTES) this.blocked = callback;
    // Completing on the next turn lets the producer's writes of this turn gather into one message.
    else setImmediate(callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.ended = true;
    this.port.postMessage({ end: true } satisfies Forward);
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.blocked = undefined;
    // Ended cleanly, the reader closes the port once it has read the end.
    if (!this.ended || error) closeWith(this.port, error);
    callback(error);
  }
}

/** The reading end: chunks as they arrive, acknowledged as the consumer takes them. */
export class PortReader extends Readable {
  /** Bytes pushed but not yet acknowledged (held back while the local buffer is full). */
  private owed = 0;
  private ended = false;

  constructor(private readonly port: MessagePort) {
    super({ highWaterMark: BUFFER_BYTES });
    port.on('message', (m: Forward) => {
      if (this.destroyed) return;
      if ('error' in m) return void this.destroy(otherSide(rebuildError(m.error)));
      if ('end' in m) {
        this.ended = true;
        this.push(null);
        port.close();
        return;
      }
      this.owed += m.chunk.byteLength;
      if (this.push(Buffer.from(m.chunk.buffer, m.chunk.byteOffset, m.chunk.byteLength))) this.acknowledge();
    });
    port.on('close', () => {
      if (!this.ended) this.destroy(closedEarly());
    });
  }

  override _read(): void {
    this.acknowledge();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (this.ended) this.port.close();
    else closeWith(this.port, error);
    callback(error);
  }

  private acknowledge(): void {
    if (this.owed === 0 || this.ended) return;
    this.port.postMessage({ taken: this.owed } satisfies Back);
    this.owed = 0;
  }
}
