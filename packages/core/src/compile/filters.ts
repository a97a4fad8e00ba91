import { isMapping, pyStr } from '@dvt/jinja';
import { Relation } from './relation.js';

/** dbt's extra filters. Our renders are textual, so these mostly normalise the value's type. */
export const extraFilters: Record<string, (value: unknown, ...args: unknown[]) => unknown> = {
  as_text: (value) => pyStr(value),
  as_bool: (value) => {
    if (typeof value !== 'string') return value;
    const text = value.trim();
    if (text === 'True' || text === 'true') return true;
    if (text === 'False' || text === 'false') return false;
    return value;
  },
  as_number: (value) => {
    if (typeof value !== 'string' || value.trim() === '') return value;
    const n = Number(value);
    return Number.isNaN(n) ? value : n;
  },
  as_native: (value) => {
    if (typeof value !== 'string') return value;
    try {
      return JSON.parse(value.replace(/\bTrue\b/g, 'true').replace(/\bFalse\b/g, 'false').replace(/\bNone\b/g, 'null').replace(/'/g, '"'));
    } catch {
      return value;
    }
  },
};

/**
 * `is mapping` also holds for relations: dbt's relations are mappings, and
 * dbt_utils recognises them by `obj is mapping and obj.get('metadata')...`.
 * (Marking Relation as a mapping for the engine would print it as a dict.)
 */
export const extraTests: Record<string, (value: unknown) => boolean> = {
  mapping: (value) => value instanceof Relation || isMapping(value),
};
