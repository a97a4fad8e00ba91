import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The dbt version artifacts claim compatibility with (their `dbt_version`). */
export const DBT_COMPAT_VERSION = '1.10.0';

export interface ArtifactMetadataOptions {
  invocationId: string;
  generatedAt?: Date;
  invocationStartedAt?: Date;
  /** `DBT_ENV_CUSTOM_ENV_*` values, keys without the prefix, as dbt records them. */
  env?: Record<string, string>;
}

export function baseMetadata(schemaVersion: string, options: ArtifactMetadataOptions): Record<string, unknown> {
  return {
    dbt_schema_version: schemaVersion,
    dbt_version: DBT_COMPAT_VERSION,
    generated_at: isoUtc(options.generatedAt ?? new Date()),
    invocation_id: options.invocationId,
    invocation_started_at: options.invocationStartedAt ? isoUtc(options.invocationStartedAt) : null,
    env: options.env ?? {},
  };
}

/** `2024-05-01T12:00:00.123456Z`, dbt's timestamp spelling. */
export function isoUtc(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** `DBT_ENV_CUSTOM_ENV_X=1` -> `{X: '1'}` (dbt copies these into artifacts). */
export function customEnv(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (key.startsWith('DBT_ENV_CUSTOM_ENV_') && value !== undefined) out[key.slice('DBT_ENV_CUSTOM_ENV_'.length)] = value;
  }
  return out;
}

/** Write JSON atomically: readers never see half a file. */
export function writeJsonFile(dir: string, name: string, value: unknown): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(value, jsonReplacer));
  renameSync(temporary, path);
  return path;
}

function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? (Number.isSafeInteger(Number(value)) ? Number(value) : value.toString()) : value;
}
