import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { MessageChannel, Worker } from 'node:worker_threads';
import type { AdapterDefinition, ColumnMeta, Connection, RelationInfo } from '../adapter/contract.js';
import { baseConnectionOf } from '../adapter/defaults/index.js';
import type { StatementResult, TemplateDatabase } from '../compile/database.js';
import { DvtError } from '../errors.js';
import { FLAG, FLAG_ANSWERED, FLAG_DEAD, FLAG_PENDING, HEARTBEAT, HEARTBEAT_MS, rebuildError, serializeError } from './protocol.js';
import { plainRef } from './lookup.js';
import type { AsyncRequest, BridgeOutput, LogMessage, ProgressMessage, Reply, SyncRequest } from './protocol.js';
import { RemoteConnection, type BridgeChannel, type RemoteConnectionInfo, type SendOptions } from './remote-connection.js';

export interface DatabaseBridgeOptions {
  projectDir: string;
  /** Profile outputs by name (`project.profile.outputs`). */
  outputs: Record<string, BridgeOutput>;
  /** Adapter type -> module the worker imports (a file URL or a package specifier it can resolve). */
  modules: Record<string, string>;
  /** Adapter log lines from the worker. */
  log?: (level: LogMessage['log'], message: string) => void;
  /** Longest a template call may block the render thread (default: no limit, as a query has none). */
  templateTimeoutMs?: number;
  /**
   * How long a template call may run while another node's transaction is
   * open before it is cancelled with an error (default 10 s). The render
   * thread is blocked during the call, so that transaction cannot finish: if
   * the call waits on its locks, nothing would ever move again.
   */
  lockWaitGuardMs?: number;
  /**
   * How long the worker's event loop may go silent (no heartbeat) during a
   * template call before the worker is taken for dead (default 60 s: long
   * enough for a big result to be converted in one go).
   */
  workerSilenceMs?: number;
}

/**
 * Database access for a run, served by one worker thread that owns every
 * connection. The render thread stays asynchronous for the runner (`adapter()`
 * gives definitions whose connections are proxies) and blocks only for
 * template calls (`templateDatabase`), which Jinja needs synchronously.
 */
export class DatabaseBridge {
  private readonly worker: Worker;
  private readonly flag: Int32Array;
  private readonly syncPort: MessageChannel['port1'];
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void; progress?: SendOptions['onProgress'] }>();
  /** What the connections this bridge made send their requests through. */
  private readonly channel: BridgeChannel = { send: (req, options) => this.request(req, options) };
  /** The worker-side handle of each connection this bridge made, for template calls on it. */
  private readonly handles = new WeakMap<Connection, number>();
  private nextId = 1;
  private dead: Error | undefined;
  readonly templateDatabase: TemplateDatabase;

  constructor(private readonly options: DatabaseBridgeOptions) {
    const shared = new SharedArrayBuffer(8);
    this.flag = new Int32Array(shared);
    const { MessageChannel, Worker } = workerThreads();
    const channel = new MessageChannel();
    this.syncPort = channel.port1;
    this.worker = new Worker(workerFile(), {
      workerData: {
        projectDir: options.projectDir,
        outputs: options.outputs,
        modules: options.modules,
        flag: shared,
        syncPort: channel.port2,
        lockWaitGuardMs: options.lockWaitGuardMs ?? 10_000,
      },
      transferList: [channel.port2],
    });
    // Idle, the worker must not keep the process alive; it is referenced while a request is in flight.
    this.worker.unref();
    this.worker.on('message', (m: Reply | LogMessage | ProgressMessage) => this.onMessage(m));
    this.worker.on('error', (e) => this.fail(e));
    this.worker.on('exit', (code) => this.fail(new Error(`the database bridge worker exited (code ${code})`)));
    this.templateDatabase = this.databaseOn(undefined);
  }

  /** Template calls on the output's template connection, or on a proxied connection (`handle`). */
  private databaseOn(handle: number | undefined): TemplateDatabase {
    const on = handle === undefined ? {} : { handle };
    return {
      execute: (sql, outputName, fetch) => this.sync({ op: 'execute', output: outputName, sql, fetch, ...on }) as StatementResult,
      getRelation: (ref, outputName) => (this.sync({ op: 'getRelation', output: outputName, ref: plainRef(ref), ...on }) as RelationInfo | null) ?? undefined,
      describe: (ref, outputName) => (this.sync({ op: 'describe', output: outputName, ref: plainRef(ref), ...on }) as ColumnMeta[] | null) ?? undefined,
      listRelations: (schema, database, outputName) => this.sync({ op: 'listRelations', output: outputName, schema, database, ...on }) as RelationInfo[],
      onConnection: (connection) => {
        const found = this.handles.get(baseConnectionOf(connection as Connection));
        return found === undefined ? undefined : this.databaseOn(found);
      },
    };
  }

  /** `definition` with `connect` served by the worker (which imports the adapter from `options.modules`). */
  adapter<C>(definition: AdapterDefinition<C>): AdapterDefinition<C> {
    return {
      ...definition,
      connect: async (config) => {
        const info = (await this.request({ op: 'connect', type: definition.type, config: config as Record<string, unknown> })) as RemoteConnectionInfo;
        const connection = new RemoteConnection(info, this.channel);
        this.handles.set(connection, info.handle);
        return connection;
      },
    };
  }

  /** Relations of a schema on an output, synchronously (run-operation and snapshot helpers). */
  listRelations(outputName: string, schema: string, database?: string): RelationInfo[] {
    return this.sync({ op: 'listRelations', output: outputName, schema, database }) as RelationInfo[];
  }

  /** Closes every connection the worker still holds and stops it. */
  async close(): Promise<void> {
    if (!this.dead) {
      try {
        await this.request({ op: 'shutdown' });
      } catch {
        // Closing is best effort: the worker is terminated next either way.
      }
    }
    // A worker given up for silence may still be running.
    await this.worker.terminate();
  }

  private request(body: DistributiveOmit<AsyncRequest, 'id'>, options: SendOptions = {}): Promise<unknown> {
    const { signal, port, onProgress } = options;
    if (this.dead) {
      port?.close();
      return Promise.reject(this.dead);
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      // The worker stops the call with the caller's reason, so its error reads as without the bridge.
      const onAbort = () => this.worker.postMessage({ id: this.nextId++, op: 'abort', target: id, reason: serializeError(signal?.reason) } satisfies AsyncRequest);
      signal?.addEventListener('abort', onAbort, { once: true });
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, {
        progress: onProgress,
        resolve: (v) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(v);
        },
        reject: (e) => {
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      });
      this.worker.postMessage({ ...body, id } as AsyncRequest, port ? [port] : []);
    });
  }

  private onMessage(m: Reply | LogMessage | ProgressMessage): void {
    if ('log' in m) {
      this.options.log?.(m.log, m.message);
      return;
    }
    if ('progress' in m) {
      this.pending.get(m.progress)?.progress?.(m.value);
      return;
    }
    const waiter = this.pending.get(m.id);
    if (!waiter) return;
    this.pending.delete(m.id);
    if (this.pending.size === 0) this.worker.unref();
    if (m.ok) waiter.resolve(m.value);
    else waiter.reject(rebuildError(m.error));
  }

  private sync(req: SyncRequest): unknown {
    if (this.dead) throw this.dead;
    Atomics.store(this.flag, FLAG, FLAG_PENDING);
    this.syncPort.postMessage(req);
    this.awaitAnswer();
    if (Atomics.load(this.flag, FLAG) === FLAG_DEAD) {
      this.dead = new DvtError('runtime', 'the database bridge worker failed');
      throw this.dead;
    }
    const received = workerThreads().receiveMessageOnPort(this.syncPort);
    if (!received || Atomics.load(this.flag, FLAG) !== FLAG_ANSWERED) throw new DvtError('runtime', 'the database bridge answered nothing');
    const reply = received.message as Reply;
    if (!reply.ok) throw rebuildError(reply.error);
    return reply.value;
  }

  /**
   * Blocks until the worker flips the flag. The render thread cannot see the
   * worker's exit event while blocked, so it waits in slices and gives up
   * when the worker's heartbeat has stopped for workerSilenceMs.
   */
  private awaitAnswer(): void {
    const limit = this.options.templateTimeoutMs;
    const silenceLimit = this.options.workerSilenceMs ?? 60_000;
    const started = Date.now();
    let beat = Atomics.load(this.flag, HEARTBEAT);
    let lastBeatAt = started;
    for (;;) {
      const slice = Math.max(1, Math.min(4 * HEARTBEAT_MS, limit === undefined ? Infinity : started + limit - Date.now()));
      if (Atomics.wait(this.flag, FLAG, FLAG_PENDING, slice) !== 'timed-out') return;
      const now = Date.now();
      if (limit !== undefined && now - started >= limit) {
        throw new DvtError('database', `a database call made while rendering took longer than ${limit} ms`);
      }
      const current = Atomics.load(this.flag, HEARTBEAT);
      if (current !== beat) {
        beat = current;
        lastBeatAt = now;
      } else if (now - lastBeatAt >= silenceLimit) {
        this.dead = new DvtError('runtime', `the database bridge worker stopped answering (no sign of life for ${silenceLimit} ms during a database call made while rendering)`);
        throw this.dead;
      }
    }
  }

  private fail(e: Error): void {
    this.dead ??= e;
    for (const waiter of this.pending.values()) waiter.reject(e);
    this.pending.clear();
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;


/** Loaded when a bridge starts: most runs have none, and the module is a few ms of every start-up. */
function workerThreads(): typeof import('node:worker_threads') {
  return process.getBuiltinModule('node:worker_threads');
}

/**
 * The compiled worker. Run from `src` (vitest), the TypeScript file cannot be
 * a worker on Node 20, so the package's build output is used.
 */
function workerFile(): URL {
  const beside = new URL('./worker.js', import.meta.url);
  if (existsSync(fileURLToPath(beside))) return beside;
  const built = new URL('../../dist/bridge/worker.js', import.meta.url);
  if (existsSync(fileURLToPath(built))) return built;
  throw new DvtError('runtime', `the database bridge worker is not built (${fileURLToPath(built)}); run: pnpm --filter @dvt/core build`);
}
