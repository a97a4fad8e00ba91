import { adapterProblems, formatCanonicalType, type CanonicalType } from '@dvt/core';
import type { ConformanceSuite } from '../context.js';
import { TYPE_SAMPLES } from '../samples.js';

/** Identifiers a model or column may really be called. */
export const AWKWARD_IDENTIFIERS = ['MixedCase', 'has space', 'has"quote', "has'apostrophe", 'ünïcødé_名前', 'select', 'a.b'];

/** Literals that break naive quoting. */
export const AWKWARD_STRINGS = ['', "it's", "''", 'back\\slash', 'ends with \\', 'line\nbreak', 'tab\tand\r\nCRLF', '😀 中文', '$1 ? %s', '--not a comment', '/* nor this */'];

const ROUND_TRIP_TYPES: CanonicalType[] = [
  ...TYPE_SAMPLES.map((s) => s.type),
  { kind: 'decimal', precision: 10, scale: 2 },
  { kind: 'decimal', precision: 18, scale: 0 },
];

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

export const dialectSuite: ConformanceSuite = {
  id: 'dialect',
  title: 'dialect (no database)',
  needsConnection: false,
  define(defineCase, options) {
    defineCase('definition.valid', 'the definition passes the loader\'s shape check and describes its target', ({ adapter }) => {
      const problems = adapterProblems(adapter);
      assert(problems.length === 0, problems.join('; '));
      const target = adapter.describeTarget(options.config);
      assert(typeof target.database === 'string' && typeof target.schema === 'string' && target.schema !== '', `describeTarget gave ${JSON.stringify(target)}`);
    });

    defineCase('dialect.quote-identifier', 'quoting identifiers is stable and tells different names apart', ({ dialect }) => {
      const quoted = AWKWARD_IDENTIFIERS.map((id) => dialect.quoteIdentifier(id));
      assert(new Set(quoted).size === quoted.length, `two identifiers quote the same: ${quoted.join(' ')}`);
      for (const [i, id] of AWKWARD_IDENTIFIERS.entries()) {
        assert(dialect.quoteIdentifier(id) === quoted[i], `quoting ${JSON.stringify(id)} is not stable`);
        assert(quoted[i] !== id, `${JSON.stringify(id)} must be quoted`);
      }
    });

    defineCase('dialect.quote-literal', 'literals for null, booleans, numbers and awkward strings', ({ dialect }) => {
      assert(dialect.quoteLiteral(null).toUpperCase() === 'NULL', `null quotes as ${dialect.quoteLiteral(null)}`);
      const texts = AWKWARD_STRINGS.map((s) => dialect.quoteLiteral(s));
      assert(new Set(texts).size === texts.length, 'two different strings quote the same');
      for (const t of texts) assert(!/^\s*NULL\s*$/i.test(t), 'a string quotes as NULL');
      assert(dialect.quoteLiteral(12n).includes('12'), 'bigint literal');
      assert(dialect.quoteLiteral(-1.5).includes('1.5'), 'number literal');
    });

    defineCase('dialect.placeholder', 'bind placeholders', ({ dialect }) => {
      const p1 = dialect.placeholder(1);
      const p2 = dialect.placeholder(2);
      assert(p1.length > 0 && p2.length > 0, 'empty placeholder');
      assert(p1 === p2 ? p1 === '?' : true, `placeholders ${p1} and ${p2} are equal but not positional '?'`);
    });

    defineCase('dialect.identifier-length', 'declares a usable identifier length limit', ({ dialect }) => {
      const max = dialect.capabilities.maxIdentifierLength;
      assert(Number.isInteger(max) && max >= 30, `maxIdentifierLength ${max} must be an integer of at least 30`);
    });

    defineCase('dialect.load-csv', 'declares a loadable CSV spec', ({ dialect }) => {
      const csv = dialect.capabilities.loadCsv;
      assert(csv.delimiter.length === 1 && csv.delimiter !== '"', `loadCsv delimiter ${JSON.stringify(csv.delimiter)}`);
      assert(typeof csv.header === 'boolean' && typeof csv.forceQuoteText === 'boolean' && typeof csv.nullString === 'string', 'loadCsv fields');
    });

    defineCase('dialect.incremental-strategies', "declares incremental strategies in dbt's names", ({ dialect }) => {
      const known = new Set(['append', 'delete+insert', 'merge', 'insert_overwrite', 'microbatch', 'replace_where']);
      const strategies = dialect.capabilities.incrementalStrategies;
      assert(strategies.includes('append'), "every engine supports 'append'");
      for (const s of strategies) assert(known.has(s), `unknown incremental strategy '${s}'`);
      if (strategies.includes('merge')) assert(dialect.capabilities.merge, "'merge' strategy declared without the merge capability");
    });

    for (const type of ROUND_TRIP_TYPES) {
      const name = formatCanonicalType(type).replace(/[(),]/g, (c) => (c === ',' ? '-' : c === '(' ? '-' : ''));
      defineCase(`dialect.types.${name}`, `${formatCanonicalType(type)} maps to a native type and back`, ({ dialect }) => {
        const native = dialect.fromCanonicalType(type);
        const back = dialect.toCanonicalType(native);
        assert(back.kind === type.kind, `${formatCanonicalType(type)} -> ${native} -> ${formatCanonicalType(back)}`);
        if (type.kind === 'decimal' && back.kind === 'decimal') {
          assert(back.precision === type.precision && back.scale === type.scale, `${formatCanonicalType(type)} -> ${native} -> ${formatCanonicalType(back)}`);
        }
        const again = dialect.fromCanonicalType(back);
        assert(again === native, `not stable: ${native} -> ${formatCanonicalType(back)} -> ${again}`);
      });
    }
  },
};
