import { describe, expect, it } from 'vitest';
import { renderString } from '../src/index.js';

describe('set with a conditional expression', () => {
  it('accepts `a if c else b` on the right of =, as Jinja2 does', () => {
    expect(renderString("{% set x = 'yes' if flag else 'no' %}{{ x }}", { flag: true })).toBe('yes');
    expect(renderString("{% set x = 'yes' if flag else 'no' %}{{ x }}", { flag: false })).toBe('no');
  });
});
