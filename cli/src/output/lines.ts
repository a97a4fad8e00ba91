import type { Paint } from './paint.js';

/**
 * dbt's terminal lines, as pure functions of their data: the per-node
 * START/result lines padded with dots, and the end-of-run summary.
 */

/** Column where the dots end and the bracketed status begins (dbt's is 80). */
export const LINE_WIDTH = 80;

export type Tone = 'good' | 'warn' | 'bad' | 'neutral';

export function tint(paint: Paint, tone: Tone, text: string): string {
  switch (tone) {
    case 'good':
      return paint.green(text);
    case 'warn':
      return paint.yellow(text);
    case 'bad':
      return paint.red(text);
    default:
      return text;
  }
}

/** `1 of 9 START sql view model main.stg_customers ....... [RUN]` */
export function progressLine(
  paint: Paint,
  p: { index: number; total: number; verb: string; description: string; status: string; tone: Tone },
): string {
  const head = `${p.index} of ${p.total} ${p.verb} ${p.description}`;
  const dots = '.'.repeat(Math.max(3, LINE_WIDTH - head.length - 1));
  const verb = p.tone === 'neutral' ? p.verb : tint(paint, p.tone, p.verb);
  return `${p.index} of ${p.total} ${verb} ${p.description} ${dots} [${tint(paint, p.tone, p.status)}]`;
}

export function seconds(s: number): string {
  return `${s.toFixed(2)}s`;
}

export interface Tally {
  pass: number;
  warn: number;
  error: number;
  skip: number;
  total: number;
}

/** `Done. PASS=7 WARN=0 ERROR=1 SKIP=1 TOTAL=9` */
export function doneLine(paint: Paint, t: Tally): string {
  const part = (label: string, n: number, tone: Tone) => (n > 0 ? tint(paint, tone, `${label}=${n}`) : `${label}=${n}`);
  return `Done. ${part('PASS', t.pass, 'good')} ${part('WARN', t.warn, 'warn')} ${part('ERROR', t.error, 'bad')} ${part('SKIP', t.skip, 'warn')} TOTAL=${t.total}`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** `moving source.shop.orders into cache shop__orders: 1,234,567 rows (250,123 rows/s, 4.9s)` */
export function moveProgressText(p: { unique_id: string; move: string; rows: number; rowsPerSecond: number; seconds: number }): string {
  const count = (n: number) => n.toLocaleString('en-US');
  return `moving ${p.unique_id} ${p.move}: ${count(p.rows)} rows (${count(p.rowsPerSecond)} rows/s, ${p.seconds.toFixed(1)}s)`;
}
