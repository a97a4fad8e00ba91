import { Environment, isKwargs, toJS } from '@dvt/jinja';
import { DvtError, isDvtError } from '../errors.js';
import type { YamlFile } from './yaml.js';
import { isRecord } from './yaml.js';

/**
 * Renders Jinja inside YAML values the way dbt does: only strings holding
 * `{{` or `{%` are rendered, natively (`'{{ env_var("PORT") }}'` becomes the
 * number 5432, a rendered list stays a list).
 */

export const SECRET_ENV_PREFIX = 'DBT_ENV_SECRET_';

export interface YamlRenderContext {
  env: Record<string, string | undefined>;
  /** Looks a var up; `undefined` = not defined anywhere. */
  lookupVar(name: string): unknown;
  /** profiles.yml may read `DBT_ENV_SECRET_*` variables; other files may not. */
  allowSecrets: boolean;
  /** Receives every secret value read, so callers can mask it. */
  onSecret?(value: string): void;
  /** Extra names visible to the template (e.g. `target` in schema YAML). */
  globals?: Record<string, unknown>;
}

const environment = new Environment();

export function hasJinja(text: string): boolean {
  return text.includes('{{') || text.includes('{%');
}

function kwargOf(args: unknown[], position: number, name: string): unknown {
  const last = args[args.length - 1];
  const positional = isKwargs(last) ? args.slice(0, -1) : args;
  if (positional.length > position) return positional[position];
  return isKwargs(last) ? last.get(name) : undefined;
}

function hostFunctions(ctx: YamlRenderContext): Record<string, unknown> {
  return {
    env_var: (...args: unknown[]) => {
      const name = String(kwargOf(args, 0, 'var'));
      const fallback = kwargOf(args, 1, 'default');
      if (name.startsWith(SECRET_ENV_PREFIX) && !ctx.allowSecrets) {
        throw new DvtError('config', `Secret env vars are allowed only in profiles.yml and packages.yml; found '${name}'`);
      }
      const value = ctx.env[name];
      if (value !== undefined) {
        if (name.startsWith(SECRET_ENV_PREFIX)) ctx.onSecret?.(value);
        return value;
      }
      if (fallback !== undefined) return fallback === null ? null : String(fallback);
      throw new DvtError('config', `Env var required but not provided: '${name}'`);
    },
    var: (...args: unknown[]) => {
      const name = String(kwargOf(args, 0, 'var_name'));
      const value = ctx.lookupVar(name);
      if (value !== undefined) return value;
      const fallback = kwargOf(args, 1, 'default');
      if (args.length > 1) return fallback ?? null;
      throw new DvtError('config', `Required var '${name}' not found in config: vars can be supplied with --vars or in dbt_project.yml`);
    },
  };
}

/** Render one string value found at `line` of `file`. */
export function renderYamlString(text: string, ctx: YamlRenderContext, file: string, line: number | undefined): unknown {
  if (!hasJinja(text)) return text;
  try {
    const template = environment.parse(text, file);
    return toJS(template.renderNative({ ...ctx.globals, ...hostFunctions(ctx) }));
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause;
    const inner = isDvtError(error) ? error : isDvtError(cause) ? cause : undefined;
    const templateLine = (error as { lineno?: number }).lineno ?? 1;
    const location = { file, line: line === undefined ? undefined : line + templateLine - 1 };
    if (inner) throw new DvtError(inner.kind, inner.message, { location });
    const message = (error as { rawMessage?: string }).rawMessage ?? (error as Error).message;
    throw new DvtError('config', `could not render ${JSON.stringify(text)}: ${message}`, { location, cause: error });
  }
}

/**
 * Render every string under `value` in place, except where `skip(path)` says
 * dbt leaves the text for later (hooks, descriptions, test arguments ...).
 * Rendering in place keeps object identity, so `source.lineOf` still answers
 * for the rendered tree.
 */
export function renderYamlTree(source: YamlFile, value: unknown, ctx: YamlRenderContext, skip: (path: readonly string[]) => boolean, path: string[] = []): void {
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      if (typeof item === 'string') value[index] = renderYamlString(item, ctx, source.file, source.lineOf(value, index));
      else renderYamlTree(source, item, ctx, skip, path);
    });
  } else if (isRecord(value)) {
    for (const [key, item] of Object.entries(value)) {
      const childPath = [...path, key];
      if (skip(childPath)) continue;
      if (typeof item === 'string') value[key] = renderYamlString(item, ctx, source.file, source.lineOf(value, key));
      else renderYamlTree(source, item, ctx, skip, childPath);
    }
  }
}
