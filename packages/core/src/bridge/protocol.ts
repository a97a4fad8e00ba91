import type { MessagePort } from 'node:worker_threads';
import type { ColumnSpec, RelationRef } from '../adapter/contract.js';
import { DvtError, type DvtErrorKind } from '../errors.js';
import type { MoveProgress } from '../federate/mover.js';

/**
 * Messages between the render thread and the bridge worker. Everything here
 * is structured-cloneable: rows carry bigint and Uint8Array as they are.
 */

export interface BridgeOutput {
  type: string;
  config: Record<string, unknown>;
}

export interface BridgeInit {
  projectDir: string;
  /** Profile outputs by name, for template calls (`run_query` on `target`). */
  outputs: Record<string, BridgeOutput>;
  /** Adapter type -> module URL the worker imports (the CLI's discovery found it). */
  modules: Record<string, string>;
  /**
   * Two Int32s: [FLAG] the render thread waits on (0 pending, 1 answered,
   * 2 worker died), [HEARTBEAT] a counter the worker's event loop advances.
   */
  flag: SharedArrayBuffer;
  syncPort: MessagePort;
  /** See DatabaseBridgeOptions.lockWaitGuardMs. */
  lockWaitGuardMs: number;
}

export const FLAG = 0;
export const HEARTBEAT = 1;
/** How often the worker advances HEARTBEAT. */
export const HEARTBEAT_MS = 250;

export const FLAG_PENDING = 0;
export const FLAG_ANSWERED = 1;
export const FLAG_DEAD = 2;

/** Methods of a worker-side connection the render thread's proxy may call. */
export type ConnectionMethod =
  | 'query'
  | 'listSchemas'
  | 'listRelations'
  | 'describe'
  | 'bulkLoad'
  | 'exportFile'
  | 'loadFile'
  | 'extract'
  | 'ping'
  | 'cancel'
  | 'close';

/**
 * `port`: the worker's end of a byte stream (port-stream.ts) for the CSV an
 * `extract` writes or a `bulkLoad` reads. `move`: rows between two of the
 * worker's connections, moved there (core's moveRows); `progress` asks for
 * ProgressMessages while they travel.
 */
export type AsyncRequest =
  | { id: number; op: 'connect'; type: string; config: Record<string, unknown> }
  | { id: number; op: 'call'; handle: number; method: ConnectionMethod; args: unknown[]; port?: MessagePort }
  | { id: number; op: 'move'; from: number; to: number; sql: string; relation: RelationRef; columns: ColumnSpec[]; progress: boolean }
  | { id: number; op: 'streamOpen'; handle: number; sql: string; params?: unknown[]; batchSize?: number }
  | { id: number; op: 'streamNext'; stream: number }
  | { id: number; op: 'streamClose'; stream: number }
  | { id: number; op: 'abort'; target: number; reason: SerializedError }
  | { id: number; op: 'shutdown' };

/** `handle`: run on that proxied connection (a node's, in its transaction) instead of the output's template connection. */
export type SyncRequest = (
  | { op: 'execute'; output: string; sql: string; fetch: boolean }
  | { op: 'getRelation'; output: string; ref: { database?: string; schema: string; identifier: string } }
  | { op: 'describe'; output: string; ref: { database?: string; schema: string; identifier: string } }
  | { op: 'listRelations'; output: string; schema: string; database?: string }
) & { handle?: number };

export interface SerializedError {
  message: string;
  name: string;
  kind?: string;
  code?: unknown;
}

export type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: SerializedError };

/** Worker-initiated messages that are not replies (adapter logs). */
export interface LogMessage {
  log: 'debug' | 'info' | 'warn';
  message: string;
}

/** How far the `move` request `progress` has got. */
export interface ProgressMessage {
  progress: number;
  value: MoveProgress;
}

export function serializeError(e: unknown): SerializedError {
  const err = e instanceof Error ? e : new Error(String(e));
  const extra = err as Error & { kind?: unknown; code?: unknown };
  return {
    message: err.message,
    name: err.name,
    kind: typeof extra.kind === 'string' ? extra.kind : undefined,
    code: typeof extra.code === 'string' || typeof extra.code === 'number' ? extra.code : undefined,
  };
}

/** The error `serializeError` describes, as a DvtError of the same kind when it was one. */
export function rebuildError(e: SerializedError): Error {
  if (e.name === 'DvtError' && e.kind) return new DvtError(e.kind as DvtErrorKind, e.message);
  const err = new Error(e.message);
  err.name = e.name;
  if (e.code !== undefined) (err as Error & { code?: unknown }).code = e.code;
  return err;
}
