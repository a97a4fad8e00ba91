import { describe, expect, it } from 'vitest';
import { DvtError } from '@dvt/core';
import {
  bindParameters,
  canonicalToMysql,
  checkFeatures,
  decoderFor,
  normalizeMysqlTime,
  describeMysqlTarget,
  findFeatures,
  loadDataSql,
  mysqlConnectionOptions,
  mysqlDialect,
  mysqlToCanonical,
  mysqlTypedLiteral,
  parameterLiteral,
  parseServerVersion,
  placeholderOffsets,
  quoteMysqlIdentifier,
  quoteMysqlLiteral,
  renderMysqlRelation,
  sameMysqlServer,
  serverCapabilities,
} from '../src/index.js';

describe('type map', () => {
  it.each([
    ['tinyint(1)', { kind: 'boolean' }],
    ['bool', { kind: 'boolean' }],
    ['tinyint(4)', { kind: 'smallint' }],
    ['tinyint(1) unsigned', { kind: 'smallint' }],
    ['smallint unsigned', { kind: 'integer' }],
    ['mediumint', { kind: 'integer' }],
    ['int(11)', { kind: 'integer' }],
    ['int unsigned', { kind: 'bigint' }],
    ['bigint(20)', { kind: 'bigint' }],
    ['bigint(20) unsigned zerofill', { kind: 'decimal', precision: 20, scale: 0 }],
    ['decimal(65,30)', { kind: 'decimal', precision: 65, scale: 30 }],
    ['decimal', { kind: 'decimal', precision: 10, scale: 0 }],
    ['float', { kind: 'real' }],
    ['float(30)', { kind: 'double' }],
    ['double', { kind: 'double' }],
    ['real', { kind: 'double' }],
    ['varchar(20)', { kind: 'text', length: 20 }],
    ['char(36)', { kind: 'text', length: 36 }],
    ['mediumtext', { kind: 'text' }],
    ["enum('a','b,c')", { kind: 'text' }],
    ["set('x','y')", { kind: 'text' }],
    ['date', { kind: 'date' }],
    ['time(6)', { kind: 'time' }],
    ['datetime(6)', { kind: 'timestamp' }],
    ['timestamp(3)', { kind: 'timestamptz' }],
    ['year', { kind: 'smallint' }],
    ['json', { kind: 'json' }],
    ['varbinary(16)', { kind: 'binary' }],
    ['longblob', { kind: 'binary' }],
    ['bit(1)', { kind: 'boolean' }],
    ['uuid', { kind: 'uuid' }],
  ])('%s reads as %j', (native, canonical) => {
    expect(mysqlToCanonical(native)).toEqual(canonical);
  });

  it('keeps what it does not know as unknown with its own spelling', () => {
    expect(mysqlToCanonical('geometry')).toEqual({ kind: 'unknown', native: 'geometry' });
    expect(mysqlToCanonical('bit(8)')).toEqual({ kind: 'unknown', native: 'bit(8)' });
  });

  it('declares the widest exact types and UTC timestamps', () => {
    expect(canonicalToMysql({ kind: 'boolean' }, 'mysql')).toBe('tinyint(1)');
    expect(canonicalToMysql({ kind: 'decimal' }, 'mysql')).toBe('decimal(65,30)');
    expect(canonicalToMysql({ kind: 'text' }, 'mysql')).toBe('longtext');
    expect(canonicalToMysql({ kind: 'text', length: 300 }, 'mysql')).toBe('varchar(300)');
    expect(canonicalToMysql({ kind: 'text', length: 100000 }, 'mysql')).toBe('longtext');
    expect(canonicalToMysql({ kind: 'timestamp' }, 'mysql')).toBe('datetime(6)');
    expect(canonicalToMysql({ kind: 'timestamptz' }, 'mysql')).toBe('timestamp(6) null');
    expect(mysqlToCanonical('timestamp(6) null')).toEqual({ kind: 'timestamptz' });
    expect(canonicalToMysql({ kind: 'time' }, 'mysql')).toBe('time(6)');
    expect(canonicalToMysql({ kind: 'uuid' }, 'mysql')).toBe('char(36)');
    expect(canonicalToMysql({ kind: 'uuid' }, 'mariadb')).toBe('uuid');
    expect(canonicalToMysql({ kind: 'binary' }, 'mysql5')).toBe('longblob');
  });

  it('refuses a decimal wider than DECIMAL(65,30) with advice', () => {
    expect(() => canonicalToMysql({ kind: 'decimal', precision: 100, scale: 2 }, 'mysql')).toThrow(/at most 65 digits.*column_types/);
    expect(() => canonicalToMysql({ kind: 'decimal', precision: 40, scale: 31 }, 'mysql')).toThrow(DvtError);
  });
});

describe('quoting', () => {
  it('quotes identifiers with backticks, doubling them', () => {
    expect(quoteMysqlIdentifier('a`b')).toBe('`a``b`');
    expect(() => quoteMysqlIdentifier('a\0b')).toThrow(/NUL/);
  });

  it('escapes strings for a server without NO_BACKSLASH_ESCAPES', () => {
    expect(quoteMysqlLiteral("it's")).toBe("'it\\'s'");
    expect(quoteMysqlLiteral('back\\slash')).toBe("'back\\\\slash'");
    expect(quoteMysqlLiteral('a\0b\nc\rd\x1ae')).toBe("'a\\0b\\nc\\rd\\Ze'");
  });

  it('writes numbers, booleans, bigints, bytes and NULL', () => {
    expect(quoteMysqlLiteral(null)).toBe('NULL');
    expect(quoteMysqlLiteral(true)).toBe('TRUE');
    expect(quoteMysqlLiteral(-9223372036854775808n)).toBe('-9223372036854775808');
    expect(quoteMysqlLiteral(42)).toBe('42');
    expect(quoteMysqlLiteral(0.5)).toBe('0.5e0');
    expect(quoteMysqlLiteral(-1.5e300)).toBe('-1.5e+300');
    expect(quoteMysqlLiteral(new Uint8Array([0, 255]))).toBe("X'00ff'");
    expect(quoteMysqlLiteral(new Uint8Array([]))).toBe("''");
    expect(() => quoteMysqlLiteral(Number.NaN)).toThrow(/NaN/);
  });

  it('writes a timestamptz constant as its UTC wall-clock time (the session zone is UTC), other kinds as plain literals', () => {
    expect(mysqlTypedLiteral('2024-03-01 10:00:00.25+00', { kind: 'timestamptz' })).toBe("'2024-03-01 10:00:00.25'");
    expect(mysqlTypedLiteral('2024-03-01T10:00:00Z', { kind: 'timestamptz' })).toBe("'2024-03-01 10:00:00'");
    expect(mysqlTypedLiteral('2024-03-01 10:00:00.25', { kind: 'timestamp' })).toBe("'2024-03-01 10:00:00.25'");
    expect(mysqlTypedLiteral('2024-03-01', { kind: 'date' })).toBe("'2024-03-01'");
    expect(mysqlTypedLiteral(7, { kind: 'integer' })).toBe('7');
    // Another offset is not the contract's form: refused rather than read in the wrong zone.
    expect(() => mysqlTypedLiteral('2024-03-01 10:00:00+05:30', { kind: 'timestamptz' })).toThrow(DvtError);
    expect(mysqlDialect('mariadb').typedLiteral).toBe(mysqlTypedLiteral);
  });

  it('renders relations as schema.identifier: a MySQL database is a schema', () => {
    expect(renderMysqlRelation({ database: 'analytics', schema: 'staging', identifier: 'orders' })).toBe('`staging`.`orders`');
    expect(renderMysqlRelation({ schema: '', identifier: 'orders' })).toBe('`orders`');
    expect(mysqlDialect('mysql').omitsDatabase).toBe(true);
  });
});

describe('lexer', () => {
  it('finds placeholders outside strings, identifiers and comments', () => {
    const sql = "select ?, '?', \"?\", `?`, 'it\\'s ?' -- ?\n# ?\n/* ? */ , ?";
    expect(placeholderOffsets(sql)).toEqual([7, sql.length - 1]);
  });

  it('binds parameters as literals and counts them', () => {
    expect(bindParameters("select ? as a, '?' as b, ?", ["o'k", 3n])).toBe("select 'o\\'k' as a, '?' as b, 3");
    expect(() => bindParameters('select ?', [1, 2])).toThrow(/1 placeholder\(s\) but 2/);
  });

  it('binds a timestamp with an offset as its UTC time (servers read no offsets)', () => {
    expect(parameterLiteral('2024-01-01 01:30:00.25+05:30')).toBe("'2023-12-31 20:00:00.25'");
    expect(parameterLiteral('2024-01-01 00:00:00+00')).toBe("'2024-01-01 00:00:00'");
    expect(parameterLiteral('2024-01-01 00:00:00')).toBe("'2024-01-01 00:00:00'");
  });

  it('tells CTEs and window functions from look-alikes', () => {
    const kinds = (sql: string) => findFeatures(sql).map((f) => f.feature);
    expect(kinds('with a as (select 1) select * from a')).toEqual(['cte']);
    expect(kinds('WITH RECURSIVE t (n) AS (select 1) select * from t')).toEqual(['cte']);
    expect(kinds('select a, sum(b) from t group by a with rollup')).toEqual([]);
    expect(kinds('create view v as select 1 with check option')).toEqual([]);
    expect(kinds("select 'with a as (select 1)' -- with b as (\n")).toEqual([]);
    expect(kinds('select row_number() over (order by a) from t')).toEqual(['window-function']);
    expect(kinds('select sum(a) over w from t window w as (order by a)')).toEqual(['window-function', 'window-function']);
    expect(kinds('select `over` from t')).toEqual([]);
  });

  it('refuses a CTE on MySQL 5 with the line where it is used', () => {
    const sql = 'select 1;\n\nwith a as (select 1) select * from a';
    expect(() => checkFeatures(sql, { flavor: 'mysql5', cte: false, windowFunctions: false })).toThrow(
      /MySQL 5\.x has no common table expressions \(WITH \.\.\. AS\): used at line 3, column 1/,
    );
    expect(() => checkFeatures('select rank() over (order by x) from t', { flavor: 'mysql5', cte: false, windowFunctions: false })).toThrow(/no window functions/);
    expect(() => checkFeatures(sql, { flavor: 'mysql', cte: true, windowFunctions: true })).not.toThrow();
  });
});

describe('server versions', () => {
  it('parses MySQL and MariaDB versions, old replication prefix included', () => {
    expect(parseServerVersion('8.0.36')).toEqual({ mariadb: false, major: 8, minor: 0, patch: 36 });
    expect(parseServerVersion('5.5.5-10.11.6-MariaDB')).toEqual({ mariadb: true, major: 10, minor: 11, patch: 6 });
  });

  it('grants CTEs and window functions from MySQL 8 and MariaDB 10.2, never to mysql5', () => {
    expect(serverCapabilities('mysql', '5.7.44-log')).toEqual({ cte: false, windowFunctions: false });
    expect(serverCapabilities('mysql', '8.0.36')).toEqual({ cte: true, windowFunctions: true });
    expect(serverCapabilities('mariadb', '10.1.48-MariaDB')).toEqual({ cte: false, windowFunctions: false });
    expect(serverCapabilities('mysql5', '10.11.19-MariaDB')).toEqual({ cte: false, windowFunctions: false });
  });
});

describe('profile', () => {
  it('accepts both spellings of each key; target.database is the schema', () => {
    const options = mysqlConnectionOptions({ host: 'db', user: 'me', database: 'wh', port: 3307 }, '/tmp');
    expect(options).toMatchObject({ host: 'db', user: 'me', database: 'wh', port: 3307, dateStrings: true, supportBigNumbers: true, bigNumberStrings: true });
    expect(describeMysqlTarget({ server: 'db', username: 'me', schema: 'wh' })).toEqual({ database: 'wh', schema: 'wh' });
  });

  it('refuses a database that differs from the schema, and missing keys', () => {
    expect(() => describeMysqlTarget({ server: 'db', username: 'me', schema: 'a', database: 'b' })).toThrow(/must equal `schema`/);
    expect(() => mysqlConnectionOptions({ username: 'me', schema: 'a' }, '/tmp')).toThrow(/`server` \(or `host`\) is required/);
  });

  it('reads TLS files relative to the project and says which one is missing', () => {
    expect(() => mysqlConnectionOptions({ server: 'db', username: 'me', schema: 'a', ssl_ca: 'nope.pem' }, '/tmp')).toThrow(/cannot read ssl_ca file \/tmp\/nope\.pem/);
    expect(mysqlConnectionOptions({ server: 'db', username: 'me', schema: 'a', ssl_ca: 'x', ssl_disabled: true }, '/tmp').ssl).toBeUndefined();
  });

  it('sees every schema of the same server', () => {
    const own = { server: 'localhost', username: 'a', schema: 'x' };
    expect(sameMysqlServer(own, { type: 'mariadb', config: { host: '127.0.0.1', port: 3306, schema: 'y' } }, ['mysql', 'mariadb'])).toBe(true);
    expect(sameMysqlServer(own, { type: 'mysql', config: { server: '127.0.0.1', port: 3307 } }, ['mysql'])).toBe(false);
    expect(sameMysqlServer(own, { type: 'postgres', config: { host: '127.0.0.1' } }, ['mysql'])).toBe(false);
  });
});

describe('LOAD DATA statement', () => {
  it('names every column, reads backslashes as data and decodes binary hex', () => {
    const sql = loadDataSql({ schema: 's', identifier: 't' }, [
      { name: 'id', type: { kind: 'bigint' } },
      { name: 'blob', type: { kind: 'binary' } },
    ]);
    expect(sql).toBe(
      "LOAD DATA LOCAL INFILE 'dvt-load-stream' INTO TABLE `s`.`t` CHARACTER SET utf8mb4 FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '\"' ESCAPED BY '' LINES TERMINATED BY '\\n' (`id`, @dvt_c1) SET `blob` = UNHEX(@dvt_c1)",
    );
  });
});

describe('value decoders', () => {
  it('trims fractions of datetimes and marks TIMESTAMP values as UTC', () => {
    const ts = decoderFor({ kind: 'timestamp' }, 'datetime(6)');
    expect(ts('2024-01-01 10:00:00.500000')).toBe('2024-01-01 10:00:00.5');
    expect(ts('2024-01-01 10:00:00.000000')).toBe('2024-01-01 10:00:00');
    expect(ts('2024-01-01 10:00:00')).toBe('2024-01-01 10:00:00');
    expect(ts('0000-00-00 00:00:00')).toBe('0000-00-00 00:00:00');
    expect(decoderFor({ kind: 'timestamptz' }, 'timestamp(6)')('2038-01-19 03:14:07.999990')).toBe('2038-01-19 03:14:07.99999+00');
  });

  it('keeps DECIMAL text exact and reads BIGINT text as bigint', () => {
    expect(decoderFor({ kind: 'decimal', precision: 20, scale: 0 }, 'bigint unsigned')('18446744073709551615')).toBe('18446744073709551615');
    expect(decoderFor({ kind: 'decimal', precision: 12, scale: 4 }, 'decimal(12,4)')('-0.5000')).toBe('-0.5000');
    expect(decoderFor({ kind: 'bigint' }, 'bigint')('-9223372036854775808')).toBe(-9223372036854775808n);
    expect(normalizeMysqlTime('-838:59:59.000000')).toBe('-838:59:59');
    expect(normalizeMysqlTime('12:00:00.250000')).toBe('12:00:00.25');
  });
});
