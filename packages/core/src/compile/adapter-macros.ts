import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AdapterDefinition } from '../adapter/contract.js';

/** One directory of adapter macros and the internal package its macros are registered under. */
export interface AdapterMacroDir {
  dir: string;
  packageName: string;
}

/** An adapter's `macrosDir` as a list: its own directory first, then inherited ones. */
export function macroDirsOf(adapter: Pick<AdapterDefinition, 'macrosDir'>): readonly string[] {
  const { macrosDir } = adapter;
  if (macrosDir === undefined) return [];
  return typeof macrosDir === 'string' ? [macrosDir] : macrosDir;
}

/** The same directory reached by two spellings or through a symlink (pnpm links packages) counts once. */
function canonical(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return resolve(dir);
  }
}

/**
 * The macro directories of the adapters of a run, each once. Every adapter's
 * own (first) directory comes before any inherited one, so where two define
 * one macro name the adapter's own wins; a directory is named `dbt_<type>`
 * after the first adapter that lists it (MariaDB's is MySQL's: `dbt_mysql`
 * when both are in the run, `dbt_mariadb` when only MariaDB is).
 */
export function adapterMacroDirs(adapters: readonly Pick<AdapterDefinition, 'type' | 'macrosDir'>[]): AdapterMacroDir[] {
  const seen = new Set<string>();
  const out: AdapterMacroDir[] = [];
  const add = (dir: string, type: string) => {
    const key = canonical(dir);
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ dir, packageName: `dbt_${type}` });
  };
  for (const adapter of adapters) {
    const [own] = macroDirsOf(adapter);
    if (own !== undefined) add(own, adapter.type);
  }
  for (const adapter of adapters) {
    for (const inherited of macroDirsOf(adapter).slice(1)) add(inherited, adapter.type);
  }
  return out;
}

/** Where an adapter keeps its shims: `<macrosDir>/shims/<package namespace>/*.sql`. */
export const SHIMS_DIR = 'shims';

/**
 * The namespace a macro file of an adapter directory implements: `dbt_utils`
 * for `shims/dbt_utils/x.sql`; undefined for the adapter's own macros.
 */
export function shimNamespaceOf(path: string): string | undefined {
  const parts = path.split('/');
  return parts[0] === SHIMS_DIR && parts.length > 2 ? parts[1] : undefined;
}
