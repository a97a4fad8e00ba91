import { describe, expect, it } from 'vitest';
import { canonicalToDuckdb, duckdbDialect, duckdbToCanonical } from '../src/dialect.js';
import { copyToCsvSql, insertFromCsvSql } from '../src/copy-sql.js';

describe('DuckDB type names to canonical types', () => {
  it.each([
    ['BOOLEAN', { kind: 'boolean' }],
    ['TINYINT', { kind: 'smallint' }],
    ['UTINYINT', { kind: 'smallint' }],
    ['USMALLINT', { kind: 'integer' }],
    ['INTEGER', { kind: 'integer' }],
    ['UINTEGER', { kind: 'bigint' }],
    ['BIGINT', { kind: 'bigint' }],
    ['HUGEINT', { kind: 'bigint' }],
    ['UHUGEINT', { kind: 'bigint' }],
    ['DECIMAL(38,10)', { kind: 'decimal', precision: 38, scale: 10 }],
    ['NUMERIC', { kind: 'decimal', precision: 18, scale: 3 }],
    ['decimal(9)', { kind: 'decimal', precision: 9, scale: 0 }],
    ['FLOAT', { kind: 'real' }],
    ['DOUBLE', { kind: 'double' }],
    ['VARCHAR', { kind: 'text' }],
    ['VARCHAR(20)', { kind: 'text' }],
    ["ENUM('a', 'b')", { kind: 'text' }],
    ['DATE', { kind: 'date' }],
    ['TIME', { kind: 'time' }],
    ['TIME WITH TIME ZONE', { kind: 'unknown', native: 'TIME WITH TIME ZONE' }],
    ['TIMESTAMP', { kind: 'timestamp' }],
    ['TIMESTAMP_NS', { kind: 'timestamp' }],
    ['TIMESTAMP_S', { kind: 'timestamp' }],
    ['TIMESTAMP WITH TIME ZONE', { kind: 'timestamptz' }],
    ['TIMESTAMPTZ', { kind: 'timestamptz' }],
    ['INTERVAL', { kind: 'interval' }],
    ['UUID', { kind: 'uuid' }],
    ['JSON', { kind: 'json' }],
    ['BLOB', { kind: 'binary' }],
    ['INTEGER[]', { kind: 'unknown', native: 'INTEGER[]' }],
    ['VARCHAR[3]', { kind: 'unknown', native: 'VARCHAR[3]' }],
    ['STRUCT(a INTEGER, b VARCHAR)', { kind: 'unknown', native: 'STRUCT(a INTEGER, b VARCHAR)' }],
    ['MAP(VARCHAR, INTEGER)', { kind: 'unknown', native: 'MAP(VARCHAR, INTEGER)' }],
    ['UNION(a INTEGER)', { kind: 'unknown', native: 'UNION(a INTEGER)' }],
    ['BIT', { kind: 'unknown', native: 'BIT' }],
  ])('%s', (native, expected) => {
    expect(duckdbToCanonical(native)).toEqual(expected);
  });
});

describe('canonical types to DuckDB', () => {
  it('keeps decimals within DuckDB limits and widens an unconstrained one', () => {
    expect(canonicalToDuckdb({ kind: 'decimal', precision: 12, scale: 2 })).toBe('DECIMAL(12,2)');
    expect(canonicalToDuckdb({ kind: 'decimal', precision: 65, scale: 30 })).toBe('DECIMAL(38,30)');
    expect(canonicalToDuckdb({ kind: 'decimal' })).toBe('DECIMAL(38,10)');
    expect(canonicalToDuckdb({ kind: 'timestamptz' })).toBe('TIMESTAMP WITH TIME ZONE');
    expect(canonicalToDuckdb({ kind: 'unknown', native: 'tsvector' })).toBe('VARCHAR');
  });
});

describe('quoting', () => {
  it('doubles quotes and leaves backslashes alone', () => {
    expect(duckdbDialect.quoteIdentifier('a"b')).toBe('"a""b"');
    expect(duckdbDialect.quoteLiteral("it's \\n")).toBe("'it''s \\n'");
    expect(duckdbDialect.quoteLiteral(new Uint8Array([0, 255]))).toBe("'\\x00\\xFF'::BLOB");
    expect(duckdbDialect.quoteLiteral(Number.NaN)).toBe("'NaN'::DOUBLE");
    expect(duckdbDialect.renderRelation({ database: 'db', schema: 's', identifier: 't' })).toBe('"db"."s"."t"');
  });
});

describe('CSV SQL', () => {
  it('types read_csv columns from the source, keeps quoted empties, decodes hex binary', () => {
    const sql = insertFromCsvSql(
      { schema: 's', identifier: 't' },
      [
        { name: 'id', type: { kind: 'integer' } },
        { name: 'b', type: { kind: 'binary' } },
        { name: 'n', type: { kind: 'decimal', precision: 10, scale: 2 }, nativeType: 'DECIMAL(11,3)' },
      ],
      { delimiter: ';', header: false, nullString: 'NULL', forceQuoteText: true },
      "/tmp/o'k.csv",
    );
    expect(sql).toContain(`columns = {'id': 'INTEGER', 'b': 'VARCHAR', 'n': 'DECIMAL(11,3)'}`);
    expect(sql).toContain('allow_quoted_nulls = false');
    expect(sql).toContain('auto_detect = false');
    expect(sql).toContain("nullstr = 'NULL'");
    expect(sql).toContain("read_csv('/tmp/o''k.csv'");
    expect(sql).toContain(`from_hex(regexp_replace("b", '^\\\\x', ''))`);
  });

  it('force-quotes only text-like columns on extract', () => {
    const sql = copyToCsvSql(
      'select 1',
      [
        { name: 'n', nativeType: 'INTEGER', type: { kind: 'integer' } },
        { name: 's', nativeType: 'VARCHAR', type: { kind: 'text' } },
      ],
      { delimiter: ',', header: true, nullString: 'NULL', forceQuoteText: true },
      '/tmp/x.csv',
    );
    expect(sql).toContain('force_quote ("s")');
    expect(sql).not.toContain('"n")');
  });
});
