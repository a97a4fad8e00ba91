import { baseMetadata, isoUtc, writeJsonFile, type ArtifactMetadataOptions } from '../artifacts/common.js';
import type { FreshnessResult } from './run.js';

export const SOURCES_SCHEMA = 'https://schemas.getdbt.com/dbt/sources/v3.json';

/** sources.json (v3) content, as `dbt source freshness` writes it. */
export function buildSourcesJson(results: readonly FreshnessResult[], elapsedTime: number, options: ArtifactMetadataOptions): Record<string, unknown> {
  return {
    metadata: baseMetadata(SOURCES_SCHEMA, options),
    results: results.map((r) =>
      r.status === 'runtime error'
        ? { unique_id: r.unique_id, error: r.error, status: r.status }
        : {
            unique_id: r.unique_id,
            max_loaded_at: isoUtc(r.max_loaded_at),
            snapshotted_at: isoUtc(r.snapshotted_at),
            max_loaded_at_time_ago_in_s: r.max_loaded_at_time_ago_in_s,
            status: r.status,
            criteria: r.criteria,
            adapter_response: {},
            timing: r.timing,
            thread_id: r.thread_id,
            execution_time: r.execution_time,
          },
    ),
    elapsed_time: elapsedTime,
  };
}

/** Write `<dir>/sources.json`; returns its path. */
export function writeSourcesJson(dir: string, results: readonly FreshnessResult[], elapsedTime: number, options: ArtifactMetadataOptions): string {
  return writeJsonFile(dir, 'sources.json', buildSourcesJson(results, elapsedTime, options));
}
