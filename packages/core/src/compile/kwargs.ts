import { isKwargs } from '@dvt/jinja';

/** Positional and keyword arguments of a host call, as the engine hands them over. */
export interface CallArgs {
  positional: unknown[];
  kwargs: Record<string, unknown>;
}

export function splitArgs(args: readonly unknown[]): CallArgs {
  const last = args[args.length - 1];
  if (args.length > 0 && isKwargs(last)) return { positional: args.slice(0, -1), kwargs: { ...last.values } };
  return { positional: [...args], kwargs: {} };
}

/** Python-style parameter binding: the i-th positional, else the keyword, else the default. */
export function arg<T = unknown>(call: CallArgs, index: number, name: string, fallback?: T): T {
  if (index < call.positional.length) return call.positional[index] as T;
  if (Object.prototype.hasOwnProperty.call(call.kwargs, name)) return call.kwargs[name] as T;
  return fallback as T;
}
