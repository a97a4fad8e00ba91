import { finished } from 'node:stream/promises';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import type { AdapterContext, AdapterDefinition, Connection, CsvSpec, LoadSource, RelationRef, RowBatch, Value } from '../adapter/contract.js';
import { withDefaults, type CompleteConnection } from '../adapter/defaults/index.js';
import { validateAdapter } from '../adapter/validate.js';
import { moveRows, type Endpoint } from '../federate/mover.js';
import { findRelationIn } from './lookup.js';
import { PortReader, PortWriter } from './port-stream.js';
import { FLAG, FLAG_ANSWERED, FLAG_DEAD, HEARTBEAT, HEARTBEAT_MS, rebuildError, serializeError } from './protocol.js';
import type { AsyncRequest, BridgeInit, ConnectionMethod, LogMessage, ProgressMessage, Reply, SyncRequest } from './protocol.js';

/**
 * The bridge worker owns every database connection of a run: the render
 * thread's pool reaches them asynchronously (proxies), and template calls
 * (`run_query`, `adapter.get_relation`, ...) reach a dedicated connection per
 * profile output synchronously — the render thread blocks on a shared flag
 * until the answer is posted. One owner matters for embedded engines: DuckDB
 * allows one instance per file and process, and a second instance in another
 * thread would read stale pages and corrupt the file on close.
 */

const init = workerData as BridgeInit;
const port = parentPort!;
const flag = new Int32Array(init.flag);

const ctx: AdapterContext = {
  projectDir: init.projectDir,
  logger: {
    debug: (message) => port.postMessage({ log: 'debug', message } satisfies LogMessage),
    info: (message) => port.postMessage({ log: 'info', message } satisfies LogMessage),
    warn: (message) => port.postMessage({ log: 'warn', message } satisfies LogMessage),
  },
};

const adapters = new Map<string, Promise<AdapterDefinition>>();
function adapterFor(type: string): Promise<AdapterDefinition> {
  let pending = adapters.get(type);
  if (!pending) {
    const url = init.modules[type];
    if (!url) return Promise.reject(new Error(`the database bridge has no adapter module for type '${type}'`));
    pending = import(url).then((mod: unknown) => validateAdapter(mod, url));
    adapters.set(type, pending);
  }
  return pending;
}

// Importing an adapter (and the core it imports) takes a while: start now, while
// the render thread loads and parses the project. A failure surfaces on first use.
for (const type of Object.keys(init.modules)) adapterFor(type).catch(() => undefined);

// ---- connections the render thread's pool holds (async proxies) ----

const connections = new Map<number, Connection>();
/** Each proxied connection's adapter type (template calls on it need its dialect). */
const connectionTypes = new Map<number, string>();
/** Proxied connections inside a transaction the render thread opened (and must close). */
const inTransaction = new Set<number>();
const BEGIN = /^\s*(begin|start\s+transaction)\b/i;
const END = /^\s*(commit|rollback|end|abort)\b/i;
const streams = new Map<number, AsyncIterator<RowBatch>>();
const controllers = new Map<number, AbortController>();
let nextHandle = 1;

async function handleAsync(req: AsyncRequest): Promise<unknown> {
  switch (req.op) {
    case 'connect': {
      const adapter = await adapterFor(req.type);
      const connection = await adapter.connect(req.config, ctx);
      const handle = nextHandle++;
      connections.set(handle, connection);
      connectionTypes.set(handle, req.type);
      const methods: ConnectionMethod[] = ['query', 'ping', 'close'];
      if (connection.catalog) methods.push('listSchemas', 'listRelations', 'describe');
      if (connection.bulkLoad) methods.push('bulkLoad');
      if (connection.extract) methods.push('extract');
      if (connection.exportFile) methods.push('exportFile');
      if (connection.loadFile) methods.push('loadFile');
      if (connection.cancel) methods.push('cancel');
      return { handle, methods, capabilities: connection.capabilities, serverVersion: connection.serverVersion };
    }
    case 'call': {
      if (req.method === 'query' && typeof req.args[0] === 'string') trackTransaction(req.handle, req.args[0]);
      if (req.method === 'close') inTransaction.delete(req.handle);
      return callMethod(req.id, connectionOf(req.handle), req.method, req.args, req.port);
    }
    case 'move': {
      const [from, to] = await Promise.all([endpointOf(req.from), endpointOf(req.to)]);
      const onProgress = req.progress ? (value: ProgressMessage['value']) => port.postMessage({ progress: req.id, value } satisfies ProgressMessage) : undefined;
      const stats = await moveRows({ from, to, sql: req.sql, relation: req.relation, columns: req.columns, signal: signalFor(req.id), ...(onProgress ? { onProgress } : {}) });
      return { ...stats, route: `${stats.route}, inside the database bridge's worker` };
    }
    case 'streamOpen': {
      const signal = signalFor(req.id);
      const iterator = connectionOf(req.handle).stream(req.sql, req.params as Value[] | undefined, { batchSize: req.batchSize, signal })[Symbol.asyncIterator]();
      const stream = nextHandle++;
      streams.set(stream, iterator);
      return stream;
    }
    case 'streamNext': {
      const iterator = streams.get(req.stream);
      if (!iterator) throw new Error('stream already closed');
      const next = await iterator.next();
      if (next.done) streams.delete(req.stream);
      return next.done ? null : next.value;
    }
    case 'streamClose': {
      const iterator = streams.get(req.stream);
      streams.delete(req.stream);
      await iterator?.return?.();
      return null;
    }
    case 'abort':
      controllers.get(req.target)?.abort(rebuildError(req.reason));
      return null;
    case 'shutdown':
      await shutdown();
      return null;
  }
}

/** Notes a proxied connection entering or leaving a transaction. */
function trackTransaction(handle: number, sql: string): void {
  if (BEGIN.test(sql)) inTransaction.add(handle);
  else if (END.test(sql)) inTransaction.delete(handle);
}

function connectionOf(handle: number): Connection {
  const connection = connections.get(handle);
  if (!connection) throw new Error('connection already closed');
  return connection;
}

/** A proxied connection as a side of a move, completed with core's defaults as the render thread's pools complete theirs. */
async function endpointOf(handle: number): Promise<Endpoint> {
  const adapter = await adapterFor(connectionTypes.get(handle) ?? '');
  return { connection: withDefaults(connectionOf(handle), adapter.dialect), adapter };
}

function signalFor(id: number): AbortSignal {
  const controller = new AbortController();
  controllers.set(id, controller);
  return controller.signal;
}

/** `port`: the worker's end of the byte stream an `extract` writes into or a `bulkLoad` from a stream reads. */
async function callMethod(id: number, c: Connection, method: ConnectionMethod, args: unknown[], port: MessagePort | undefined): Promise<unknown> {
  const a = args as never[];
  switch (method) {
    case 'query':
      return c.query(a[0], a[1], { signal: signalFor(id) });
    case 'listSchemas':
      return c.catalog!.listSchemas(a[0]);
    case 'listRelations':
      return c.catalog!.listRelations(a[0], a[1]);
    case 'describe':
      return c.catalog!.describe(a[0]);
    case 'bulkLoad': {
      // Progress callbacks stay on this side; the render thread gets the totals.
      if (!port) return c.bulkLoad!(a[0], a[1], { signal: signalFor(id) });
      const [relation, source] = args as [RelationRef, LoadSource];
      const input = new PortReader(port);
      try {
        return await c.bulkLoad!(relation, { ...source, open: () => input }, { signal: signalFor(id) });
      } catch (e) {
        // The render thread's feed stops with the load's own error.
        input.destroy(e as Error);
        throw e;
      } finally {
        // A loader that returned without reading to the end must not leave the feed waiting either.
        input.destroy();
      }
    }
    case 'exportFile':
      return c.exportFile!(a[0], a[1], { signal: signalFor(id) });
    case 'loadFile':
      return c.loadFile!(a[0], a[1], { signal: signalFor(id) });
    case 'extract': {
      const [sql, csv] = args as [string, CsvSpec];
      const stream = new PortWriter(port!);
      try {
        const stats = await c.extract!(sql, { csv, stream }, { signal: signalFor(id) });
        // Some extractors end their sink, others leave it open; the reader ends at `end` only.
        if (!stream.writableEnded) stream.end();
        await finished(stream);
        return stats;
      } catch (e) {
        // The render thread's side stops with the extraction's own error.
        stream.destroy(e as Error);
        throw e;
      }
    }
    case 'ping':
      return c.ping();
    case 'cancel':
      return c.cancel!();
    case 'close': {
      for (const [handle, connection] of connections) {
        if (connection !== c) continue;
        connections.delete(handle);
        connectionTypes.delete(handle);
      }
      return c.close();
    }
  }
}

port.on('message', (req: AsyncRequest) => {
  handleAsync(req).then(
    (value) => port.postMessage({ id: req.id, ok: true, value } satisfies Reply),
    (error: unknown) => port.postMessage({ id: req.id, ok: false, error: serializeError(error) } satisfies Reply),
  ).finally(() => controllers.delete(req.id));
});

// ---- template calls (synchronous on the render thread) ----

const templateConnections = new Map<string, Promise<CompleteConnection>>();
/** Template connections whose call was cancelled by the guard: closed at shutdown. */
const abandoned: Promise<CompleteConnection>[] = [];
function templateConnection(outputName: string): Promise<CompleteConnection> {
  let pending = templateConnections.get(outputName);
  if (!pending) {
    const output = init.outputs[outputName];
    if (!output) return Promise.reject(new Error(`no profile output named '${outputName}'`));
    pending = adapterFor(output.type).then(async (adapter) => withDefaults(await adapter.connect(output.config, ctx), adapter.dialect));
    pending.catch(() => templateConnections.delete(outputName));
    templateConnections.set(outputName, pending);
  }
  return pending;
}

/** A node's own connection for its template calls: the proxied one, completed with core's defaults. */
async function nodeConnection(handle: number): Promise<CompleteConnection> {
  const adapter = await adapterFor(connectionTypes.get(handle) ?? '');
  return withDefaults(connectionOf(handle), adapter.dialect);
}

async function handleSync(req: SyncRequest): Promise<unknown> {
  const c = req.handle === undefined ? await templateConnection(req.output) : await nodeConnection(req.handle);
  switch (req.op) {
    case 'execute': {
      if (req.handle !== undefined) trackTransaction(req.handle, req.sql);
      const result = await c.query(req.sql);
      return {
        columns: result.columns.map((col) => ({ name: col.name })),
        rows: req.fetch ? result.rows.map((row) => row.map(templateValue)) : [],
        rowsAffected: result.rowsAffected,
      };
    }
    case 'getRelation':
      return findRelationIn(await c.catalog.listRelations(req.ref.schema, req.ref.database), req.ref.identifier);
    case 'describe':
      return c.catalog.describe(req.ref);
    case 'listRelations':
      return c.catalog.listRelations(req.schema, req.database);
  }
}

/**
 * A template call blocks the render thread, so a transaction the render thread
 * holds open elsewhere cannot end while the call runs. If the call waits on
 * that transaction's locks (a model dropping a table a seed is reloading), it
 * would wait forever: past the guard, with such a transaction open, the call
 * is cancelled and fails with an explanation.
 */
async function guarded(req: SyncRequest): Promise<unknown> {
  const pending = handleSync(req);
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    // The call's own connection holding a transaction is no hazard: the call runs inside it.
    const othersOpen = () => [...inTransaction].some((handle) => handle !== req.handle);
    const check = () => {
      if (!othersOpen()) {
        timer = setTimeout(check, init.lockWaitGuardMs);
        return;
      }
      if (req.handle !== undefined) {
        // On a node's own connection: cancel the statement, the node fails with this error.
        void connections.get(req.handle)?.cancel?.();
      } else {
        const stuck = templateConnections.get(req.output);
        templateConnections.delete(req.output);
        if (stuck) abandoned.push(stuck.then(async (c) => (await c.cancel?.(), c)));
      }
      reject(
        new Error(
          `a database call made while rendering ran over ${init.lockWaitGuardMs} ms while another node's transaction was open; it was cancelled, ` +
            'because if it waits on that transaction the run can never finish (templates run while the other nodes wait). ' +
            'Make the dependency explicit with ref() so the nodes run in order, or run with --threads 1.',
        ),
      );
    };
    timer = setTimeout(check, init.lockWaitGuardMs);
  });
  try {
    return await Promise.race([pending, guard]);
  } finally {
    clearTimeout(timer);
    pending.catch(() => undefined);
  }
}

/**
 * Python has one integer type; Jinja arithmetic on a BIGINT count (`n + 1`)
 * must work, so integers that fit a double become numbers for templates.
 */
function templateValue(value: Value): Value {
  return typeof value === 'bigint' && value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value;
}

init.syncPort.on('message', (req: SyncRequest) => {
  guarded(req).then(
    (value) => answer({ id: 0, ok: true, value }),
    (error: unknown) => answer({ id: 0, ok: false, error: serializeError(error) }),
  );
});

function answer(reply: Reply): void {
  // The message must be queued before the flag flips: the render thread reads it with receiveMessageOnPort.
  init.syncPort.postMessage(reply);
  Atomics.store(flag, FLAG, FLAG_ANSWERED);
  Atomics.notify(flag, FLAG);
}

async function shutdown(): Promise<void> {
  const all = [...connections.values(), ...(await Promise.allSettled([...templateConnections.values(), ...abandoned])).flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))];
  connections.clear();
  templateConnections.clear();
  await Promise.allSettled(all.map((c) => c.close()));
}

// A render thread blocked on the flag would otherwise wait forever: say the
// worker is gone when it throws, and when it exits (an adapter calling
// process.exit() ends this thread). A worker killed without running either
// (out of memory) stops the heartbeat, which the render thread watches.
function died(): void {
  Atomics.store(flag, FLAG, FLAG_DEAD);
  Atomics.notify(flag, FLAG);
}
process.on('uncaughtException', (e) => {
  died();
  throw e;
});
process.on('exit', died);
setInterval(() => Atomics.add(flag, HEARTBEAT, 1), HEARTBEAT_MS).unref();
