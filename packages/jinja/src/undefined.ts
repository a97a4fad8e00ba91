// Jinja2's Undefined, in its three flavours: 'default' prints as '' and is falsy but fails on
// attribute access, calls and arithmetic; 'strict' fails on any use; 'chainable' also lets
// attribute and item access through.
import { UndefinedError } from './errors.js';
import { PY_REPR, PY_STR, isNone, pyTypeName } from './values.js';

export type UndefinedMode = 'default' | 'strict' | 'chainable';

export class Undefined {
  constructor(
    readonly mode: UndefinedMode,
    readonly name: string | null,
    /** The object the name was looked up on; `MISSING` for a plain undefined variable. */
    readonly obj: unknown = MISSING,
    readonly hint: string | null = null,
    readonly errorClass: typeof UndefinedError = UndefinedError,
  ) {}

  message(): string {
    if (this.hint !== null) return this.hint;
    if (this.obj === MISSING) return `'${this.name}' is undefined`;
    return `${objectTypeRepr(this.obj)} has no attribute '${this.name}'`;
  }

  fail(): never {
    throw new this.errorClass(this.message());
  }

  [PY_STR](): string {
    return this.str();
  }
  [PY_REPR](): string {
    return 'Undefined';
  }
  str(): string {
    if (this.mode === 'strict') this.fail();
    return '';
  }
  truthy(): boolean {
    if (this.mode === 'strict') this.fail();
    return false;
  }
  iter(): unknown[] {
    if (this.mode === 'strict') this.fail();
    return [];
  }
  len(): number {
    if (this.mode === 'strict') this.fail();
    return 0;
  }
  equals(other: unknown): boolean {
    if (this.mode === 'strict') this.fail();
    return other instanceof Undefined;
  }
  contains(): boolean {
    if (this.mode === 'strict') this.fail();
    return false;
  }
  /** Attribute or item access on this undefined. */
  access(): Undefined {
    if (this.mode === 'chainable') return this;
    this.fail();
  }
}

export const MISSING: unique symbol = Symbol('missing');

function objectTypeRepr(obj: unknown): string {
  if (isNone(obj)) return "'None'";
  return `'${pyTypeName(obj)} object'`;
}
