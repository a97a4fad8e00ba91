import { DvtError } from '../errors.js';
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
