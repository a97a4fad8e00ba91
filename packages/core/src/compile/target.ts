import type { ProfileOutput } from '../project/types.js';
import type { RenderState } from './context.js';

export function targetDescription(state: RenderState): { database: string; schema: string } {
  return state.services.adapter(state.output.type).describeTarget(state.output.config);
}

const targetCache = new WeakMap<ProfileOutput, Record<string, unknown>>();

/** `target` for an output; computed once per output, since every render reads it. */
export function targetDict(state: RenderState): Record<string, unknown> {
  const cached = targetCache.get(state.output);
  if (cached) return cached;
  const value = buildTargetDict(state);
  targetCache.set(state.output, value);
  return value;
}

function buildTargetDict(state: RenderState): Record<string, unknown> {
  const { output, services } = state;
  const definition = services.adapter(output.type);
  const secret = new Set<string>();
  for (const prop of definition.configSchema) {
    if (!prop.secret) continue;
    secret.add(prop.name);
    for (const alias of prop.aliases ?? []) secret.add(alias);
  }
  const visible: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(output.config)) {
    if (secret.has(key) || /(password|passwd|secret|token|private_?key|api_?key|credential)/i.test(key)) continue;
    visible[key] = value;
  }
  const where = targetDescription(state);
  return {
    ...visible,
    name: output.name,
    target_name: output.name,
    type: output.type,
    threads: output.threads,
    profile_name: services.project.profile.name,
    database: where.database,
    schema: where.schema,
  };
}
