import type { Environment, Template } from '@dvt/jinja';
import { DvtError } from '../errors.js';
import type { MacroDefinition } from '../project/types.js';
import type { IndexedMacro } from './macro-index.js';
import type { JinjaFile } from './sources.js';

/** One macro (or `{% test %}` / `{% materialization %}` block) and the parsed file it lives in. */
export interface MacroEntry {
  name: string;
  packageName: string;
  /** Parsed on first use when the file's macros came from an index. */
  readonly template: Template;
  definition: MacroDefinition;
}

/** The package builtins live in, as in dbt: `dbt.generate_schema_name()`. */
export const BUILTIN_PACKAGE = 'dbt';

/**
 * Every macro the compiler knows, by package. Lookup follows dbt: a bare name
 * from package P is P's own macro, else the root project's, else another
 * installed package's, else a builtin. Internal packages (the builtins and
 * each adapter's `macrosDir`) answer together as the `dbt` namespace.
 */
export class MacroRegistry {
  private readonly packages = new Map<string, Map<string, MacroEntry>>();
  private readonly internal = new Set<string>();
  /** Namespace (a package such as dbt_utils) -> the adapter shim packages implementing its dispatched macros. */
  private readonly shims = new Map<string, string[]>();

  constructor(
    private readonly env: Environment,
    readonly rootPackage: string,
  ) {}

  /**
   * Registers the macros of `files`; `internal` marks builtin and adapter
   * packages. A file `indexed` knows the macros of is parsed only when one of
   * them is first called; any other is parsed now.
   */
  addFiles(files: readonly JinjaFile[], internal = false, indexed?: (file: JinjaFile) => IndexedMacro[] | undefined): void {
    for (const file of files) {
      if (internal) this.internal.add(file.packageName);
      const known = indexed?.(file);
      if (known) {
        let parsed: Template | undefined;
        const template = () => (parsed ??= parseOrThrow(this.env, file.contents, file.path));
        for (const macro of known) this.add(file, template, macro.name, macro.line, macro.args);
      } else {
        const parsed = parseOrThrow(this.env, file.contents, file.path);
        for (const info of parsed.macros.values()) this.add(file, () => parsed, info.name, info.line, info.args);
      }
    }
  }

  /**
   * An adapter's `<type>__` implementations of another package's dispatched
   * macros (dbt's shim packages, shipped with the adapter): dispatch in
   * `namespace` tries them after the package's own version for the same
   * adapter type and before its `default__`.
   */
  addShims(namespace: string, files: readonly JinjaFile[]): void {
    this.addFiles(files);
    const list = this.shims.get(namespace) ?? [];
    for (const file of files) if (!list.includes(file.packageName)) list.push(file.packageName);
    this.shims.set(namespace, list);
  }

  private add(file: JinjaFile, template: () => Template, name: string, line: number, args: readonly string[]): void {
    let byName = this.packages.get(file.packageName);
    if (!byName) {
      byName = new Map();
      this.packages.set(file.packageName, byName);
    }
    const existing = byName.get(name);
    if (existing) {
      throw new DvtError(
        'compile',
        `two macros named '${name}' in package '${file.packageName}': ${existing.definition.original_file_path}:${existing.definition.line} and ${file.path}:${line}`,
        { location: { file: file.path, line } },
      );
    }
    const uniquePackage = file.packageName;
    byName.set(name, {
      name,
      packageName: file.packageName,
      get template() {
        return template();
      },
      definition: {
        unique_id: `macro.${uniquePackage}.${name}`,
        name,
        package_name: file.packageName,
        original_file_path: file.path,
        root_path: file.rootPath,
        macro_sql: sliceMacroSource(file.contents, line),
        line,
        description: '',
        arguments: args.map((arg) => ({ name: arg, type: null, description: '' })),
      },
    });
  }

  /**
   * The macro `name` as seen from a node or macro of `fromPackage`, as dbt's
   * namespace: the package's own macros, the root project's, the builtins.
   * Other installed packages come last: dbt reaches them by bare name only
   * for their generic tests (`test_<name>`), so they never shadow a builtin.
   */
  resolve(name: string, fromPackage: string): MacroEntry | undefined {
    const found = this.resolveLocal(name, fromPackage) ?? this.inPackage(BUILTIN_PACKAGE, name);
    if (found) return found;
    for (const [pkg, byName] of this.packages) {
      if (pkg === this.rootPackage || this.internal.has(pkg)) continue;
      const entry = byName.get(name);
      if (entry) return entry;
    }
    return undefined;
  }

  /**
   * Only the package's own macro or the root project's: the macros that, in
   * dbt, replace context members of the same name (a project's `ref`).
   */
  resolveLocal(name: string, fromPackage: string): MacroEntry | undefined {
    // Builtins see the project's overrides first, so a project can replace
    // any builtin that other builtins call.
    if (this.isInternal(fromPackage)) fromPackage = this.rootPackage;
    return this.inPackage(fromPackage, name) ?? (fromPackage !== this.rootPackage ? this.packages.get(this.rootPackage)?.get(name) : undefined);
  }

  isInternal(packageName: string): boolean {
    return packageName === BUILTIN_PACKAGE || this.internal.has(packageName);
  }

  /** A macro of one package; `dbt` means every internal package. */
  inPackage(packageName: string, name: string): MacroEntry | undefined {
    if (packageName === BUILTIN_PACKAGE || this.internal.has(packageName)) {
      for (const pkg of this.internal) {
        const found = this.packages.get(pkg)?.get(name);
        if (found) return found;
      }
      return undefined;
    }
    return this.packages.get(packageName)?.get(name);
  }

  /** Whether `name` is a namespace a template can write `name.macro()` against. */
  isNamespace(name: string): boolean {
    return name === BUILTIN_PACKAGE || this.packages.has(name);
  }

  /** Names of every macro in a namespace (for `dbt_utils.<tab>`-style attribute access). */
  namesIn(packageName: string): string[] {
    if (packageName === BUILTIN_PACKAGE || this.internal.has(packageName)) {
      const names = new Set<string>();
      for (const pkg of this.internal) for (const name of this.packages.get(pkg)?.keys() ?? []) names.add(name);
      return [...names];
    }
    return [...(this.packages.get(packageName)?.keys() ?? [])];
  }

  /**
   * dbt's `adapter.dispatch(name, macro_namespace)`: for each package of the
   * search order, try `<type>__name` for the adapter and its parents, then
   * `default__name`.
   */
  dispatch(
    name: string,
    namespace: string | null,
    adapterChain: readonly string[],
    searchOrders: readonly { macro_namespace: string; search_order: string[] }[],
    fromPackage: string,
  ): MacroEntry {
    const prefixes = [...adapterChain, 'default'];
    const configured = namespace ? searchOrders.find((d) => d.macro_namespace === namespace)?.search_order : undefined;
    const packages: (string | null)[] = namespace ? (configured ?? [this.rootPackage, namespace]) : [null];
    const tried: string[] = [];
    for (const pkg of packages) {
      const shims = pkg !== null && pkg === namespace ? (this.shims.get(namespace) ?? []) : [];
      for (const prefix of prefixes) {
        // At each adapter type, the package's own version, then an adapter's shim for it.
        for (const where of prefix === 'default' ? [pkg] : [pkg, ...shims]) {
          const candidate = `${prefix}__${name}`;
          tried.push(where ? `${where}.${candidate}` : candidate);
          const found = where ? this.inPackage(where, candidate) : this.resolve(candidate, fromPackage);
          if (found) return found;
        }
      }
    }
    const where = namespace ? ` within namespace '${namespace}'` : '';
    throw new DvtError('compile', `adapter.dispatch: no macro named '${name}' found${where}; searched for: ${tried.map((t) => `'${t}'`).join(', ')}`);
  }

  definitions(): MacroDefinition[] {
    const out: MacroDefinition[] = [];
    for (const byName of this.packages.values()) for (const entry of byName.values()) out.push(entry.definition);
    return out;
  }
}

export function parseOrThrow(env: Environment, source: string, file: string): Template {
  try {
    return env.parse(source, file);
  } catch (error) {
    throw toDvtError(error, file);
  }
}

/** A macro's own text for the manifest: from its opening tag to its closing tag. */
function sliceMacroSource(contents: string, line: number): string {
  // Every macro of a file is sliced from it at start-up (the manifest lists them all): find the
  // line's offset without splitting the whole file once per macro.
  let start = 0;
  for (let at = 1; at < line; at++) {
    const newline = contents.indexOf('\n', start);
    if (newline === -1) return '';
    start = newline + 1;
  }
  const rest = contents.slice(start);
  const open = /\{%-?\s*(macro|test|materialization)\b/.exec(rest);
  if (!open) return rest;
  const close = CLOSE_TAGS[open[1] as keyof typeof CLOSE_TAGS].exec(rest.slice(open.index));
  return close ? rest.slice(open.index, open.index + close.index + close[0].length) : rest.slice(open.index);
}

const CLOSE_TAGS = {
  macro: /\{%-?\s*endmacro\s*-?%\}/,
  test: /\{%-?\s*endtest\s*-?%\}/,
  materialization: /\{%-?\s*endmaterialization\s*-?%\}/,
};

/** A template error as the user sees it: file:line, the engine's message, an excerpt. */
export function toDvtError(error: unknown, fallbackFile?: string): unknown {
  if (error instanceof DvtError) return error;
  if (error && typeof error === 'object' && 'rawMessage' in error && 'lineno' in error) {
    const jinja = error as { rawMessage: string; lineno?: number; filename?: string; macroName?: string; excerpt?: string; cause?: unknown };
    if (jinja.cause instanceof DvtError && !jinja.cause.location) {
      return new DvtError(jinja.cause.kind, jinja.cause.message, {
        location: { file: jinja.filename ?? fallbackFile ?? '<template>', line: jinja.lineno },
        excerpt: jinja.excerpt || undefined,
        cause: jinja.cause,
      });
    }
    if (jinja.cause instanceof DvtError) return jinja.cause;
    const inMacro = jinja.macroName ? ` (in macro '${jinja.macroName}')` : '';
    return new DvtError('compile', `${jinja.rawMessage}${inMacro}`, {
      location: { file: jinja.filename ?? fallbackFile ?? '<template>', line: jinja.lineno },
      excerpt: jinja.excerpt || undefined,
      cause: error,
    });
  }
  return error;
}
