#!/usr/bin/env python3
"""Expected outputs for `modules.datetime`, `modules.pytz` and `modules.itertools`.

    python3 packages/core/scripts/generate-pymodules-oracle.py          # regenerate
    python3 packages/core/scripts/generate-pymodules-oracle.py --check  # fail if stale

Renders every case below with Python's Jinja2 and the real `datetime` and
`itertools` modules, and writes test/fixtures/pymodules-oracle.json, which
test/compile-pymodules.test.ts renders with dvt's modules and compares.

pytz itself is not installed on the development machines, so `modules.pytz` is
played by PytzOnZoneinfo below: the standard library's zoneinfo supplies the
offsets, and the class adds pytz's documented model on top (a zone handed out
by timezone() carries its first, local-mean-time offset; localize() picks the
offset for a wall time, standard time when ambiguous or skipped unless
is_dst=True; normalize() re-reads the offset from the instant; offsets are
rounded to whole minutes as pytz's tzfile reader does).
"""

from __future__ import annotations

import datetime
import itertools
import json
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import jinja2
from jinja2.sandbox import SandboxedEnvironment

OUT = Path(__file__).resolve().parent.parent / "test" / "fixtures" / "pymodules-oracle.json"


def rounded(offset: datetime.timedelta) -> datetime.timedelta:
    seconds = int(offset.total_seconds())
    return datetime.timedelta(seconds=((seconds + 30) // 60) * 60)


class PytzZone(datetime.tzinfo):
    """One zone at one fixed offset, as pytz's DstTzInfo instances are."""

    def __init__(self, name: str, offset, dst, abbreviation):
        self.zone = name
        self._offset = offset
        self._dst = dst
        self._abbreviation = abbreviation

    @classmethod
    def state_at_utc(cls, name: str, utc_wall: datetime.datetime) -> "PytzZone":
        local = utc_wall.replace(tzinfo=datetime.timezone.utc).astimezone(ZoneInfo(name))
        return cls(name, rounded(local.utcoffset()), rounded(local.dst()), local.tzname())

    @classmethod
    def named(cls, name: str) -> "PytzZone":
        return cls.state_at_utc(name, datetime.datetime(1600, 1, 1))

    def utcoffset(self, dt):
        if dt is None:
            return None
        return self._offset if dt.tzinfo is self else self.localize(dt.replace(tzinfo=None)).utcoffset()

    def dst(self, dt):
        if dt is None:
            return None
        return self._dst if dt.tzinfo is self else self.localize(dt.replace(tzinfo=None)).dst()

    def tzname(self, dt):
        if dt is None:
            return self.zone
        return self._abbreviation if dt.tzinfo is self else self.localize(dt.replace(tzinfo=None)).tzname()

    def fromutc(self, dt):
        state = PytzZone.state_at_utc(self.zone, dt.replace(tzinfo=None))
        return (dt.replace(tzinfo=None) + state._offset).replace(tzinfo=state)

    def localize(self, dt, is_dst=False):
        if dt.tzinfo is not None:
            raise ValueError("Not naive datetime (tzinfo is already set)")
        zone = ZoneInfo(self.zone)
        folds = [dt.replace(tzinfo=zone, fold=fold) for fold in (0, 1)]
        if folds[0].utcoffset() == folds[1].utcoffset():
            chosen = folds[0]
        else:
            if is_dst is None:
                raise ValueError(f"ambiguous or non-existent time: {dt}")
            # zoneinfo's two readings of the wall time: pytz takes the DST one or the standard one.
            chosen = next((f for f in folds if bool(f.dst()) == bool(is_dst)), folds[0])
        state = PytzZone(self.zone, rounded(chosen.utcoffset()), rounded(chosen.dst()), chosen.tzname())
        return dt.replace(tzinfo=state)

    def normalize(self, dt):
        if dt.tzinfo is None:
            raise ValueError("Naive time - no tzinfo set")
        return dt.astimezone(self)

    def __str__(self):
        return self.zone


class PytzUtc(datetime.tzinfo):
    zone = "UTC"

    def utcoffset(self, dt):
        return datetime.timedelta(0)

    def dst(self, dt):
        return datetime.timedelta(0)

    def tzname(self, dt):
        return "UTC"

    def fromutc(self, dt):
        return dt.replace(tzinfo=self)

    def localize(self, dt, is_dst=False):
        if dt.tzinfo is not None:
            raise ValueError("Not naive datetime (tzinfo is already set)")
        return dt.replace(tzinfo=self)

    def normalize(self, dt):
        return dt.astimezone(self)

    def __str__(self):
        return "UTC"


UTC = PytzUtc()


class PytzOnZoneinfo:
    utc = UTC
    UTC = UTC

    @staticmethod
    def timezone(name):
        return UTC if name.upper() == "UTC" else PytzZone.named(name)


MODULES = {"datetime": datetime, "itertools": itertools, "pytz": PytzOnZoneinfo}

CASES = [
    # --- datetime: construction, printing, fields
    "{{ modules.datetime.date(1997, 9, 29) }}",
    "{{ modules.datetime.datetime(1997, 9, 29, 6, 14) }}|{{ modules.datetime.datetime(2024, 2, 29, 23, 59, 59, 120) }}",
    "{{ modules.datetime.datetime(year=2020, month=1, day=2, hour=3).isoformat() }}",
    "{{ modules.datetime.datetime(2020, 1, 2, 3, 4, 5, 6).isoformat(' ') }}",
    "{% set d = modules.datetime.date(2024, 12, 30) %}{{ d.year }} {{ d.month }} {{ d.day }} {{ d.weekday() }} {{ d.isoweekday() }} {{ d.isocalendar() | list }} {{ d.toordinal() }}",
    "{{ modules.datetime.date.fromordinal(738000) }}",
    "{{ modules.datetime.datetime(2021, 1, 3).isocalendar() | list }}|{{ modules.datetime.date(2026, 1, 1).isocalendar() | join('-') }}",
    # --- timedelta and arithmetic
    "{{ modules.datetime.timedelta(days=1, hours=2, minutes=3, seconds=4) }}",
    "{{ modules.datetime.timedelta(365) }}|{{ modules.datetime.timedelta(hours=-1) }}|{{ modules.datetime.timedelta(microseconds=5) }}",
    "{% set t = modules.datetime.timedelta(days=-1, seconds=5) %}{{ t.days }} {{ t.seconds }} {{ t.microseconds }} {{ t.total_seconds() }}",
    "{{ modules.datetime.date(2024, 3, 1) - modules.datetime.timedelta(1) }}",
    "{{ modules.datetime.date(2024, 3, 1) - modules.datetime.date(2023, 3, 1) }}",
    "{{ modules.datetime.datetime(2024, 3, 1, 12) + modules.datetime.timedelta(hours=13, minutes=30) }}",
    "{{ modules.datetime.datetime(2024, 3, 1) - modules.datetime.datetime(2024, 2, 28, 18) }}",
    "{{ modules.datetime.timedelta(hours=1) * 3 }}|{{ 2 * modules.datetime.timedelta(days=1) }}|{{ modules.datetime.timedelta(days=1) / 4 }}",
    "{{ modules.datetime.timedelta(hours=2.0) }}|{{ modules.datetime.timedelta(days=0.5) }}|{{ modules.datetime.timedelta(hours=1) * 1.5 }}|{{ modules.datetime.timedelta(1) * 2.0 }}",
    "{{ modules.datetime.timedelta(days=1) / modules.datetime.timedelta(hours=6) }}|{{ modules.datetime.timedelta(days=1) // modules.datetime.timedelta(hours=7) }}",
    "{{ modules.datetime.timedelta(days=1) + modules.datetime.timedelta(hours=1) }}|{{ modules.datetime.timedelta(days=1) - modules.datetime.timedelta(days=3) }}",
    # --- comparisons
    "{{ modules.datetime.date(2024, 1, 1) < modules.datetime.date(2024, 1, 2) }} {{ modules.datetime.date(2024, 1, 1) == modules.datetime.date(2024, 1, 1) }} {{ modules.datetime.date(2024, 1, 1) >= modules.datetime.date(2024, 1, 2) }}",
    "{{ modules.datetime.datetime(2024, 1, 1, 1) > modules.datetime.datetime(2024, 1, 1) }} {{ modules.datetime.timedelta(1) > modules.datetime.timedelta(hours=23) }}",
    "{{ modules.datetime.date(2024, 1, 1) == modules.datetime.datetime(2024, 1, 1) }}",
    "{{ [modules.datetime.date(2024, 3, 1), modules.datetime.date(2023, 1, 1), modules.datetime.date(2024, 1, 1)] | sort | join(',') }}",
    # --- replace, date(), strftime, strptime, fromisoformat
    "{{ modules.datetime.datetime(2024, 5, 17, 13, 45, 10, 5).replace(hour=0, minute=0, second=0, microsecond=0) }}",
    "{{ modules.datetime.date(2024, 1, 31).replace(month=2, day=29) }}|{{ modules.datetime.datetime(2024, 5, 17, 13, 45).date() }}",
    "{{ modules.datetime.datetime(2024, 1, 7, 15, 4, 5).strftime('%Y-%m-%d %H:%M:%S %a %A %b %B %j %I%p %y %U %W %w %u %G-%V %%') }}",
    "{{ modules.datetime.datetime(2005, 1, 1, 0, 0).strftime('%U %W %G %V %j') }}",
    "{{ modules.datetime.datetime.strptime('2024-02-29', '%Y-%m-%d') }}|{{ modules.datetime.datetime.strptime('17/May/2024 01:02:03 PM', '%d/%b/%Y %I:%M:%S %p') }}",
    "{{ modules.datetime.datetime.strptime('2024-02-29T10:11:12.5+0130', '%Y-%m-%dT%H:%M:%S.%f%z') }}",
    "{{ modules.datetime.datetime.fromisoformat('2024-02-29T10:11:12') }}|{{ modules.datetime.datetime.fromisoformat('2024-02-29 10:11:12.250+05:30') }}|{{ modules.datetime.date.fromisoformat('2024-02-29') }}",
    "{{ modules.datetime.datetime.fromisoformat('2024-02-29T10:11:12+00:00').tzinfo is none }}|{{ modules.datetime.datetime.fromisoformat('2024-02-29T10:11:12').tzinfo is none }}",
    "{{ modules.datetime.datetime(2024, 1, 1, tzinfo=modules.datetime.timezone.utc) }}|{{ modules.datetime.datetime(2024, 1, 1, tzinfo=modules.datetime.timezone(modules.datetime.timedelta(hours=-3))).isoformat() }}",
    "{{ modules.datetime.datetime(2024, 1, 1, tzinfo=modules.datetime.timezone.utc).timestamp() }}",
    "{{ modules.datetime.datetime.fromtimestamp(1700000000, modules.datetime.timezone.utc) }}",
    # --- pytz: timezone(), localize, astimezone, normalize, the LMT trap
    "{{ modules.pytz.timezone('Europe/Amsterdam') }}|{{ modules.pytz.timezone('Europe/Amsterdam').zone }}|{{ modules.pytz.utc }}",
    "{{ modules.pytz.timezone('Europe/Amsterdam').localize(modules.datetime.datetime(2024, 7, 1, 12)) }}",
    "{{ modules.pytz.timezone('Europe/Amsterdam').localize(modules.datetime.datetime(2024, 1, 1, 12)) }}",
    "{{ modules.pytz.timezone('America/Los_Angeles').localize(modules.datetime.datetime(1997, 9, 29, 6, 14)).isoformat() }}",
    "{{ modules.datetime.datetime(1997, 9, 29, 6, 14, 0, tzinfo=modules.pytz.timezone('America/Los_Angeles')) }}",
    # (Local mean time before 1900 is where tz database builds differ: Node's ICU merges
    # Europe/Amsterdam into Brussels, so only zones whose LMT every build agrees on are used.)
    "{{ modules.datetime.datetime(2024, 1, 1, tzinfo=modules.pytz.timezone('Asia/Tokyo')) }}",
    "{{ modules.pytz.utc.localize(modules.datetime.datetime(2024, 3, 31, 0, 30)).astimezone(modules.pytz.timezone('Europe/Amsterdam')) }}",
    "{{ modules.pytz.utc.localize(modules.datetime.datetime(2024, 3, 31, 1, 30)).astimezone(modules.pytz.timezone('Europe/Amsterdam')) }}",
    "{{ modules.pytz.timezone('Asia/Kolkata').localize(modules.datetime.datetime(2024, 6, 1, 9)).astimezone(modules.pytz.utc) }}",
    "{{ modules.pytz.timezone('Australia/Sydney').localize(modules.datetime.datetime(2024, 1, 15, 9)) }}|{{ modules.pytz.timezone('Australia/Sydney').localize(modules.datetime.datetime(2024, 7, 15, 9)) }}",
    # ambiguous (clocks back) and skipped (clocks forward) wall times
    "{{ modules.pytz.timezone('Europe/Amsterdam').localize(modules.datetime.datetime(2024, 10, 27, 2, 30)) }}|{{ modules.pytz.timezone('Europe/Amsterdam').localize(modules.datetime.datetime(2024, 10, 27, 2, 30), is_dst=True) }}",
    "{{ modules.pytz.timezone('America/Los_Angeles').localize(modules.datetime.datetime(2024, 3, 10, 2, 30)) }}|{{ modules.pytz.timezone('America/Los_Angeles').localize(modules.datetime.datetime(2024, 3, 10, 2, 30), is_dst=True) }}",
    # arithmetic keeps the offset; normalize() fixes it
    "{% set tz = modules.pytz.timezone('Europe/Amsterdam') %}{% set a = tz.localize(modules.datetime.datetime(2024, 3, 30, 12)) + modules.datetime.timedelta(days=1) %}{{ a }}|{{ tz.normalize(a) }}",
    "{% set tz = modules.pytz.timezone('America/Los_Angeles') %}{{ tz.normalize(tz.localize(modules.datetime.datetime(2024, 11, 2, 12)) + modules.datetime.timedelta(days=1)) }}",
    "{% set tz = modules.pytz.timezone('Europe/Amsterdam') %}{% set d = tz.localize(modules.datetime.datetime(2024, 7, 1, 12)) %}{{ d.utcoffset() }}|{{ d.dst() }}|{{ d.tzname() }}|{{ d.strftime('%Y-%m-%d %H:%M %z %Z') }}",
    "{% set tz = modules.pytz.timezone('America/Los_Angeles') %}{% set d = tz.localize(modules.datetime.datetime(2024, 1, 1, 12)) %}{{ d.utcoffset() }}|{{ d.dst() }}|{{ d.tzname() }}",
    "{% set ams = modules.pytz.timezone('Europe/Amsterdam').localize(modules.datetime.datetime(2024, 7, 1, 14)) %}{% set utc = modules.pytz.utc.localize(modules.datetime.datetime(2024, 7, 1, 12)) %}{{ ams == utc }} {{ ams < utc }} {{ ams - utc }}",
    "{{ modules.pytz.timezone('Europe/Amsterdam').localize(modules.datetime.datetime(2024, 7, 1, 14)).timestamp() }}",
    "{{ modules.datetime.datetime(2024, 7, 1, 14, tzinfo=modules.pytz.utc).astimezone(modules.pytz.timezone('America/Los_Angeles')).strftime('%Y-%m-%d %H:%M %Z') }}",
    "{{ modules.datetime.datetime.fromtimestamp(1700000000, modules.pytz.timezone('Europe/Amsterdam')) }}",
    # --- itertools
    "{{ modules.itertools.product([1, 2], ['a', 'b']) | list }}",
    "{{ modules.itertools.product('ab', repeat=2) | list }}|{{ modules.itertools.product() | list }}",
    "{{ modules.itertools.permutations([1, 2, 3]) | list }}|{{ modules.itertools.permutations('abc', 2) | list }}",
    "{{ modules.itertools.combinations([1, 2, 3, 4], 2) | list }}|{{ modules.itertools.combinations([1, 2], 3) | list }}|{{ modules.itertools.combinations([1, 2], 0) | list }}",
    "{{ modules.itertools.combinations_with_replacement('ab', 2) | list }}",
    "{{ modules.itertools.chain([1, 2], (3,), 'ab') | list }}|{{ modules.itertools.chain.from_iterable([[1], [2, 3]]) | list }}",
    "{% for key, group in modules.itertools.groupby([1, 1, 2, 3, 3, 1]) %}{{ key }}:{{ group | list }};{% endfor %}",
    "{% for key, group in modules.itertools.groupby(['apple', 'avocado', 'banana', 'cherry', 'cranberry'], key=modules.operator_first_letter) %}{{ key }}={{ group | join('+') }};{% endfor %}",
    "{{ modules.itertools.islice(modules.itertools.count(), 5) | list }}|{{ modules.itertools.islice(modules.itertools.count(10, 5), 1, 4) | list }}|{{ modules.itertools.islice('abcdefg', 0, None, 3) | list }}",
    "{{ modules.itertools.repeat('x', 3) | list }}|{{ modules.itertools.islice(modules.itertools.cycle('ab'), 5) | list }}|{{ modules.itertools.islice(modules.itertools.repeat(7), 2) | list }}",
    "{{ modules.itertools.accumulate([1, 2, 3, 4]) | list }}|{{ modules.itertools.accumulate(['a', 'b', 'c']) | list }}",
    "{{ modules.itertools.zip_longest([1, 2, 3], 'ab') | list }}|{{ modules.itertools.zip_longest([1], [2, 3], fillvalue=0) | list }}",
    "{{ modules.itertools.compress('abcdef', [1, 0, 1, 0, 1, 1]) | list }}",
    "{% for a, b in modules.itertools.product([1, 2], [3]) %}{{ a * b }},{% endfor %}",
    "{{ modules.itertools.starmap(modules.operator_pow, [(2, 5), (3, 2)]) | list }}",
    "{{ modules.itertools.takewhile(modules.operator_small, [1, 4, 6, 4, 1]) | list }}|{{ modules.itertools.dropwhile(modules.operator_small, [1, 4, 6, 4, 1]) | list }}|{{ modules.itertools.filterfalse(modules.operator_small, [1, 4, 6, 4, 1]) | list }}",
    "{% set a, b = modules.itertools.tee([1, 2]) %}{{ a | list }}{{ b | list }}",
    "{{ modules.itertools.pairwise('abcd') | list }}",
]

# Plain functions the itertools cases pass as predicates and keys; the TypeScript test defines the same.
HELPERS = {
    "operator_first_letter": lambda word: word[0],
    "operator_pow": lambda a, b: a**b,
    "operator_small": lambda x: x < 5,
}


def render(template: str) -> dict:
    env = SandboxedEnvironment(extensions=["jinja2.ext.do"])
    context = {"modules": {**MODULES, **HELPERS}}
    try:
        return {"output": env.from_string(template).render(context)}
    except Exception as error:  # noqa: BLE001 - the error class is what the test compares
        return {"error": type(error).__name__}


def main() -> int:
    if jinja2.__version__ != "3.1.6":
        print(f"warning: Jinja2 {jinja2.__version__}, fixtures were made with 3.1.6", file=sys.stderr)
    cases = [{"t": t, **render(t)} for t in CASES]
    text = json.dumps(cases, indent=2, ensure_ascii=False) + "\n"
    if "--check" in sys.argv:
        if not OUT.exists() or OUT.read_text() != text:
            print(f"{OUT} is stale: run {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text)
    print(f"wrote {len(cases)} cases to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
