import { DvtError } from '../errors.js';
import { hasJinja, renderYamlString } from './render.js';
import type { PackageInfo, ProjectConfig } from './types.js';
import { parseYaml, isRecord } from './yaml.js';

/**
 * `--vars` takes a YAML (or JSON, which is YAML) mapping:
 * `--vars '{start_date: 2024-01-01, limit: 10}'`.
 */
export function parseCliVars(text: string | undefined): Record<string, unknown> {
  if (text === undefined || text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = parseYaml(text, '--vars').value;
  } catch (error) {
    throw new DvtError('usage', `--vars is not valid YAML or JSON: ${(error as Error).message}`);
  }
  if (!isRecord(parsed)) {
    throw new DvtError('usage', `--vars must be a YAML or JSON mapping such as '{"key": "value"}', got ${JSON.stringify(text)}`);
  }
  return parsed;
}

/**
 * Var lookup for one package, as dbt resolves it: --vars first, then the
 * root project's vars scoped to the package (`vars: {pkg: {...}}`), then its
 * global vars, then the package's own dbt_project.yml vars.
 */
export function varLookup(
  cliVars: Record<string, unknown>,
  rootVars: Record<string, unknown>,
  packageName: string,
  packageNames: ReadonlySet<string>,
  packageOwnVars: Record<string, unknown> = {},
): (name: string) => unknown {
  const scoped = isRecord(rootVars[packageName]) ? (rootVars[packageName] as Record<string, unknown>) : {};
  const globals: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(rootVars)) {
    if (!(packageNames.has(key) && isRecord(value))) globals[key] = value;
  }
  const own = isRecord(packageOwnVars[packageName]) ? (packageOwnVars[packageName] as Record<string, unknown>) : {};
  const ownGlobals: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(packageOwnVars)) {
    if (!(packageNames.has(key) && isRecord(value))) ownGlobals[key] = value;
  }
  const layers = [cliVars, scoped, globals, own, ownGlobals];
  return (name) => {
    for (const layer of layers) if (Object.prototype.hasOwnProperty.call(layer, name)) return layer[name];
    return undefined;
  };
}

export interface VarResolverOptions {
  cliVars: Record<string, unknown>;
  rootProject: ProjectConfig;
  packages: readonly PackageInfo[];
  env: Record<string, string | undefined>;
  /** What a var's Jinja may use besides var() and env_var() (`target`, `project_name`). */
  globals: Record<string, unknown>;
}

/**
 * `(package, name) -> value` for the whole project. dbt renders a var's value
 * when it is read, so `vars: {env: "{{ env_var('ENV') }}"}` works; rendered
 * values are cached, and a var that needs itself is an error.
 */
export function projectVarResolver({ cliVars, rootProject, packages, env, globals }: VarResolverOptions): (packageName: string, name: string) => unknown {
  const packageNames = new Set(packages.map((p) => p.name));
  const ownVars = new Map(packages.map((p) => [p.name, p.config.vars]));
  const lookups = new Map<string, (name: string) => unknown>();
  const raw = (packageName: string, name: string): unknown => {
    let lookup = lookups.get(packageName);
    if (!lookup) {
      const own = packageName === rootProject.name ? {} : ownVars.get(packageName);
      lookup = varLookup(cliVars, rootProject.vars, packageName, packageNames, own);
      lookups.set(packageName, lookup);
    }
    return lookup(name);
  };
  const rendered = new Map<string, unknown>();
  const resolving = new Set<string>();
  const resolve = (packageName: string, name: string): unknown => {
    const key = `${packageName}\u0000${name}`;
    if (rendered.has(key)) return rendered.get(key);
    const value = raw(packageName, name);
    if (typeof value !== 'string' || !hasJinja(value)) return value;
    if (resolving.has(key)) throw new DvtError('config', `var '${name}' refers to itself`, { location: { file: 'dbt_project.yml' } });
    resolving.add(key);
    try {
      const result = renderYamlString(value, { env, allowSecrets: false, lookupVar: (inner) => resolve(packageName, inner), globals }, 'dbt_project.yml', undefined);
      rendered.set(key, result);
      return result;
    } finally {
      resolving.delete(key);
    }
  };
  return resolve;
}
