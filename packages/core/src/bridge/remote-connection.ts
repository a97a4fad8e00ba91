import { createReadStream, createWriteStream, rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
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
import { plainRef } from './lookup.js';
import type { AsyncRequest, ConnectionMethod } from './protocol.js';

export interface RemoteConnectionInfo {
  handle: number;
  methods: ConnectionMethod[];
  capabilities?: Partial<DialectCapabilities>;
  serverVersion?: string;
}

type Send = (req: DistributiveOmit<AsyncRequest, 'id'>, signal?: AbortSignal) => Promise<unknown>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * A connection living in the bridge worker, seen from the render thread.
 * Only the optional members the real connection has are present, so core's
 * defaults fill in the rest exactly as for a local connection. Streams pull
 * one batch per request (memory stays bounded); CSV sources and sinks, which
 * are streams and cannot cross threads, go through a scratch file.
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
    private readonly send: Send,
    scratchDir: () => string,
  ) {
    this.handle = info.handle;
    this.capabilities = info.capabilities;
    this.serverVersion = info.serverVersion;
    const has = new Set(info.methods);
    const call = (method: ConnectionMethod, args: unknown[], signal?: AbortSignal) => send({ op: 'call', handle: info.handle, method, args }, signal);
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
        if (!open || source.path) return (await call('bulkLoad', [plainRef(relation), rest], opts?.signal)) as LoadStats;
        const path = join(scratchDir(), `${randomUUID()}.csv`);
        try {
          await pipeline(open(), createWriteStream(path));
          const stats = (await call('bulkLoad', [plainRef(relation), { ...rest, path }], opts?.signal)) as LoadStats;
          opts?.onProgress?.(stats.rows);
          return stats;
        } finally {
          rmSync(path, { force: true });
        }
      };
    }
    if (has.has('extractToFile')) {
      this.extract = async (sql, sink, opts) => {
        const path = join(scratchDir(), `${randomUUID()}.csv`);
        try {
          const stats = (await call('extractToFile', [sql, path, sink.csv], opts?.signal)) as ExtractStats;
          await pipeline(createReadStream(path), sink.stream, { end: false });
          return stats;
        } finally {
          rmSync(path, { force: true });
        }
      };
    }
    if (has.has('exportFile')) this.exportFile = async (sql, file, opts) => (await call('exportFile', [sql, file], opts?.signal)) as ExtractStats;
    if (has.has('loadFile')) this.loadFile = async (relation, file, opts) => (await call('loadFile', [plainRef(relation), file], opts?.signal)) as LoadStats;
    if (has.has('cancel')) this.cancel = async () => void (await call('cancel', []));
    this.query = (sql, params, opts) => call('query', [sql, params], opts?.signal) as Promise<QueryResult>;
    this.ping = async () => void (await call('ping', []));
    this.close = async () => void (await call('close', []));
  }

  readonly query: (sql: string, params?: Value[], opts?: QueryOptions) => Promise<QueryResult>;
  readonly ping: () => Promise<void>;
  readonly close: () => Promise<void>;

  async *stream(sql: string, params?: Value[], opts?: StreamOptions): AsyncIterable<RowBatch> {
    const stream = (await this.send({ op: 'streamOpen', handle: this.handle, sql, params, batchSize: opts?.batchSize }, opts?.signal)) as number;
    let done = false;
    try {
      for (;;) {
        opts?.signal?.throwIfAborted();
        const batch = (await this.send({ op: 'streamNext', stream })) as RowBatch | null;
        if (batch === null) {
          done = true;
          return;
        }
        yield batch;
      }
    } finally {
      if (!done) await this.send({ op: 'streamClose', stream });
    }
  }
}
