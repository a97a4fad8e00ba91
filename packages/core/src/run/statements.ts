import type { Connection, QueryResult } from '../adapter/contract.js';

/**
 * Runs a node's statements on its connection and remembers them: the SQL
 * actually executed is what `target/run/` receives, as dbt writes it.
 */
export class StatementLog {
  readonly executed: string[] = [];

  constructor(
    private readonly connection: Connection,
    private readonly signal: AbortSignal,
    /** Sees each statement before it runs (debug logging). */
    private readonly onStatement: (sql: string) => void = () => undefined,
  ) {}

  /** Runs one statement, or several in order; returns the last result. */
  async run(sql: string | readonly string[]): Promise<QueryResult> {
    const statements = (typeof sql === 'string' ? [sql] : sql).map((s) => s.trim()).filter((s) => s.length > 0);
    let last: QueryResult = { columns: [], rows: [] };
    for (const statement of statements) {
      this.signal.throwIfAborted();
      this.executed.push(statement);
      this.onStatement(statement);
      last = await this.connection.query(statement, undefined, { signal: this.signal });
    }
    return last;
  }

  /** Records work done outside SQL text (a bulk load) as a comment in the run file. */
  note(comment: string): void {
    this.executed.push(comment);
  }

  /** The file text for `target/run/...`: every statement, each ending with `;`. */
  text(): string {
    return this.executed.map((s) => (s.startsWith('--') ? s : `${s.replace(/;\s*$/, '')};`)).join('\n\n') + '\n';
  }
}

/** A macro's result as statements: a string is one statement, a list many. */
export function asStatements(value: unknown, macroName: string): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  if (value !== null && typeof value === 'object' && typeof (value as { toString(): string }).toString === 'function') {
    const text = String(value);
    if (text !== '[object Object]') return [text];
  }
  throw new TypeError(`macro ${macroName} returned ${typeof value}, expected SQL text or a list of statements`);
}
