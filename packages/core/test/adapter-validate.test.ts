import { describe, expect, it } from 'vitest';
import { ADAPTER_API_VERSION, DEFAULT_CSV } from '../src/adapter/contract.js';
import { validateAdapter } from '../src/adapter/validate.js';
import { DvtError } from '../src/errors.js';

function adapter(overrides: Record<string, unknown> = {}) {
  return {
    apiVersion: ADAPTER_API_VERSION,
    type: 'fake',
    displayName: 'Fake',
    color: '#123456',
    configSchema: [{ name: 'host', type: 'string' }],
    dialect: {
      quoteIdentifier: (s: string) => `"${s}"`,
      quoteLiteral: () => "''",
      placeholder: (i: number) => `$${i}`,
      toCanonicalType: () => ({ kind: 'text' }),
      fromCanonicalType: () => 'text',
      renderRelation: () => 'x',
      capabilities: {
        transactions: true,
        transactionalDdl: true,
        merge: false,
        renameTable: true,
        createOrReplace: true,
        cte: true,
        windowFunctions: true,
        maxIdentifierLength: 63,
        bulkLoad: 'insert',
        extract: 'stream',
        incrementalStrategies: ['append'],
        loadCsv: DEFAULT_CSV,
      },
    },
    describeTarget: () => ({ database: 'd', schema: 's' }),
    connect: async () => {
      throw new Error('not used');
    },
    ...overrides,
  };
}

describe('validateAdapter', () => {
  it('accepts a well-formed definition, from the module namespace or the default export', () => {
    const def = adapter();
    expect(validateAdapter(def, 'pkg')).toBe(def);
    expect(validateAdapter({ default: def }, 'pkg')).toBe(def);
  });

  it('names the package and the apiVersion mismatch', () => {
    expect(() => validateAdapter(adapter({ apiVersion: 2 }), 'dvt-adapter-fake')).toThrow(
      /dvt-adapter-fake is not a usable dvt adapter: it declares apiVersion number 2, but this dvt supports apiVersion 1/,
    );
  });

  it('lists every missing member', () => {
    try {
      validateAdapter(adapter({ connect: undefined, color: '', dialect: { ...adapter().dialect, placeholder: 1 } }), '@x/adapter');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DvtError);
      expect((e as DvtError).kind).toBe('adapter');
      expect((e as Error).message).toContain('`color` must be a non-empty string');
      expect((e as Error).message).toContain('`connect` must be a function');
      expect((e as Error).message).toContain('`dialect.placeholder` must be a function');
    }
  });

  it('rejects what is not an object', () => {
    expect(() => validateAdapter(undefined, 'p')).toThrow(/default export is undefined/);
  });
});
