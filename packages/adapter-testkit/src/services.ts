import net from 'node:net';

/**
 * Integration tests that need a database server ask here first. Without the
 * server they skip with one line naming what to start — unless
 * DVT_TEST_REQUIRE_SERVICES=1 (CI), where a missing server is a failure.
 */
export interface ServiceSpec {
  name: string;
  host: string;
  port: number;
  /** Shown when the service is down: the command that starts it. */
  start: string;
}

export const POSTGRES: ServiceSpec = {
  name: 'PostgreSQL',
  host: process.env.DVT_TEST_PG_HOST ?? '127.0.0.1',
  port: Number(process.env.DVT_TEST_PG_PORT ?? 5432),
  start: 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
};

export const MARIADB: ServiceSpec = {
  name: 'MariaDB',
  host: process.env.DVT_TEST_MARIADB_HOST ?? '127.0.0.1',
  port: Number(process.env.DVT_TEST_MARIADB_PORT ?? 3306),
  start: 'start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd',
};

export function servicesRequired(): boolean {
  return process.env.DVT_TEST_REQUIRE_SERVICES === '1';
}

function reachable(host: string, port: number, timeoutMs = 1500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Resolves to `undefined` when the service is up, or to the skip reason.
 * Throws when the service is down and services are required.
 */
export async function serviceSkipReason(spec: ServiceSpec): Promise<string | undefined> {
  if (await reachable(spec.host, spec.port)) return undefined;
  const reason = `${spec.name} is not running on ${spec.host}:${spec.port}; start it with: ${spec.start}`;
  if (servicesRequired()) throw new Error(`DVT_TEST_REQUIRE_SERVICES=1 but ${reason}`);
  return reason;
}
