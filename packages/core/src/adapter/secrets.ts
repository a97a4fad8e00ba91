import type { ConfigProperty } from './contract.js';

export const REDACTED = '****';

/** Keys treated as secret even when a schema forgets to mark them. */
const SECRET_KEY_RE = /(password|passwd|secret|token|private_?key|api_?key|credential)/i;

function secretNames(schema: ConfigProperty[]): Set<string> {
  const names = new Set<string>();
  for (const p of schema) {
    if (!p.secret) continue;
    names.add(p.name);
    for (const alias of p.aliases ?? []) names.add(alias);
  }
  return names;
}

/**
 * A copy of a profile output safe to print or write to an artifact: fields
 * the schema marks `secret` (or whose name says password/token/key) become
 * '****', at any depth.
 */
export function redactConfig(config: Record<string, unknown>, schema: ConfigProperty[]): Record<string, unknown> {
  const names = secretNames(schema);
  const redact = (value: unknown, key: string | undefined): unknown => {
    if (key !== undefined && (names.has(key) || SECRET_KEY_RE.test(key)) && value !== undefined && value !== null && value !== '') return REDACTED;
    if (Array.isArray(value)) return value.map((v) => redact(v, undefined));
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, redact(v, k)]));
    }
    return value;
  };
  return redact(config, undefined) as Record<string, unknown>;
}

/** The secret values of a config (fields marked secret or named like one), for `maskSecrets`. */
export function secretValues(config: Record<string, unknown>, schema: ConfigProperty[]): string[] {
  const names = secretNames(schema);
  const found: string[] = [];
  const walk = (value: unknown, key: string | undefined): void => {
    if (key !== undefined && (names.has(key) || SECRET_KEY_RE.test(key))) {
      if (typeof value === 'string' || typeof value === 'number') found.push(String(value));
      return;
    }
    if (Array.isArray(value)) value.forEach((v) => walk(v, undefined));
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, k);
  };
  walk(config, undefined);
  return found;
}

/**
 * Replaces every occurrence of each secret (and its URL-encoded form, as it
 * appears in a connection string a driver echoes) by '****'. Secrets shorter
 * than 3 characters are masked too: a leaked short password is still leaked.
 */
export function maskSecrets(text: string, secrets: Iterable<string>): string {
  const forms = new Set<string>();
  for (const s of secrets) {
    if (!s) continue;
    forms.add(s);
    forms.add(encodeURIComponent(s));
  }
  // Longest first so a secret containing another is masked whole.
  let out = text;
  for (const form of [...forms].sort((a, b) => b.length - a.length)) out = out.split(form).join(REDACTED);
  return out;
}

/** An Error whose message and stack no longer contain any of `secrets` (the cause chain is dropped). */
export function maskError(error: unknown, secrets: Iterable<string>): Error {
  const list = [...secrets];
  if (!(error instanceof Error)) return new Error(maskSecrets(String(error), list));
  const masked = new Error(maskSecrets(error.message, list));
  masked.name = error.name;
  if (error.stack) masked.stack = maskSecrets(error.stack, list);
  for (const key of ['code', 'errno', 'sqlState', 'severity'] as const) {
    const v = (error as unknown as Record<string, unknown>)[key];
    if (v !== undefined) (masked as unknown as Record<string, unknown>)[key] = v;
  }
  return masked;
}
