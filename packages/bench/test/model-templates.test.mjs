import { describe, expect, test } from 'vitest';
import { modelTemplate, modelTemplates } from '../src/fixtures/model-templates.mjs';

const count = (text, needle) => text.split(needle).length - 1;

describe('benchmark model templates', () => {
  test('are deterministic', () => {
    expect(modelTemplates(50, 3)).toEqual(modelTemplates(50, 3));
  });

  test('are distinct within a set and across sets', () => {
    const a = modelTemplates(2000, 0);
    const b = modelTemplates(2000, 1);
    expect(new Set(a).size).toBe(2000);
    expect(new Set([...a, ...b]).size).toBe(4000);
  });

  test('have the shape the brief asks for: ~25 lines, 2 ref, 1 config, a for, an if, 2 var', () => {
    let seed = 1;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (let n = 0; n < 20; n++) {
      const t = modelTemplate(n, rand);
      expect(t.split('\n').length).toBe(25);
      expect(count(t, 'ref(')).toBe(2);
      expect(count(t, 'config(')).toBe(1);
      expect(count(t, 'var(')).toBe(2);
      expect(count(t, '{%- for ')).toBe(1);
      expect(count(t, '{%- if ')).toBe(1);
    }
  });
});
