import { DvtError, maskSecrets } from '@dvt/core';

/** The fields mysql2 puts on an error the server sent. */
interface ServerErrorFields {
  code?: string;
  errno?: number;
  sqlState?: string;
  sqlMessage?: string;
}

function isServerError(e: unknown): e is Error & ServerErrorFields {
  return e instanceof Error && typeof (e as ServerErrorFields).errno === 'number' && typeof (e as ServerErrorFields).sqlState === 'string';
}

function masked(text: string, secrets: readonly (string | undefined)[]): string {
  return maskSecrets(text, secrets.filter((s): s is string => Boolean(s)));
}

function excerpt(sql: string): string {
  return sql.length > 500 ? `${sql.slice(0, 500)}...` : sql;
}

/**
 * A driver or server error as the user should see it: the server's message
 * with its error number and SQLSTATE (and the statement when it is a syntax
 * error), never a secret of the profile.
 */
export function toDvtError(e: unknown, secrets: readonly (string | undefined)[], sql?: string): DvtError {
  if (e instanceof DvtError) return e;
  if (isServerError(e)) {
    const parts = [`${e.sqlMessage ?? e.message} (error ${e.errno}, SQLSTATE ${e.sqlState})`];
    if (sql && e.errno === 1064) parts.push(`in: ${excerpt(sql)}`);
    const err = new DvtError('database', masked(parts.join('\n'), secrets));
    Object.defineProperty(err, 'sqlState', { value: e.sqlState, enumerable: true });
    Object.defineProperty(err, 'errno', { value: e.errno, enumerable: true });
    return err;
  }
  const message = e instanceof Error ? e.message : String(e);
  return new DvtError('database', masked(message, secrets));
}

/** The server's error number of an error made by `toDvtError`. */
export function errnoOf(e: unknown): number | undefined {
  return (e as { errno?: number } | undefined)?.errno;
}
