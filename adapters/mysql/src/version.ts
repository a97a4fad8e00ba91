import type { DialectCapabilities } from '@dvt/core';
import type { MysqlFlavor } from './flavor.js';

export interface ServerVersion {
  mariadb: boolean;
  major: number;
  minor: number;
  patch: number;
}

/** `8.0.36`, `5.7.44-log`, `10.11.19-MariaDB-0+deb12u1`, `5.5.5-10.11.6-MariaDB` (the old replication prefix). */
export function parseServerVersion(text: string): ServerVersion {
  const mariadb = /mariadb/i.test(text);
  const cleaned = mariadb ? text.replace(/^5\.5\.5-/, '') : text;
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(cleaned) ?? ['', '0', '0', '0'];
  return { mariadb, major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) };
}

function atLeast(v: ServerVersion, major: number, minor: number): boolean {
  return v.major > major || (v.major === major && v.minor >= minor);
}

/**
 * What the server really offers, overriding the dialect's static flags: CTEs
 * and window functions need MySQL 8.0 or MariaDB 10.2. A mysql5 output never
 * gains them (its macros are written without them either way).
 */
export function serverCapabilities(flavor: MysqlFlavor, versionText: string): Partial<DialectCapabilities> {
  const v = parseServerVersion(versionText);
  const modern = v.mariadb ? atLeast(v, 10, 2) : atLeast(v, 8, 0);
  const has = flavor !== 'mysql5' && modern;
  return { cte: has, windowFunctions: has };
}
