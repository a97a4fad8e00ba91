import type { AdapterContext, AdapterDefinition, Connection } from '../adapter/contract.js';
import { DvtError } from '../errors.js';
import type { ProfileOutput } from '../project/types.js';

/**
 * Connections for one run: per profile output, up to `threads` connections,
 * opened lazily on first use and reused; `closeAll()` at the end. A node holds
 * one connection for its whole materialization, because its statements share
 * a transaction.
 */
export interface ConnectionLease {
  connection: Connection;
  adapter: AdapterDefinition;
  output: ProfileOutput;
  release(): void;
}

interface OutputPool {
  output: ProfileOutput;
  adapter: Promise<AdapterDefinition>;
  idle: Connection[];
  open: number;
  limit: number;
  waiters: ((c: Connection) => void)[];
}

export type ConnectionWrapper = (connection: Connection, adapter: AdapterDefinition) => Connection;

export class ConnectionPool {
  private readonly pools = new Map<string, OutputPool>();
  private readonly all: Connection[] = [];
  private closed = false;

  constructor(
    private readonly outputs: Record<string, ProfileOutput>,
    private readonly resolveAdapter: (type: string) => Promise<AdapterDefinition>,
    private readonly ctx: AdapterContext,
    private readonly threads: number | undefined,
    private readonly wrap: ConnectionWrapper,
  ) {}

  adapterFor(outputName: string): Promise<AdapterDefinition> {
    return this.poolFor(outputName).adapter;
  }

  async acquire(outputName: string): Promise<ConnectionLease> {
    if (this.closed) throw new Error('connection pool already closed');
    const pool = this.poolFor(outputName);
    const adapter = await pool.adapter;
    let connection = pool.idle.pop();
    if (connection === undefined) {
      if (pool.open < pool.limit) {
        pool.open++;
        try {
          connection = this.wrap(await adapter.connect(pool.output.config, this.ctx), adapter);
        } catch (e) {
          pool.open--;
          // Not a node's failure: the run cannot proceed on this output (exit code 2, as dbt).
          throw new DvtError('adapter', `Could not connect to '${outputName}' (${adapter.displayName}): ${(e as Error).message}`, {
            cause: e,
          });
        }
        this.all.push(connection);
      } else {
        connection = await new Promise<Connection>((resolve) => pool.waiters.push(resolve));
      }
    }
    const held = connection;
    let released = false;
    return {
      connection: held,
      adapter,
      output: pool.output,
      release: () => {
        if (released) return;
        released = true;
        const waiter = pool.waiters.shift();
        if (waiter) waiter(held);
        else pool.idle.push(held);
      },
    };
  }

  /** Closes every connection; returns what failed to close (the run's results stand regardless). */
  async closeAll(): Promise<unknown[]> {
    this.closed = true;
    const errors: unknown[] = [];
    for (const c of this.all.splice(0)) {
      try {
        await c.close();
      } catch (e) {
        errors.push(e);
      }
    }
    return errors;
  }

  private poolFor(outputName: string): OutputPool {
    let pool = this.pools.get(outputName);
    if (pool) return pool;
    const output = this.outputs[outputName];
    if (!output) {
      throw new DvtError('config', `No profile output named '${outputName}' (available: ${Object.keys(this.outputs).join(', ')})`);
    }
    pool = {
      output,
      adapter: this.resolveAdapter(output.type),
      idle: [],
      open: 0,
      limit: Math.max(1, this.threads ?? output.threads ?? 1),
      waiters: [],
    };
    // A failed resolution is reported where it is awaited.
    pool.adapter.catch(() => undefined);
    this.pools.set(outputName, pool);
    return pool;
  }
}
