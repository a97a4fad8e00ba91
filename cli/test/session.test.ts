import { describe, expect, it } from 'vitest';
import { inFileTargets } from '../src/session.js';

describe('inFileTargets', () => {
  it('finds literal target= arguments of config() calls', () => {
    expect(inFileTargets("{{ config(materialized='table', target='warehouse') }}\nselect 1")).toEqual(['warehouse']);
    expect(inFileTargets('{{\n  config(\n    target = "pg",\n  )\n}}')).toEqual(['pg']);
  });

  it('ignores target outside config() and non-literal values', () => {
    expect(inFileTargets("{% set target_name = 'x' %}{{ target.name }}{{ config(target=var('t')) }}")).toEqual([]);
  });
});
