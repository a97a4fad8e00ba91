import { readFileSync } from 'node:fs';
import { renderString } from '@dvt/jinja';
import { describe, expect, it } from 'vitest';
import { datetimeModule } from '../src/compile/pydatetime.js';
import { itertoolsModule } from '../src/compile/pyitertools.js';
import { pytzModule } from '../src/compile/pytz.js';

/**
 * `modules.datetime`, `modules.pytz` and `modules.itertools` against Python: every case's
 * expected output was rendered by Jinja2 with Python's own modules (pytz played by zoneinfo,
 * see scripts/generate-pymodules-oracle.py, which regenerates the fixture).
 */
interface OracleCase {
  t: string;
  output?: string;
  error?: string;
}

const cases = JSON.parse(readFileSync(new URL('./fixtures/pymodules-oracle.json', import.meta.url), 'utf8')) as OracleCase[];

// The same plain functions the generator hands to the itertools cases.
const modules = {
  datetime: datetimeModule,
  pytz: pytzModule,
  itertools: itertoolsModule,
  operator_first_letter: (word: string) => word[0],
  operator_pow: (a: number, b: number) => a ** b,
  operator_small: (x: number) => x < 5,
};

describe('modules.datetime / pytz / itertools match Python', () => {
  it.each(cases.map((c) => [c.t, c] as const))('%s', (_, c) => {
    if (c.error !== undefined) {
      expect(() => renderString(c.t, { modules })).toThrow(c.error);
      return;
    }
    expect(renderString(c.t, { modules })).toBe(c.output);
  });
});

describe('modules edge cases Python cannot be asked about here', () => {
  const render = (t: string): string => renderString(t, { modules });

  it('pytz refuses an ambiguous or skipped wall time when is_dst=None', () => {
    expect(() => render("{{ modules.pytz.timezone('Europe/Amsterdam').localize(modules.datetime.datetime(2024, 10, 27, 2, 30), is_dst=None) }}")).toThrow(/AmbiguousTimeError/);
    expect(() => render("{{ modules.pytz.timezone('Europe/Amsterdam').localize(modules.datetime.datetime(2024, 3, 31, 2, 30), is_dst=None) }}")).toThrow(/NonExistentTimeError/);
  });

  it('an unknown zone, an aware localize and naive/aware comparisons fail as in Python', () => {
    expect(() => render("{{ modules.pytz.timezone('Mars/Olympus') }}")).toThrow(/UnknownTimeZoneError: 'Mars\/Olympus'/);
    expect(() => render("{{ modules.pytz.utc.localize(modules.datetime.datetime(2024, 1, 1, tzinfo=modules.pytz.utc)) }}")).toThrow(/Not naive datetime/);
    expect(() => render('{{ modules.datetime.datetime(2024, 1, 1) < modules.datetime.datetime(2024, 1, 1, tzinfo=modules.pytz.utc) }}')).toThrow(/can't compare offset-naive and offset-aware/);
    expect(render('{{ modules.datetime.datetime(2024, 1, 1) == modules.datetime.datetime(2024, 1, 1, tzinfo=modules.pytz.utc) }}')).toBe('False');
    expect(() => render('{{ modules.datetime.date(2024, 2, 30) }}')).toThrow(/day is out of range for month/);
  });

  it('an endless iterator stops with an explanation instead of hanging the run', () => {
    expect(() => render('{% for i in modules.itertools.count() %}{% endfor %}')).toThrow(/more than 1000000 items/);
  });

  it("now() and today() are today's UTC date", () => {
    const today = new Date().toISOString().slice(0, 10);
    expect(render('{{ modules.datetime.date.today() }}')).toBe(today);
    expect(render("{{ modules.datetime.datetime.now(modules.pytz.utc).strftime('%Y-%m-%d %Z') }}")).toBe(`${today} UTC`);
  });
});
