import { DvtError } from '../errors.js';
import { ADAPTER_API_VERSION, type AdapterDefinition } from './contract.js';

const DIALECT_FUNCTIONS = ['quoteIdentifier', 'quoteLiteral', 'placeholder', 'toCanonicalType', 'fromCanonicalType', 'renderRelation'] as const;
const CAPABILITY_FLAGS = ['transactions', 'transactionalDdl', 'merge', 'renameTable', 'createOrReplace', 'cte', 'windowFunctions'] as const;
const CONFIG_TYPES = new Set(['string', 'number', 'boolean', 'object', 'array']);

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}

/** Everything wrong with a would-be adapter, as short phrases (empty when it is fine). */
export function adapterProblems(value: unknown): string[] {
  if (!value || typeof value !== 'object') return [`the default export is ${describe(value)}, not an adapter definition object`];
  const a = value as Record<string, unknown>;
  if (a.apiVersion !== ADAPTER_API_VERSION) {
    return [`it declares apiVersion ${describe(a.apiVersion)}, but this dvt supports apiVersion ${ADAPTER_API_VERSION}`];
  }
  const problems: string[] = [];
  for (const key of ['type', 'displayName', 'color'] as const) {
    if (typeof a[key] !== 'string' || a[key] === '') problems.push(`\`${key}\` must be a non-empty string`);
  }
  if (typeof a.type === 'string' && !/^[a-z][a-z0-9_]*$/.test(a.type)) problems.push(`\`type\` ${JSON.stringify(a.type)} must be lower-case letters, digits and _`);
  if (a.aliases !== undefined && !(Array.isArray(a.aliases) && a.aliases.every((x) => typeof x === 'string'))) problems.push('`aliases` must be a list of strings');
  if (a.parentTypes !== undefined && !(Array.isArray(a.parentTypes) && a.parentTypes.every((x) => typeof x === 'string'))) problems.push('`parentTypes` must be a list of strings');
  if (a.macrosDir !== undefined && typeof a.macrosDir !== 'string' && !(Array.isArray(a.macrosDir) && a.macrosDir.every((x) => typeof x === 'string' && x !== ''))) {
    problems.push('`macrosDir` must be a path string or a list of them');
  }
  for (const key of ['connect', 'describeTarget'] as const) {
    if (typeof a[key] !== 'function') problems.push(`\`${key}\` must be a function`);
  }
  if (a.canSee !== undefined && typeof a.canSee !== 'function') problems.push('`canSee` must be a function');

  if (!Array.isArray(a.configSchema)) problems.push('`configSchema` must be a list of profile fields');
  else
    a.configSchema.forEach((p: unknown, i) => {
      const prop = p as Record<string, unknown> | null;
      if (!prop || typeof prop.name !== 'string' || !CONFIG_TYPES.has(prop.type as string)) {
        problems.push(`configSchema[${i}] needs a string \`name\` and a \`type\` of ${[...CONFIG_TYPES].join('|')}`);
      }
    });

  const dialect = a.dialect as Record<string, unknown> | undefined;
  if (!dialect || typeof dialect !== 'object') problems.push('`dialect` must be an object');
  else {
    for (const fn of DIALECT_FUNCTIONS) if (typeof dialect[fn] !== 'function') problems.push(`\`dialect.${fn}\` must be a function`);
    const caps = dialect.capabilities as Record<string, unknown> | undefined;
    if (!caps || typeof caps !== 'object') problems.push('`dialect.capabilities` must be an object');
    else {
      for (const flag of CAPABILITY_FLAGS) if (typeof caps[flag] !== 'boolean') problems.push(`\`dialect.capabilities.${flag}\` must be a boolean`);
      if (typeof caps.maxIdentifierLength !== 'number' || caps.maxIdentifierLength <= 0) problems.push('`dialect.capabilities.maxIdentifierLength` must be a positive number');
      if (!Array.isArray(caps.incrementalStrategies)) problems.push('`dialect.capabilities.incrementalStrategies` must be a list');
      if (!caps.loadCsv || typeof caps.loadCsv !== 'object') problems.push('`dialect.capabilities.loadCsv` must be a CSV spec');
    }
  }
  return problems;
}

/**
 * Checks a loaded adapter module by shape and `apiVersion` (never
 * `instanceof`: two installed copies of core must both accept it) and
 * returns its definition. Accepts the module namespace or its default export.
 */
export function validateAdapter(value: unknown, packageName: string): AdapterDefinition {
  const candidate = value && typeof value === 'object' && 'default' in value && !('apiVersion' in value) ? (value as { default: unknown }).default : value;
  const problems = adapterProblems(candidate);
  if (problems.length > 0) {
    throw new DvtError('adapter', `${packageName} is not a usable dvt adapter: ${problems.join('; ')}`);
  }
  return candidate as AdapterDefinition;
}
