import { spawnSync } from 'node:child_process';
import { MARIADB, POSTGRES, serviceSkipReason } from '@dvt/adapter-testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { moveProgressText } from '../src/output/lines.js';
import { LiveLines, showsLiveLines } from '../src/output/live.js';
import { Log } from '../src/output/log.js';
import { PLAIN } from '../src/output/paint.js';
import { onPostgres, threeEngineProfile, uniqueTag, writeFiles } from './engines.js';
import { BIN, dvt, tempDir } from './helpers.js';

const ERASE_ONE = '\u001b[1F\u001b[J';

describe('move progress lines', () => {
  it('formats rows, rate and time', () => {
    expect(moveProgressText({ unique_id: 'source.shop.orders', move: 'into cache shop__orders', rows: 1234567, rowsPerSecond: 250123, seconds: 4.94 })).toBe(
      'moving source.shop.orders into cache shop__orders: 1,234,567 rows (250,123 rows/s, 4.9s)',
    );
  });

  it('keeps one line per move below what is printed, and takes it down when the move ends', () => {
    let out = '';
    const live = new LiveLines({ write: (text) => (out += text), columns: 30 });
    live.set('a', 'moving a: 1 rows');
    expect(out).toBe('moving a: 1 rows\n');
    live.set('b', 'moving b: a line far too long for thirty columns');
    live.set('a', 'moving a: 2 rows');
    // Each redraw erases the lines drawn before; a line is cut to the width so it never wraps.
    expect(out.slice('moving a: 1 rows\n'.length)).toBe(
      `${ERASE_ONE}moving a: 1 rows\nmoving b: a line far too lon…\n` + `\u001b[2F\u001b[Jmoving a: 2 rows\nmoving b: a line far too lon…\n`,
    );
    out = '';
    live.print('10:11:12  1 of 2 OK created ...');
    expect(out).toBe('\u001b[2F\u001b[J10:11:12  1 of 2 OK created ...\nmoving a: 2 rows\nmoving b: a line far too lon…\n');
    out = '';
    live.delete('a');
    live.delete('b');
    live.delete('b');
    expect(out).toBe('\u001b[2F\u001b[Jmoving b: a line far too lon…\n' + ERASE_ONE);
  });

  it('shows nothing without a terminal, in JSON, or with --quiet', () => {
    const lines: string[] = [];
    const plain = new Log({ format: 'text', paint: PLAIN, debug: true, write: (l) => lines.push(l) });
    plain.progress('a', 'moving a: 1 rows');
    plain.progress('a', undefined);
    expect(lines).toEqual([]);
    expect(plain.showsProgress).toBe(false);
    expect(showsLiveLines({ isTTY: true }, {}, 'text', false)).toBe(true);
    expect(showsLiveLines({ isTTY: false }, {}, 'text', false)).toBe(false);
    expect(showsLiveLines({ isTTY: true }, {}, 'json', false)).toBe(false);
    expect(showsLiveLines({ isTTY: true }, {}, 'text', true)).toBe(false);
    expect(showsLiveLines({ isTTY: true }, { TERM: 'dumb' }, 'text', false)).toBe(false);
  });
});

const skip = (await serviceSkipReason(POSTGRES)) ?? (await serviceSkipReason(MARIADB));
const tag = uniqueTag('progress');
const ROWS = 200_000;

/** Runs the built bin under a pseudo-terminal (`script`), so its stdout is a TTY. */
function onTerminal(args: string[], cwd: string): { code: number; output: string } {
  const quoted = [process.execPath, BIN, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  // A wide terminal, so the progress line is not cut to 80 columns.
  const command = `stty cols 200 2>/dev/null; exec ${quoted}`;
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', TERM: 'xterm' };
  delete env.FORCE_COLOR;
  const r = spawnSync('script', ['-qec', command, '/dev/null'], { cwd, env, encoding: 'utf8' });
  return { code: r.status ?? -1, output: r.stdout + r.stderr };
}

describe.skipIf(skip)(`a run on a terminal shows moves in progress${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let dir: string;
  beforeAll(async () => {
    dir = tempDir();
    writeFiles(dir, {
      'dbt_project.yml': 'name: progress\nprofile: progress\n',
      'profiles.yml': threeEngineProfile('progress', tag),
      'models/sources.yml': `sources:\n  - name: shop\n    connection: pg\n    schema: ${tag}\n    tables: [{ name: events }]\n`,
      'models/events_copy.sql': "{{ config(materialized='table') }}\nselect id, kind from {{ source('shop', 'events') }}\n",
    });
    await onPostgres(`create schema "${tag}"`);
    await onPostgres(`create table "${tag}".events as select g as id, 'kind ' || (g % 7) as kind from generate_series(1, ${ROWS}) g`);
  }, 60_000);
  afterAll(async () => {
    await onPostgres(`drop schema if exists "${tag}" cascade`);
  });

  it('updates a line per move on a TTY and leaves none of it in piped or JSON output', () => {
    const tty = onTerminal(['run', '--full-refresh'], dir);
    expect(tty.code, tty.output).toBe(0);
    // The target is DuckDB: the source is staged into it (no cache hop).
    expect(tty.output).toMatch(/moving source\.progress\.shop\.events into "dev"\."main__dvt_staging"\."shop__events" on 'dev': [\d,]+ rows \([\d,]+ rows\/s, \d+\.\ds\)/);
    // Taken down when the move ended: the line is erased, and the run's own lines follow.
    const shown = tty.output.lastIndexOf('moving source.progress.shop.events');
    expect(tty.output.indexOf(ERASE_ONE, shown)).toBeGreaterThan(shown);
    expect(tty.output).toMatch(/OK created sql table model main\.events_copy/);

    const json = onTerminal(['run', '--full-refresh', '--log-format', 'json'], dir);
    expect(json.code, json.output).toBe(0);
    expect(json.output).not.toContain('moving ');
    expect(json.output).not.toContain('\u001b[');

    const piped = dvt(['run', '--full-refresh', '--debug'], { cwd: dir });
    expect(piped.code, piped.output).toBe(0);
    expect(piped.output).not.toContain('moving ');
    expect(piped.output).not.toContain('\u001b[');
    // The final line of each move is still there, as a debug log line.
    expect(piped.stdout).toMatch(new RegExp(`moved ${ROWS} rows of source\\.progress\\.shop\\.events into "dev"\\."main__dvt_staging"\\."shop__events" on 'dev' in`));
  }, 120_000);

  it('shows the copies of a preview moving too', () => {
    const show = onTerminal(['show', '--inline', "select count(*) as n from {{ source('shop', 'events') }}"], dir);
    expect(show.code, show.output).toBe(0);
    expect(show.output).toMatch(/moving source\.progress\.shop\.events into the cache: [\d,]+ rows/);
    expect(show.output).toMatch(new RegExp(`\\| +${ROWS} \\|`));
  }, 120_000);
});
