import type { SourceLocation } from './project/types.js';

/**
 * Every error a user can cause is a DvtError: the CLI prints `message` (and
 * the location, when there is one) without a stack trace, and exits with
 * `exitCode`. Anything else reaching the CLI is a bug and shows its stack.
 */
export type DvtErrorKind =
  | 'usage' // bad command line
  | 'config' // dbt_project.yml, profiles.yml, schema YAML, selectors
  | 'compile' // Jinja, ref/source resolution, cycles
  | 'adapter' // adapter package missing or malformed
  | 'database' // the engine refused a statement
  | 'runtime'; // a node failed while running

export class DvtError extends Error {
  readonly kind: DvtErrorKind;
  readonly location?: SourceLocation;
  /** A short excerpt of the offending source with a caret, when known. */
  readonly excerpt?: string;

  constructor(kind: DvtErrorKind, message: string, opts: { location?: SourceLocation; excerpt?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'DvtError';
    this.kind = kind;
    this.location = opts.location;
    this.excerpt = opts.excerpt;
  }

  /** 2 for bad usage or configuration; 1 when a node failed. */
  get exitCode(): 1 | 2 {
    return this.kind === 'database' || this.kind === 'runtime' ? 1 : 2;
  }

  /** `file:line: message` plus the excerpt, as printed to the user. */
  format(): string {
    const where = this.location ? `${this.location.file}${this.location.line ? `:${this.location.line}` : ''}: ` : '';
    return `${where}${this.message}${this.excerpt ? `\n${this.excerpt}` : ''}`;
  }
}

export function isDvtError(e: unknown): e is DvtError {
  return e instanceof Error && (e as { name?: string }).name === 'DvtError' && 'kind' in e;
}
