import { pipeline } from 'node:stream/promises';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type {
  Catalog,
  ColumnMeta,
  Connection,
  DataFile,
  DialectCapabilities,
  ExtractSink,
  ExtractStats,
  LoadOptions,
  LoadSource,
  LoadStats,
  QueryOptions,
  QueryResult,
  RelationInfo,
  RelationRef,
  RowBatch,
  StreamOptions,
  Value,
} from '../adapter/contract.js';
import { baseConnectionOf } from '../adapter/defaults/index.js';
import type { MoveProgress, MoveRequest, MoveStats } from '../federate/mover.js';
import { plainRef } from './lookup.js';
import { cameFromOtherSide, otherSide, PortReader, PortWriter } from './port-stream.js';
import type { AsyncRequest, ConnectionMethod } from './protocol.js';

export interface RemoteConnectionInfo {
  handle: number;
  methods: ConnectionMethod[];
  capabilities?: Partial<DialectCapabilities>;
  serverVersion?: string;
}

export interface SendOptions {
  signal?: AbortSignal;
  /** The worker's end of a byte stream, handed over with the request. */
  port?: MessagePort;
  /** For a `move` request: its progress as the worker reports it. */
  onProgress?: (progress: MoveProgress) => void;
}

/** How a connection reaches its bridge's worker; one per bridge, so connections sharing it share the worker. */
export interface BridgeChannel {
  send(req: DistributiveOmit<AsyncRequest, 'id'>, options?: SendOptions): Promise<unknown>;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * A connection living in the bridge worker, seen from the render thread.
 * Only the optional members the real connection has are present, so core's
 * defaults fill in the rest exactly as for a local connection. Streams pull
 * one batch per request (memory stays bounded); the CSV bytes of `extract`
 * and of `bulkLoad` from a stream flow through a port of their own
 * (port-stream.ts) while the worker extracts or loads, so a move between a
 * worker connection and a render-thread one (the federation cache) overlaps
 * both sides as it does without the bridge.
 */
export class RemoteConnection implements Connection {
  readonly capabilities?: Partial<DialectCapabilities>;
  readonly serverVersion?: string;
  readonly catalog?: Catalog;
  readonly bulkLoad?: (relation: RelationRef, source: LoadSource, opts?: LoadOptions) => Promise<LoadStats>;
  readonly extract?: (sql: string, sink: ExtractSink, opts?: QueryOptions) => Promise<ExtractStats>;
  readonly exportFile?: (sql: string, file: DataFile, opts?: QueryOptions) => Promise<ExtractStats>;
  readonly loadFile?: (relation: RelationRef, file: DataFile, opts?: LoadOptions) => Promise<LoadStats>;
  readonly cancel?: () => Promise<void>;

  private readonly handle: number;

  constructor(
    info: RemoteConnectionInfo,
    private readonly channel: BridgeChannel,
  ) {
    this.handle = info.handle;
    this.capabilities = info.capabilities;
    this.serverVersion = info.serverVersion;
    const has = new Set(info.methods);
    const call = (method: ConnectionMethod, args: unknown[], options?: SendOptions) => channel.send({ op: 'call', handle: info.handle, method, args, ...(options?.port ? { port: options.port } : {}) }, options);
    if (has.has('listSchemas')) {
      this.catalog = {
        listSchemas: (database) => call('listSchemas', [database]) as Promise<string[]>,
        listRelations: (schema, database) => call('listRelations', [schema, database]) as Promise<RelationInfo[]>,
        describe: (relation) => call('describe', [plainRef(relation)]) as Promise<ColumnMeta[] | undefined>,
      };
    }
    if (has.has('bulkLoad')) {
      this.bulkLoad = async (relation, source, opts) => {
        const { open, ...rest } = source;
        if (!open || source.path) return (await call('bulkLoad', [plainRef(relation), rest], { signal: opts?.signal })) as LoadStats;
        const { port1, port2 } = new MessageChannel();
        const writer = new PortWriter(port1);
        const stats = (await alongside(call('bulkLoad', [plainRef(relation), rest], { signal: opts?.signal, port: port2 }), writer, pipeline(open(), writer))) as LoadStats;
        // Progress callbacks stay in the worker; the caller hears the total.
        opts?.onProgress?.(stats.rows);
        return stats;
      };
    }
    if (has.has('extract')) {
      this.extract = async (sql, sink, opts) => {
        const { port1, port2 } = new MessageChannel();
        const reader = new PortReader(port1);
        // The sink stays open, as the adapters' extract leave it: the caller owns it.
        return (await alongside(call('extract', [sql, sink.csv], { signal: opts?.signal, port: port2 }), reader, pipeline(reader, sink.stream, { end: false }))) as ExtractStats;
      };
    }
    if (has.has('exportFile')) this.exportFile = async (sql, file, opts) => (await call('exportFile', [sql, file], { signal: opts?.signal })) as ExtractStats;
    if (has.has('loadFile')) this.loadFile = async (relation, file, opts) => (await call('loadFile', [plainRef(relation), file], { signal: opts?.signal })) as LoadStats;
    if (has.has('cancel')) this.cancel = async () => void (await call('cancel', []));
    this.query = (sql, params, opts) => call('query', [sql, params], { signal: opts?.signal }) as Promise<QueryResult>;
    this.ping = async () => void (await call('ping', []));
    this.close = async () => void (await call('close', []));
  }

  readonly query: (sql: string, params?: Value[], opts?: QueryOptions) => Promise<QueryResult>;
  readonly ping: () => Promise<void>;
  readonly close: () => Promise<void>;

  async *stream(sql: string, params?: Value[], opts?: StreamOptions): AsyncIterable<RowBatch> {
    const stream = (await this.channel.send({ op: 'streamOpen', handle: this.handle, sql, params, batchSize: opts?.batchSize }, { signal: opts?.signal })) as number;
    let done = false;
    try {
      for (;;) {
        opts?.signal?.throwIfAborted();
        const batch = (await this.channel.send({ op: 'streamNext', stream })) as RowBatch | null;
        if (batch === null) {
          done = true;
          return;
        }
        yield batch;
      }
    } finally {
      if (!done) await this.channel.send({ op: 'streamClose', stream });
    }
  }

  /**
   * Rows of `request.sql` on this connection into `to`, another connection
   * of the same worker: the worker runs the move on its own two connections,
   * so no byte crosses threads.
   */
  moveTo(to: RemoteConnection, request: MoveRequest): Promise<MoveStats> {
    const { sql, columns, signal, onProgress } = request;
    const move = { op: 'move', from: this.handle, to: to.handle, sql, relation: plainRef(request.relation), columns, progress: onProgress !== undefined } as const;
    return this.channel.send(move, { signal, onProgress }) as Promise<MoveStats>;
  }

  /** Whether `other` lives in the same worker as this connection. */
  sharesWorkerWith(other: RemoteConnection): boolean {
    return other.channel === this.channel;
  }
}

/**
 * Runs a move inside the bridge's worker when both of its connections live
 * there; undefined otherwise (the render thread moves the rows).
 */
export function moveInsideWorker(request: MoveRequest): Promise<MoveStats> | undefined {
  const from = baseConnectionOf(request.from.connection);
  const to = baseConnectionOf(request.to.connection);
  if (!(from instanceof RemoteConnection) || !(to instanceof RemoteConnection) || !from.sharesWorkerWith(to)) return undefined;
  return from.moveTo(to, request);
}

/**
 * A worker call that reads or writes a port stream, and the render thread's
 * side of that stream: both must finish. When either fails, the other stops
 * with the same error, and the cause is thrown: the local stream's error
 * unless it came from the worker's side, then the call's.
 */
async function alongside(remote: Promise<unknown>, local: { destroy(error: Error): void }, streaming: Promise<void>): Promise<unknown> {
  const called = remote.catch((error: unknown) => {
    // The worker's side may have failed before touching the port, or the worker may be gone.
    local.destroy(otherSide(error instanceof Error ? error : new Error(String(error))));
    throw error;
  });
  const [result, streamed] = await Promise.allSettled([called, streaming]);
  if (streamed.status === 'rejected' && !cameFromOtherSide(streamed.reason)) throw streamed.reason;
  if (result.status === 'rejected') throw result.reason;
  if (streamed.status === 'rejected') throw streamed.reason;
  return result.value;
}
