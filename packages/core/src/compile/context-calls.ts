import { callJinja, toJS } from '@dvt/jinja';
import type { JinjaCallable } from '@dvt/jinja';
import { DvtError } from '../errors.js';
import type { RefCall } from '../project/types.js';
import type { RenderState } from './context.js';
import { arg, splitArgs } from './kwargs.js';
import { Relation } from './relation.js';
import { targetDescription } from './target.js';

// The callables of dbt's context that read or record what a node uses:
// ref, source, config, var, env_var, statement, exceptions.

const SECRET_ENV_PREFIX = 'DBT_ENV_SECRET_';

export function makeRef(state: RenderState): JinjaCallable {
  return (...args: unknown[]) => {
    const call = splitArgs(args);
    const version = call.kwargs.version ?? call.kwargs.v ?? null;
    const [first, second] = call.positional;
    if (typeof first !== 'string' || (second !== undefined && typeof second !== 'string') || call.positional.length > 2) {
      throw new DvtError('compile', `ref() takes a model name, or a package and a model name, as strings`);
    }
    const ref: RefCall = second === undefined ? { name: first } : { package: first, name: second };
    if (version !== null && version !== undefined) ref.version = version as string | number;
    if (!state.execute) {
      state.record.refs.push(ref);
      // dbt hands back the calling model's own relation while parsing.
      return state.thisRelation() ?? placeholderRelation(state, ref.name);
    }
    const target = state.services.findRef(ref, state.node);
    if (!target) {
      throw new DvtError('compile', `${state.describeNode()} depends on a node named '${ref.package ? `${ref.package}.` : ''}${ref.name}' which was not found`);
    }
    if (target.config.materialized === 'ephemeral' && target.resource_type === 'model') {
      // A unit test may give an ephemeral model's rows itself (format sql); otherwise it is inlined as usual.
      const given = state.runtime.unitTest ? state.federatedRelation(target.unique_id) : undefined;
      if (given) return given;
      if (!state.record.ephemerals.includes(target.unique_id)) state.record.ephemerals.push(target.unique_id);
      return Relation.ephemeral(state.dialect, state.adapterType, target.name);
    }
    const own = state.federatedRelation(target.unique_id) ?? state.services.deferredRelation?.(target) ?? state.services.relationOf(target);
    return emptyWhenAsked(state, own);
  };
}

export function makeSource(state: RenderState): JinjaCallable {
  return (...args: unknown[]) => {
    const call = splitArgs(args);
    const sourceName = arg(call, 0, 'source_name');
    const tableName = arg(call, 1, 'table_name');
    if (typeof sourceName !== 'string' || typeof tableName !== 'string') {
      throw new DvtError('compile', `source() takes a source name and a table name, as strings`);
    }
    if (!state.execute) {
      state.record.sources.push([sourceName, tableName]);
      return state.thisRelation() ?? placeholderRelation(state, tableName);
    }
    const source = state.services.findSource(sourceName, tableName);
    if (!source) {
      throw new DvtError('compile', `${state.describeNode()} depends on a source named '${sourceName}.${tableName}' which was not found`);
    }
    return emptyWhenAsked(state, state.federatedRelation(source.unique_id) ?? state.services.sourceRelation(source, state.adapterType));
  };
}

/**
 * `--empty` (flags.EMPTY): every input a node reads is a zero-row subquery
 * with its columns, so the node's SQL and its result's schema are checked
 * without moving rows. Seeds read no inputs; `this` is never limited.
 */
function emptyWhenAsked(state: RenderState, relation: Relation): Relation {
  // A unit test's inputs are its given rows, never emptied.
  return state.services.flags.EMPTY === true && state.node !== undefined && !state.runtime.unitTest ? relation.limited(0) : relation;
}

function placeholderRelation(state: RenderState, name: string): Relation {
  const target = targetDescription(state);
  return new Relation(state.dialect, state.adapterType, { database: target.database, schema: target.schema, identifier: name });
}

/** `config(...)` records; `config.get` / `config.require` read the node's config. */
export function makeConfig(state: RenderState): JinjaCallable {
  const config = ((...args: unknown[]) => {
    const call = splitArgs(args);
    const values: Record<string, unknown> = {};
    for (const positional of call.positional) {
      if (positional && typeof positional === 'object') Object.assign(values, toJS(positional) as Record<string, unknown>);
    }
    Object.assign(values, toJS(call.kwargs) as Record<string, unknown>);
    state.record.configs.push(values);
    return '';
  }) as JinjaCallable & Record<string, unknown>;
  config.get = (...args: unknown[]) => {
    const call = splitArgs(args);
    const key = String(arg(call, 0, 'name'));
    const fallback = arg(call, 1, 'default', null);
    const value = state.configValue(key);
    return value === undefined || value === null ? fallback : value;
  };
  config.require = (...args: unknown[]) => {
    const key = String(arg(splitArgs(args), 0, 'name'));
    const value = state.configValue(key);
    if (value === undefined || value === null) {
      if (!state.execute) return '';
      throw new DvtError('compile', `${state.describeNode()}: required config '${key}' was not set`);
    }
    return value;
  };
  config.set = (...args: unknown[]) => {
    const call = splitArgs(args);
    state.record.configs.push({ [String(arg(call, 0, 'name'))]: toJS(arg(call, 1, 'value')) });
    return '';
  };
  config.meta_get = (...args: unknown[]) => {
    const call = splitArgs(args);
    const meta = (state.configValue('meta') ?? {}) as Record<string, unknown>;
    const key = String(arg(call, 0, 'name'));
    return Object.prototype.hasOwnProperty.call(meta, key) ? meta[key] : arg(call, 1, 'default', null);
  };
  return config;
}

export function makeVar(state: RenderState): JinjaCallable {
  return (...args: unknown[]) => {
    const call = splitArgs(args);
    const name = String(arg(call, 0, 'name'));
    const hasDefault = call.positional.length > 1 || 'default' in call.kwargs;
    const overridden = state.runtime.unitTest?.vars;
    if (overridden && Object.prototype.hasOwnProperty.call(overridden, name)) return overridden[name];
    const value = state.services.lookupVar(name, state.packageName);
    if (value !== undefined) return value;
    if (hasDefault) return arg(call, 1, 'default');
    if (!state.execute) return null;
    throw new DvtError('compile', `required var '${name}' not found in config (used by ${state.describeNode()}); set it in dbt_project.yml \`vars:\` or with --vars`);
  };
}

export function makeEnvVar(state: RenderState): JinjaCallable {
  return (...args: unknown[]) => {
    const call = splitArgs(args);
    const name = String(arg(call, 0, 'var'));
    if (name.startsWith(SECRET_ENV_PREFIX)) {
      throw new DvtError('compile', `env_var('${name}'): secret environment variables (${SECRET_ENV_PREFIX}*) may only be used in profiles.yml and packages.yml`);
    }
    const overridden = state.runtime.unitTest?.envVars;
    if (overridden && Object.prototype.hasOwnProperty.call(overridden, name)) return String(overridden[name]);
    const value = state.services.env[name];
    if (value !== undefined) return value;
    if (call.positional.length > 1 || 'default' in call.kwargs) return arg(call, 1, 'default');
    throw new DvtError('compile', `env var required but not provided: '${name}'`);
  };
}

/** `{% call statement('name', fetch_result=True) %}`: the body renders; running it needs a connection (issue 5). */
/**
 * `{% call statement('name', fetch_result=True) %}...{% endcall %}`: runs the
 * body when executing (through the database bridge) and keeps the result for
 * `load_result('name')`. At parse time the body neither renders nor runs.
 */
export function makeStatement(state: RenderState): JinjaCallable {
  return (...args: unknown[]) => {
    const call = splitArgs(args);
    if (!state.execute) return '';
    const name = arg<string | null>(call, 0, 'name', null);
    const fetch = Boolean(arg(call, 1, 'fetch_result', false));
    const caller = call.kwargs.caller;
    const sql = caller ? String(callJinja(caller, [])) : '';
    state.runStatement(name === null ? null : String(name), sql, fetch);
    return '';
  };
}

export function exceptionsNamespace(state: RenderState): Record<string, JinjaCallable> {
  return {
    raise_compiler_error: (message: unknown) => {
      throw new DvtError('compile', String(message));
    },
    raise_not_implemented: (message: unknown) => {
      throw new DvtError('compile', `not implemented: ${String(message)}`);
    },
    warn: (message: unknown) => {
      state.services.logger.warn(String(message));
      return '';
    },
    missing_relation: (relation: unknown) => {
      throw new DvtError('compile', `relation ${String(relation)} not found`);
    },
    relation_wrong_type: (relation: unknown, expected: unknown) => {
      throw new DvtError('compile', `relation ${String(relation)} is not a ${String(expected)}`);
    },
  };
}
