import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { MEMORY } from './config.js';

interface Entry {
  instance: Promise<DuckDBInstance>;
  users: number;
  /** ATTACH is instance-wide: remember what is attached so each connection does not repeat it. */
  attached: Set<string>;
}

/**
 * DuckDB lets one process write a database file, so every connection of this
 * process to the same file (or to ':memory:') shares one instance, opened on
 * first use and closed when its last connection closes (releasing the file lock).
 */
const entries = new Map<string, Entry>();

export interface InstanceLease {
  instance: DuckDBInstance;
  attached: Set<string>;
  release(): void;
}

export async function acquireInstance(dbPath: string): Promise<InstanceLease> {
  let entry = entries.get(dbPath);
  if (!entry) {
    if (dbPath !== MEMORY) mkdirSync(path.dirname(dbPath), { recursive: true });
    const created: Entry = { instance: DuckDBInstance.create(dbPath), users: 0, attached: new Set() };
    entries.set(dbPath, created);
    created.instance.catch(() => entries.delete(dbPath));
    entry = created;
  }
  entry.users++;
  const current = entry;
  let instance: DuckDBInstance;
  try {
    instance = await current.instance;
  } catch (e) {
    current.users--;
    throw e;
  }
  let released = false;
  return {
    instance,
    attached: current.attached,
    release() {
      if (released) return;
      released = true;
      if (--current.users === 0 && entries.get(dbPath) === current) {
        entries.delete(dbPath);
        instance.closeSync();
      }
    },
  };
}
