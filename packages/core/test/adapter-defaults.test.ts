import { describe, expect, it } from 'vitest';
import { nativeTypeFromInformationSchema } from '../src/adapter/defaults/catalog.js';

describe('nativeTypeFromInformationSchema', () => {
  it('glues lengths and decimal precision back onto the type name', () => {
    expect(nativeTypeFromInformationSchema('character varying', 20)).toBe('character varying(20)');
    expect(nativeTypeFromInformationSchema('numeric', undefined, 12, 2)).toBe('numeric(12,2)');
    expect(nativeTypeFromInformationSchema('decimal', undefined, 10)).toBe('decimal(10,0)');
    expect(nativeTypeFromInformationSchema('numeric')).toBe('numeric');
    expect(nativeTypeFromInformationSchema('text')).toBe('text');
    expect(nativeTypeFromInformationSchema('integer', undefined, 32, 0)).toBe('integer');
  });
});
