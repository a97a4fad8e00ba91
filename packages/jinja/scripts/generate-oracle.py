#!/usr/bin/env python3
"""Render every oracle case with Python's Jinja2 and write the fixtures.

    python3 packages/jinja/scripts/generate-oracle.py          # regenerate
    python3 packages/jinja/scripts/generate-oracle.py --check  # fail if stale

Reads test/oracle/cases/*.yaml and writes test/oracle/cases.json (the cases,
normalised, so the TypeScript test needs no YAML parser) and
test/oracle/expected.json (id -> {"output"} | {"native"} | {"error"}).
The output is deterministic: the same inputs give the same bytes.
"""

from __future__ import annotations

import json
import math
import re
import sys
import traceback
from pathlib import Path

import jinja2
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import shim  # noqa: E402

REQUIRED_JINJA2 = "3.1.6"
ORACLE_DIR = Path(__file__).resolve().parent.parent / "test" / "oracle"
CASE_KEYS = {"t", "ctx", "host", "files", "macros", "namespaces", "undefined", "native", "note"}
MAIN_TEMPLATE = "<template>"


class CaseError(Exception):
    pass


class UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML silently keeps the last of two equal keys; a duplicated case id
    would then vanish unnoticed."""


def _construct_mapping(loader, node, deep=False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise CaseError(f"duplicate key {key!r} at line {key_node.start_mark.line + 1}")
        seen.add(key)
    return yaml.SafeLoader.construct_mapping(loader, node, deep)


UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def check_json_value(value, where):
    """Context values must mean the same thing after a trip through JSON into
    JavaScript: JS has one number type, so 1.0 would arrive as an int."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return
    if isinstance(value, int):
        if abs(value) > 2**53:
            raise CaseError(f"{where}: integer {value} does not survive JSON into JS")
        return
    if isinstance(value, float):
        if not math.isfinite(value) or value.is_integer():
            raise CaseError(f"{where}: float {value} does not survive JSON into JS")
        return
    if isinstance(value, list):
        for i, item in enumerate(value):
            check_json_value(item, f"{where}[{i}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise CaseError(f"{where}: non-string key {key!r}")
            check_json_value(item, f"{where}.{key}")
        return
    raise CaseError(f"{where}: {type(value).__name__} is not JSON")


def load_cases():
    cases = []
    for path in sorted((ORACLE_DIR / "cases").glob("*.yaml")):
        topic = path.stem
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=UniqueKeyLoader)
        defaults = doc.get("defaults", {})
        for key, body in doc["cases"].items():
            case_id = f"{topic}/{key}"
            if isinstance(body, str):
                body = {"t": body}
            unknown = set(body) - CASE_KEYS
            if unknown:
                raise CaseError(f"{case_id}: unknown keys {sorted(unknown)}")
            merged = {**defaults, **body}
            case = {"id": case_id, "template": merged["t"]}
            if merged.get("ctx"):
                check_json_value(merged["ctx"], f"{case_id} ctx")
                case["context"] = merged["ctx"]
            for name in merged.get("host", []):
                if name not in shim.HOST_NAMES:
                    raise CaseError(f"{case_id}: unknown host value {name!r}")
            for opt in ("host", "files", "macros", "namespaces"):
                if merged.get(opt):
                    case[opt] = merged[opt]
            if merged.get("undefined", "default") != "default":
                case["undefined"] = merged["undefined"]
            if merged.get("native"):
                case["native"] = True
            cases.append(case)
    return cases


def error_location(exc, filenames):
    """Where Jinja2 says the error happened: syntax errors carry it; runtime
    errors have it in the traceback, whose template frames Jinja2 rewrote to
    point at template lines."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return exc.filename or exc.name or MAIN_TEMPLATE, exc.lineno
    found = (None, None)
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename in filenames:
            found = (filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


def error_kind(exc):
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return "syntax"
    if isinstance(exc, jinja2.UndefinedError):
        return "undefined"
    return "runtime"


def render_case(case):
    env = shim.make_environment(case.get("undefined", "default"), case.get("files"), case.get("native", False))
    filenames = {MAIN_TEMPLATE, *case.get("files", {})}
    try:
        scope = shim.build_scope(env, case)
        template = env.from_string(case["template"])
        result = template.render(scope)
    except shim.MacroReturn as exc:
        raise CaseError(f"{case['id']}: return() escaped every macro") from exc
    except Exception as exc:  # noqa: BLE001 - every failure is an expected result
        filename, line = error_location(exc, filenames)
        if line is None:
            raise CaseError(f"{case['id']}: no template line for {exc!r}\n{traceback.format_exc()}")
        message = exc.message if isinstance(exc, jinja2.TemplateError) and exc.message else str(exc)
        error = {"kind": error_kind(exc), "type": type(exc).__name__, "line": line}
        if filename != MAIN_TEMPLATE:
            error["file"] = filename
        error["message"] = message
        return {"error": error}
    if case.get("native"):
        return {"native": repr(result), "type": type(result).__name__}
    return {"output": result}


ADDRESS = re.compile(r"0x[0-9a-f]{6,}")


def build(allow_gaps=False):
    if jinja2.__version__ != REQUIRED_JINJA2:
        raise SystemExit(f"need Jinja2 {REQUIRED_JINJA2}, found {jinja2.__version__}")
    cases = load_cases()
    expected = {}
    for case in cases:
        result = render_case(case)
        text = json.dumps(result, ensure_ascii=False)
        if ADDRESS.search(text):
            raise CaseError(f"{case['id']}: result contains a memory address, not reproducible: {text}")
        expected[case["id"]] = result
    if not allow_gaps:
        check_coverage(cases)
    dump = lambda obj: json.dumps(obj, ensure_ascii=False, indent=1) + "\n"  # noqa: E731
    return {"cases.json": dump(cases), "expected.json": dump(expected)}, cases


def check_coverage(cases):
    """Every Jinja2 builtin filter and test must appear in some case."""
    text = "\n".join(c["template"] + "\n" + "\n".join(c.get("files", {}).values()) for c in cases)
    missing = []
    for name in sorted(jinja2.filters.FILTERS):
        if not re.search(r"(\|\s*|filter\s+|['\"])" + re.escape(name) + r"\b", text):
            missing.append(f"filter {name}")
    for name in sorted(jinja2.tests.TESTS):
        if name.isidentifier():
            pattern = r"(\bis\s+(not\s+)?|['\"])" + re.escape(name) + r"\b"
        else:
            pattern = r"['\"]" + re.escape(name) + r"['\"]"
        if not re.search(pattern, text):
            missing.append(f"test {name}")
    if missing:
        raise CaseError("not covered by any case: " + ", ".join(missing))


def main(argv):
    try:
        outputs, cases = build(allow_gaps="--allow-gaps" in argv)
    except CaseError as exc:
        raise SystemExit(f"generate-oracle: {exc}")
    if "--check" in argv:
        stale = [n for n, text in outputs.items() if (ORACLE_DIR / n).read_text(encoding="utf-8") != text]
        if stale:
            raise SystemExit(f"stale fixtures: {', '.join(stale)} (run generate-oracle.py)")
        print(f"fixtures up to date ({len(cases)} cases)")
        return
    for name, text in outputs.items():
        (ORACLE_DIR / name).write_text(text, encoding="utf-8")
    by_topic = {}
    for case in cases:
        topic = case["id"].split("/")[0]
        by_topic[topic] = by_topic.get(topic, 0) + 1
    for topic, count in by_topic.items():
        print(f"{count:5d}  {topic}")
    print(f"{len(cases):5d}  total")


if __name__ == "__main__":
    main(sys.argv[1:])
