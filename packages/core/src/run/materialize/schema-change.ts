import type { ColumnMeta } from '../../adapter/contract.js';

export type OnSchemaChange = 'ignore' | 'append_new_columns' | 'sync_all_columns' | 'fail';

export interface ColumnChange {
  name: string;
  /** The type the new rows have (added or changed columns). */
  data_type: string;
}

export interface SchemaDiff {
  /** In the new rows, not in the target. */
  added: ColumnChange[];
  /** In the target, not in the new rows. */
  removed: ColumnChange[];
  /** In both, with another type. */
  changed: (ColumnChange & { from: string })[];
}

/** Columns compare by name without case (engines fold it) and by their native type text. */
export function diffColumns(target: readonly ColumnMeta[], incoming: readonly ColumnMeta[]): SchemaDiff {
  const key = (c: ColumnMeta) => c.name.toLowerCase();
  const targetByName = new Map(target.map((c) => [key(c), c]));
  const incomingByName = new Map(incoming.map((c) => [key(c), c]));
  const added = incoming.filter((c) => !targetByName.has(key(c))).map((c) => ({ name: c.name, data_type: c.nativeType }));
  const removed = target.filter((c) => !incomingByName.has(key(c))).map((c) => ({ name: c.name, data_type: c.nativeType }));
  const changed: SchemaDiff['changed'] = [];
  for (const c of incoming) {
    const old = targetByName.get(key(c));
    if (old && normaliseType(old.nativeType) !== normaliseType(c.nativeType)) {
      changed.push({ name: old.name, data_type: c.nativeType, from: old.nativeType });
    }
  }
  return { added, removed, changed };
}

function normaliseType(t: string): string {
  return t.replace(/\s+/g, ' ').trim().toLowerCase();
}

export function hasChanges(diff: SchemaDiff): boolean {
  return diff.added.length + diff.removed.length + diff.changed.length > 0;
}

export function describeDiff(diff: SchemaDiff): string {
  const parts: string[] = [];
  if (diff.added.length) parts.push(`new columns: ${diff.added.map((c) => `${c.name} ${c.data_type}`).join(', ')}`);
  if (diff.removed.length) parts.push(`removed columns: ${diff.removed.map((c) => c.name).join(', ')}`);
  if (diff.changed.length) parts.push(`changed types: ${diff.changed.map((c) => `${c.name} ${c.from} -> ${c.data_type}`).join(', ')}`);
  return parts.join('; ');
}

export function parseOnSchemaChange(value: unknown): OnSchemaChange {
  if (value === undefined || value === null || value === '') return 'ignore';
  if (value === 'ignore' || value === 'append_new_columns' || value === 'sync_all_columns' || value === 'fail') return value;
  throw new Error(`on_schema_change must be one of ignore, append_new_columns, sync_all_columns, fail; got '${String(value)}'`);
}
