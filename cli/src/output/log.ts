import type { LiveLines } from './live.js';
import { PLAIN, type Paint } from './paint.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFormat = 'text' | 'json';

/** A message that can be printed plain (JSON, files) or coloured (terminal). */
export type Message = string | ((paint: Paint) => string);

export interface LogOptions {
  format: LogFormat;
  paint: Paint;
  debug: boolean;
  /** `--quiet`: only errors and the command's results (`result`) are printed. */
  quiet?: boolean;
  /** `--warn-error`: warnings print as errors and fail the command (see `warnedAsError`). */
  warnError?: boolean;
  write?: (line: string) => void;
  now?: () => Date;
  /**
   * A terminal's live lines (moves in progress), when output is a TTY in
   * text mode: every line is then printed above them. Without it progress
   * is not shown at all (not in JSON, piped output or files).
   */
  live?: LiveLines;
}

/**
 * Every line the CLI prints goes through here: dbt-like text lines with a
 * time prefix, or one JSON object per event (`{ info: { name, level, msg, ts },
 * data }`). Secret values are masked (see `setMask`) in both,
 * whatever printed them (a driver error may echo a password).
 */
export class Log {
  private maskText: (text: string) => string = (text) => text;
  /** A warning was logged under --warn-error: the command must exit 1. */
  warnedAsError = false;
  private readonly write: (line: string) => void;
  private readonly now: () => Date;

  constructor(private readonly options: LogOptions) {
    const live = options.live;
    this.write = live ? (line) => live.print(line) : (options.write ?? ((line) => process.stdout.write(`${line}\n`)));
    this.now = options.now ?? (() => new Date());
  }

  get format(): LogFormat {
    return this.options.format;
  }

  get debugEnabled(): boolean {
    return this.options.debug;
  }

  /** Whether `progress` shows anything: the run then asks core to count rows as they move. */
  get showsProgress(): boolean {
    return this.options.live !== undefined;
  }

  /**
   * A line that changes in place while something runs, under `key`; undefined
   * takes it down. Only on a terminal in text mode (and not --quiet).
   */
  progress(key: string, text: string | undefined): void {
    const live = this.options.live;
    if (!live) return;
    if (text === undefined) live.delete(key);
    else live.set(key, this.mask(text));
  }

  /** Installs the secret masking (core's `maskSecrets` over the profile's secret values) once a profile is loaded. */
  setMask(mask: (text: string) => string): void {
    this.maskText = mask;
  }

  mask(text: string): string {
    return this.maskText(text);
  }

  debug(name: string, msg: Message, data?: Record<string, unknown>): void {
    this.event('debug', name, msg, data);
  }

  info(name: string, msg: Message, data?: Record<string, unknown>): void {
    this.event('info', name, msg, data);
  }

  warn(name: string, msg: Message, data?: Record<string, unknown>): void {
    this.event('warn', name, msg, data);
  }

  error(name: string, msg: Message, data?: Record<string, unknown>): void {
    this.event('error', name, msg, data);
  }

  /** Output that is the command's result (list, show, compiled SQL): bare lines in text mode; printed even with --quiet. */
  result(name: string, text: string, data?: Record<string, unknown>): void {
    if (this.options.format === 'json') this.emit('info', name, text, data);
    else this.write(this.mask(text));
  }

  /** `warn_error` from the project's `flags:`, known only once the project is read. */
  treatWarningsAsErrors(): void {
    this.options.warnError = true;
  }

  event(level: LogLevel, name: string, msg: Message, data: Record<string, unknown> = {}): void {
    if (level === 'warn' && this.options.warnError) {
      this.warnedAsError = true;
      level = 'error';
    }
    if (level === 'debug' && !this.options.debug) return;
    if (this.options.quiet && level !== 'error') return;
    this.emit(level, name, msg, data);
  }

  private emit(level: LogLevel, name: string, msg: Message, data: Record<string, unknown> = {}): void {
    const ts = this.now();
    if (this.options.format === 'json') {
      // Masked before and after serialising: JSON escaping could hide a secret containing quotes.
      const plain = this.mask(typeof msg === 'string' ? msg : msg(PLAIN));
      const line = JSON.stringify({ info: { name, level, msg: plain, ts: ts.toISOString() }, data }, jsonValue);
      this.write(this.mask(line));
      return;
    }
    // Plain warnings stand out as dbt's do; messages that colour themselves (node lines) decide for themselves.
    const text = typeof msg === 'string' ? (level === 'warn' && msg !== '' ? this.options.paint.yellow(msg) : msg) : msg(this.options.paint);
    const prefix = ts.toISOString().slice(11, 19);
    const lines = this.mask(text).split('\n');
    // Continuation lines align under the first line's text.
    this.write(lines.map((l, i) => (i === 0 ? `${prefix}  ${l}` : l === '' ? '' : `${' '.repeat(prefix.length)}  ${l}`)).join('\n'));
  }
}

/** BigInt (DuckDB and PostgreSQL bigints) as JSON numbers' text. */
function jsonValue(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
