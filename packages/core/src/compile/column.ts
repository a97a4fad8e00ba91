import { parseSqlType } from '../adapter/types.js';

const STRING_TYPES = ['text', 'character varying', 'varchar', 'character', 'char', 'string', 'nvarchar', 'nchar', 'bpchar'];
const INTEGER_TYPES = ['smallint', 'integer', 'int', 'bigint', 'tinyint', 'hugeint', 'int2', 'int4', 'int8', 'serial', 'bigserial', 'smallserial'];
const FLOAT_TYPES = ['real', 'float', 'float4', 'float8', 'double', 'double precision'];
const NUMERIC_TYPES = ['numeric', 'decimal', 'number'];

/**
 * A column as dbt's Jinja sees one (`api.Column`, what
 * `adapter.get_columns_in_relation` returns): name, type and the type
 * questions packages ask (`is_string()`, `is_number()`, `string_size()`).
 */
export class Column {
  readonly name: string;
  readonly dtype: string;
  readonly char_size: number | null;
  readonly numeric_precision: number | null;
  readonly numeric_scale: number | null;
  private readonly base: string;

  constructor(name: string, nativeType: string) {
    const parsed = parseSqlType(nativeType);
    this.name = name;
    this.base = parsed.base;
    this.dtype = nativeType;
    const [first, second] = parsed.args;
    this.char_size = STRING_TYPES.includes(parsed.base) && first !== undefined ? first : null;
    this.numeric_precision = NUMERIC_TYPES.includes(parsed.base) && first !== undefined ? first : null;
    this.numeric_scale = NUMERIC_TYPES.includes(parsed.base) && second !== undefined ? second : null;
  }

  get column(): string {
    return this.name;
  }

  get quoted(): string {
    return `"${this.name.replace(/"/g, '""')}"`;
  }

  get data_type(): string {
    return this.dtype;
  }

  is_string(): boolean {
    return STRING_TYPES.includes(this.base);
  }

  is_integer(): boolean {
    return INTEGER_TYPES.includes(this.base);
  }

  is_float(): boolean {
    return FLOAT_TYPES.includes(this.base);
  }

  is_numeric(): boolean {
    return NUMERIC_TYPES.includes(this.base);
  }

  is_number(): boolean {
    return this.is_integer() || this.is_float() || this.is_numeric();
  }

  /** dbt's default when a text column has no declared length. */
  string_size(): number {
    return this.char_size ?? 256;
  }

  /** Whether a string column of this size can widen to `other`'s. */
  can_expand_to(other: Column): boolean {
    return this.is_string() && other.is_string() && this.string_size() < other.string_size();
  }

  toString(): string {
    return `<Column ${this.name} (${this.dtype})>`;
  }
}
