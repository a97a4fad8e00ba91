"""Host values for the oracle: the Python twins of the TypeScript values in
test/oracle/hosts.ts. Both sides must agree on every name and behaviour,
because a case's expected output is whatever Jinja2 renders with these.

The environment is configured the way dbt configures its own (and the way
@dvt/jinja's renderString behaves): Jinja2's sandbox with its defaults plus the
`do` and `loopcontrols` extensions.
"""

from __future__ import annotations

import copy

import jinja2
import jinja2.runtime
from jinja2.loaders import FunctionLoader
from jinja2.nativetypes import NativeEnvironment
from jinja2.sandbox import SandboxedEnvironment

EXTENSIONS = ["jinja2.ext.do", "jinja2.ext.loopcontrols"]

UNDEFINED_CLASSES = {
    "default": jinja2.Undefined,
    "strict": jinja2.StrictUndefined,
    "chainable": jinja2.ChainableUndefined,
}


class MacroReturn(Exception):
    """Raised by the host `return`; carries the value back to the macro call."""

    def __init__(self, value):
        super().__init__("return() called outside of a macro")
        self.value = value


def _install_return_catching() -> None:
    # dbt ends a macro early by raising from `return` and catching where a
    # named macro is called (its MacroGenerator); the innermost such call wins.
    # A call block's body (`caller()`, a Macro without a name) is no dbt macro:
    # a return() inside it ends the macro that called caller().
    original = jinja2.runtime.Macro._invoke
    if getattr(original, "_oracle_catches_return", False):
        return

    def invoke(self, arguments, autoescape):
        if self.name is None:
            return original(self, arguments, autoescape)
        try:
            return original(self, arguments, autoescape)
        except MacroReturn as signal:
            return signal.value

    invoke._oracle_catches_return = True
    jinja2.runtime.Macro._invoke = invoke


_install_return_catching()


class NativeSandboxedEnvironment(SandboxedEnvironment, NativeEnvironment):
    """What dbt uses to render YAML/config values: typed results."""


def make_environment(undefined: str = "default", files=None, native: bool = False):
    cls = NativeSandboxedEnvironment if native else SandboxedEnvironment
    return cls(
        extensions=EXTENSIONS,
        undefined=UNDEFINED_CLASSES[undefined],
        loader=_file_loader(dict(files or {})),
    )


def _file_loader(files):
    # A template's filename is its name, so errors inside included or
    # imported files are reported against that file.
    def load(name):
        if name not in files:
            return None
        return files[name], name, lambda: True

    return FunctionLoader(load)


# --- the host values -------------------------------------------------------

PROJECT_VARS = {"start_date": "2020-01-01", "days": 7, "cols": ["id", "name"], "flag": False}


def echo(*args, **kwargs):
    return f"args={list(args)!r} kwargs={kwargs!r}"


def _return(value=None):
    raise MacroReturn(value)


def ref(*args, **kwargs):
    if len(args) == 1:
        package, name = "main", args[0]
    else:
        package, name = args[0], args[1]
    suffix = f"_v{kwargs['version']}" if "version" in kwargs else ""
    return f'"db"."{package}"."{name}{suffix}"'


def source(source_name, table_name):
    return f'"db"."{source_name}"."{table_name}"'


def make_var():
    # Fresh values per case, so a case that mutates a var cannot leak into
    # the next one.
    project_vars = copy.deepcopy(PROJECT_VARS)

    def var(name, default=None):
        if name in project_vars:
            return project_vars[name]
        if default is None:
            raise ValueError(f"Required var '{name}' not found")
        return default

    return var


def config(*args, **kwargs):
    return ""


def fail(message):
    raise ValueError(message)


def make_adder(amount):
    def add(value):
        return value + amount

    return add


class Adapter:
    """A host object whose methods templates call (`adapter.quote('x')`)."""

    def __init__(self, scope):
        self._scope = scope

    def quote(self, identifier):
        return f'"{identifier}"'

    def type(self):
        return "dvt"

    def dispatch(self, macro_name, macro_namespace=None):
        # dbt-style search: the adapter-specific implementation first, then
        # the default one, in the named namespace or among global macros.
        where = self._scope.get(macro_namespace) if macro_namespace else self._scope
        for prefix in ("dvt__", "default__"):
            candidate = where.get(prefix + macro_name) if where is not None else None
            if candidate is not None:
                return candidate
        raise LookupError(f"No macro named '{macro_name}' to dispatch to")


HOST_NAMES = ("echo", "return", "ref", "source", "var", "config", "fail", "make_adder", "adapter")


def host_value(name, scope):
    simple = {
        "echo": echo,
        "return": _return,
        "ref": ref,
        "source": source,
        "config": config,
        "fail": fail,
        "make_adder": make_adder,
    }
    if name in simple:
        return simple[name]
    if name == "var":
        return make_var()
    if name == "adapter":
        return Adapter(scope)
    raise KeyError(f"unknown host value {name!r}")


def build_scope(env, case):
    """The render context: the case's values, the host values it names, and
    macros from its files made callable as globals or inside namespaces.

    Every bound macro sees this same scope as its globals (not its caller's
    locals), as dbt does; it is one live dict so that macros defined in any
    file can call macros from any other."""
    scope = dict(env.globals)
    # A copy: templates mutate context lists and dicts, and the case itself
    # is written out afterwards.
    scope.update(copy.deepcopy(case.get("context", {})))
    for name in case.get("host", []):
        scope[name] = host_value(name, scope)
    namespaces = {ns: {} for ns in case.get("namespaces", {})}
    scope.update(namespaces)
    bound = []
    for filename in case.get("macros", []):
        bound.append((scope, filename))
    for ns, filename in case.get("namespaces", {}).items():
        bound.append((namespaces[ns], filename))
    for target, filename in bound:
        # Run the file's top level in a context whose globals are the live
        # scope. Its macros are read from the context rather than from a
        # module, because a module hides names starting with `_` and dbt's
        # namespaces do not (`dbt_utils._is_relation`).
        template = env.get_template(filename)
        context = template.new_context(scope, shared=True)
        for _ in template.root_render_func(context):
            pass
        for name in sorted(context.vars):
            value = context.vars[name]
            if isinstance(value, jinja2.runtime.Macro):
                target[name] = value
    return scope
