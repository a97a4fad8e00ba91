import { DvtError, maskSecrets } from '@dvt/core';

/** The fields node-postgres puts on an error the server sent. */
interface ServerErrorFields {
  code?: string;
  detail?: string;
  hint?: string;
  position?: string;
  severity?: string;
  where?: string;
}

function isServerError(e: unknown): e is Error & ServerErrorFields {
  return e instanceof Error && typeof (e as ServerErrorFields).code === 'string' && /^[0-9A-Z]{5}$/.test((e as ServerErrorFields).code!);
}

function masked(text: string, secrets: readonly (string | undefined)[]): string {
  return maskSecrets(text, secrets.filter((s): s is string => Boolean(s)));
}

/**
 * A driver or server error as the user should see it: the server's message
 * with its SQLSTATE, detail and hint, and never a secret of the profile.
 */
export function toDvtError(e: unknown, secrets: readonly (string | undefined)[], sql?: string): DvtError {
  if (e instanceof DvtError) return e;
  if (isServerError(e)) {
    const parts = [`${e.message} (SQLSTATE ${e.code})`];
    if (e.detail) parts.push(`DETAIL: ${e.detail}`);
    if (e.hint) parts.push(`HINT: ${e.hint}`);
    // A COPY's context names the input line (and column) of the bad value.
    if (e.where?.startsWith('COPY ')) parts.push(`CONTEXT: ${e.where}`);
    if (sql && e.position) parts.push(`at character ${e.position} of: ${sql.length > 500 ? `${sql.slice(0, 500)}...` : sql}`);
    const err = new DvtError('database', masked(parts.join('\n'), secrets));
    Object.defineProperty(err, 'sqlState', { value: e.code, enumerable: true });
    return err;
  }
  const message = e instanceof Error ? e.message : String(e);
  return new DvtError('database', masked(message, secrets));
}

/** The SQLSTATE of an error made by `toDvtError`, if it came from the server. */
export function sqlStateOf(e: unknown): string | undefined {
  return (e as { sqlState?: string } | undefined)?.sqlState;
}

const COPY_LINE = /^(COPY [^\n]*?, line )(\d+)/;

/**
 * `e` with the line number in its COPY context replaced by `fileLine(n)`:
 * for a load split over several COPYs, each numbering its own input from 1.
 */
export function withCopyLine(e: unknown, fileLine: (line: number) => number): unknown {
  if (!isServerError(e) || !e.where) return e;
  e.where = e.where.replace(COPY_LINE, (_all, prefix: string, line: string) => `${prefix}${fileLine(Number(line))}`);
  return e;
}
