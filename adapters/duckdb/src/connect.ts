import { DvtError, maskSecrets, secretValues, type AdapterContext } from '@dvt/core';
import { configSchema, resolveConfig, type DuckDBConfig, type ResolvedConfig } from './config.js';
import { DuckDBAdapterConnection } from './connection.js';
import { quoteIdentifier, quoteLiteral } from './dialect.js';
import { acquireInstance } from './instances.js';
import type { DuckDBConnection } from '@duckdb/node-api';

async function loadExtension(conn: DuckDBConnection, name: string): Promise<void> {
  try {
    await conn.run(`load ${quoteIdentifier(name)}`);
    return;
  } catch {
    // Not built in or not installed yet: INSTALL downloads it, which needs the network.
  }
  try {
    await conn.run(`install ${quoteIdentifier(name)}`);
    await conn.run(`load ${quoteIdentifier(name)}`);
  } catch (e) {
    throw new DvtError(
      'config',
      `duckdb profile: extension '${name}' is not built in and could not be installed (${(e as Error).message.split('\n')[0]}). ` +
        'INSTALL downloads extensions from the network; built-in ones (parquet, json, icu, core_functions) work offline.',
    );
  }
}

function settingValue(value: string | number | boolean): string {
  return typeof value === 'string' ? quoteLiteral(value) : String(value);
}

async function prepareSession(conn: DuckDBConnection, config: ResolvedConfig, attached: Set<string>): Promise<void> {
  // The contract hands timestamptz values over in UTC.
  await conn.run(`set TimeZone = 'UTC'`);
  for (const [name, value] of Object.entries(config.settings)) {
    if (!/^\w+$/.test(name)) throw new DvtError('config', `duckdb profile: setting name '${name}' is not a plain identifier`);
    await conn.run(`set ${name} = ${settingValue(value)}`);
  }
  for (const name of config.extensions) await loadExtension(conn, name);
  for (const a of config.attach) {
    if (attached.has(a.alias)) continue;
    await conn.run(`attach if not exists ${quoteLiteral(a.path)} as ${quoteIdentifier(a.alias)}${a.readOnly ? ' (read_only)' : ''}`);
    attached.add(a.alias);
  }
}

export async function connectDuckDB(config: DuckDBConfig, ctx: AdapterContext): Promise<DuckDBAdapterConnection> {
  const resolved = resolveConfig(config, ctx.projectDir);
  const secrets = secretValues(config, configSchema);
  let lease;
  try {
    lease = await acquireInstance(resolved.path);
  } catch (e) {
    throw new DvtError('database', `cannot open DuckDB database ${resolved.path}: ${(e as Error).message}`);
  }
  let conn: DuckDBConnection | undefined;
  try {
    conn = await lease.instance.connect();
    await prepareSession(conn, resolved, lease.attached);
  } catch (e) {
    conn?.closeSync();
    lease.release();
    if (e instanceof DvtError) throw e;
    // A failed SET echoes its value, which may be a credential (s3_secret_access_key...).
    throw new DvtError('database', maskSecrets(`cannot prepare DuckDB connection to ${resolved.path}: ${(e as Error).message}`, secrets));
  }
  ctx.logger.debug(`duckdb: connected to ${resolved.path} (database ${resolved.database})`);
  return new DuckDBAdapterConnection(conn, lease, secrets);
}
