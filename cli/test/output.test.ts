import { describe, expect, it } from 'vitest';
import { doneLine, LINE_WIDTH, progressLine } from '../src/output/lines.js';
import { Log } from '../src/output/log.js';
import { COLOURS, PLAIN, useColours } from '../src/output/paint.js';

describe('progressLine', () => {
  it('pads with dots so every status starts in the same column', () => {
    const short = progressLine(PLAIN, { index: 1, total: 9, verb: 'START', description: 'sql view model main.a', status: 'RUN', tone: 'neutral' });
    const long = progressLine(PLAIN, { index: 2, total: 9, verb: 'OK created', description: 'sql table model main.customers', status: 'OK in 0.05s', tone: 'good' });
    expect(short).toMatch(/^1 of 9 START sql view model main\.a \.+ \[RUN\]$/);
    expect(short.indexOf('[')).toBe(LINE_WIDTH + 1);
    expect(long.indexOf('[')).toBe(LINE_WIDTH + 1);
  });

  it('colours the status by tone only when painting', () => {
    const line = progressLine(COLOURS, { index: 1, total: 1, verb: 'ERROR creating', description: 'x', status: 'ERROR in 0.01s', tone: 'bad' });
    expect(line).toContain('\u001b[31mERROR in 0.01s\u001b[39m');
  });
});

describe('summary phrases', () => {
  it('prints the Done line', () => {
    expect(doneLine(PLAIN, { pass: 7, warn: 1, error: 0, skip: 2, total: 10 })).toBe('Done. PASS=7 WARN=1 ERROR=0 SKIP=2 TOTAL=10');
  });
});

describe('Log', () => {
  const capture = (format: 'text' | 'json') => {
    const lines: string[] = [];
    const log = new Log({ format, paint: PLAIN, debug: false, write: (l) => lines.push(l), now: () => new Date('2024-05-01T10:11:12.345Z') });
    return { log, lines };
  };

  it('prefixes text lines with the time and indents continuation lines', () => {
    const { log, lines } = capture('text');
    log.info('X', 'first\nsecond');
    expect(lines).toEqual(['10:11:12  first\n          second']);
  });

  it('writes one JSON object per event with info and data', () => {
    const { log, lines } = capture('json');
    log.warn('NodeFinished', (p) => p.red('boom'), { rows: 3n });
    expect(JSON.parse(lines[0])).toEqual({ info: { name: 'NodeFinished', level: 'warn', msg: 'boom', ts: '2024-05-01T10:11:12.345Z' }, data: { rows: '3' } });
  });

  it('masks secrets in text and JSON output', () => {
    for (const format of ['text', 'json'] as const) {
      const { log, lines } = capture(format);
      log.setMask((t) => t.split('hunter2').join('****'));
      log.error('E', 'password authentication failed for hunter2', { detail: 'hunter2' });
      expect(lines.join('\n')).not.toContain('hunter2');
      expect(lines.join('\n')).toContain('****');
    }
  });

  it('colours plain warnings yellow on a terminal', () => {
    const lines: string[] = [];
    const log = new Log({ format: 'text', paint: COLOURS, debug: false, write: (l) => lines.push(l), now: () => new Date(0) });
    log.warn('W', 'careful');
    expect(lines[0]).toBe('00:00:00  \u001b[33mcareful\u001b[39m');
  });

  it('with quiet, prints only errors and results', () => {
    const lines: string[] = [];
    const log = new Log({ format: 'text', paint: PLAIN, debug: false, quiet: true, write: (l) => lines.push(l), now: () => new Date(0) });
    log.info('I', 'chatter');
    log.warn('W', 'careful');
    log.result('R', '| a |');
    log.error('E', 'broken');
    expect(lines).toEqual(['| a |', '00:00:00  broken']);
  });

  it('hides debug events unless --debug', () => {
    const { log, lines } = capture('text');
    log.debug('D', 'hidden');
    expect(lines).toEqual([]);
  });
});

describe('useColours', () => {
  it('follows the TTY, FORCE_COLOR and NO_COLOR', () => {
    expect(useColours({ isTTY: true }, {})).toBe(true);
    expect(useColours({ isTTY: false }, {})).toBe(false);
    expect(useColours({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(useColours({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true);
    expect(useColours({ isTTY: false }, { FORCE_COLOR: '1', NO_COLOR: '1' })).toBe(false);
  });
});
