// The oracle fixtures, as scripts/generate-oracle.py writes them.
import { readFileSync } from 'node:fs';

export interface OracleCase {
  id: string;
  template: string;
  context?: Record<string, unknown>;
  host?: string[];
  files?: Record<string, string>;
  macros?: string[];
  namespaces?: Record<string, string>;
  undefined?: 'strict' | 'chainable';
  native?: boolean;
}

export interface ExpectedError {
  kind: 'syntax' | 'undefined' | 'runtime';
  /** The Python exception class Jinja2 raised (informative; not compared). */
  type: string;
  line: number;
  /** Present when the error is inside an included/imported/bound file. */
  file?: string;
  message: string;
}

export type Expected = { output: string } | { native: string; type: string } | { error: ExpectedError };

function readJson<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(name, import.meta.url), 'utf8')) as T;
}

export const cases: OracleCase[] = readJson('./cases.json');
export const expected: Record<string, Expected> = readJson('./expected.json');
