import type { AdapterDefinition, ColumnSpec } from '../adapter/contract.js';
import type { CompleteConnection } from '../adapter/defaults/index.js';
import type { Relation } from '../compile/relation.js';
import { DvtError } from '../errors.js';

/**
 * PostgreSQL's unconstrained `numeric` holds any number of digits. DuckDB's
 * widest decimal holds 38, and the fixed DECIMAL(38,10) such a column used
 * to get rounded away everything past the 10th decimal (a PostgreSQL
 * division gives 16 to 20), silently. Moved into DuckDB, such a column now
 * travels as text and then takes the narrowest decimal that holds every
 * value it received; a value no DuckDB decimal holds fails the move, naming
 * the column.
 */

/** The widest DuckDB decimal, and the one that still fits 64 bits. */
const MAX_PRECISION = 38;
const SMALL_PRECISION = 18;
/** What an unconstrained decimal gets when no value tells its size (no rows, all NULL). */
const DEFAULT_TYPE = 'decimal(38,10)';

function isUnconstrainedDecimal(column: ColumnSpec): boolean {
  return column.nativeType === undefined && column.type.kind === 'decimal' && column.type.precision === undefined;
}

/** Whether a move of `columns` into `to` goes through text to size its decimals (see above). */
export function sizesDecimals(to: AdapterDefinition, columns: readonly ColumnSpec[]): boolean {
  return to.type === 'duckdb' && columns.some(isUnconstrainedDecimal);
}

/** The columns as the table that receives the rows has them: unconstrained decimals as text. */
export function decimalsAsText(columns: readonly ColumnSpec[]): ColumnSpec[] {
  return columns.map((c) => (isUnconstrainedDecimal(c) ? { name: c.name, type: { kind: 'text' } } : c));
}

/** The narrowest DuckDB decimal for digits before and after the point. */
export function decimalTypeFor(integerDigits: number, scale: number): string | undefined {
  const digits = integerDigits + scale;
  if (digits > MAX_PRECISION) return undefined;
  return `decimal(${digits <= SMALL_PRECISION ? SMALL_PRECISION : MAX_PRECISION},${scale})`;
}

/** A plain decimal as PostgreSQL writes numeric: no exponent, no sign but a leading minus. */
const PLAIN_DECIMAL = "'-?[0-9]+(\\.[0-9]+)?'";

/**
 * Gives each unconstrained decimal of `columns`, loaded as text into
 * `relation` (on DuckDB), the narrowest decimal type that holds its values.
 */
export async function sizeDecimals(connection: CompleteConnection, adapter: AdapterDefinition, relation: Relation, columns: readonly ColumnSpec[], origin: string): Promise<void> {
  for (const column of columns.filter(isUnconstrainedDecimal)) {
    const name = adapter.dialect.quoteIdentifier(column.name);
    const odd = `not regexp_full_match(v, ${PLAIN_DECIMAL})`;
    const [row] = (
      await connection.query(
        `select count(*) filter (where ${odd}), any_value(v) filter (where ${odd}), ` +
          `max(length(split_part(v, '.', 2))), max(length(ltrim(split_part(ltrim(v, '-'), '.', 1), '0'))) ` +
          `from (select ${name} as v from ${relation.render()} where ${name} is not null) as dvt_decimals`,
      )
    ).rows;
    const [oddCount, example, scale, integerDigits] = row ?? [];
    if (Number(oddCount ?? 0) > 0) {
      throw new DvtError('runtime', `federation: ${origin}: column ${column.name} holds ${String(example)}, which no DuckDB decimal holds; cast it in the source (e.g. to float8) or filter it out`);
    }
    let type = DEFAULT_TYPE;
    if (scale !== null && scale !== undefined) {
      const sized = decimalTypeFor(Number(integerDigits), Number(scale));
      if (!sized) {
        throw new DvtError(
          'runtime',
          `federation: ${origin}: column ${column.name} (an unconstrained numeric) has values needing ${Number(integerDigits)} digits before the point and ${Number(scale)} after, more than the 38 a DuckDB decimal holds; round or cast it in the source (round(x, n), x::numeric(38, s) or x::float8)`,
        );
      }
      type = sized;
    }
    await connection.query(`alter table ${relation.render()} alter column ${name} set data type ${type}`);
  }
}
