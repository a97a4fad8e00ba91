import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Compiler } from '../src/compile/index.js';
import type { ExecutableNode } from '../src/project/types.js';
import { compilerFor, fixtureDir, projectCopy, testAdapter } from './compile-support.js';

// A package's generic test as dbt_utils writes them (dispatched, config() at
// parse time), run against an ephemeral model: the shape of dbt_utils'
// equality tests in its integration project.
let compiler: Compiler;
let cleanup: () => void;

beforeAll(async () => {
  const copy = projectCopy('compile-package-tests');
  cleanup = copy.cleanup;
  compiler = await compilerFor(copy.dir, { writeCompiled: false });
  compiler.parseProject();
});
afterAll(() => cleanup());

function testOf(model: string): ExecutableNode {
  const found = [...compiler.project.nodes.values()].filter((n) => n.resource_type === 'test' && n.attached_node === `model.package_tests.${model}`);
  expect(found).toHaveLength(1);
  return found[0]!;
}

const expected = (name: string) => readFileSync(`${fixtureDir('compile-package-tests')}/expected/${name}`, 'utf8');

describe("a package test's config() calls", () => {
  it('win over dbt_project.yml', () => {
    const config = testOf('people').config;
    expect(config.fail_calc).toBe('sum(missing)');
    expect(config.warn_if).toBe('> 10');
    // Not set by the macro: the project's value stays.
    expect(config.severity).toBe('warn');
  });

  it("lose to the test entry's own config", () => {
    const config = testOf('people_table').config;
    expect(config.warn_if).toBe('> 0');
    expect(config.fail_calc).toBe('sum(missing)');
  });
});

describe('a test reading an ephemeral model through its arguments', () => {
  it('gets the ephemeral CTE when the model tested is ephemeral', () => {
    expect(compiler.compileNode(testOf('people')).compiled_code).toBe(expected('same_rows_people.sql'));
  });

  it('gets the ephemeral CTE when the model compared with is ephemeral', () => {
    expect(compiler.compileNode(testOf('people_table')).compiled_code).toBe(expected('same_rows_people_table.sql'));
  });
});

describe("an adapter's shims for a package's dispatched macros (<macrosDir>/shims/<package>/)", () => {
  it("answer after the package's own version for the adapter and before its default", async () => {
    const copy = projectCopy('compile-package-tests');
    try {
      const withShims = { ...testAdapter, macrosDir: [fixtureDir('compile-shim-macros'), testAdapter.macrosDir as string] };
      const shimmed = await compilerFor(copy.dir, { writeCompiled: false, adapters: { testdb: withShims } });
      shimmed.parseProject();
      const people = shimmed.node('model.package_tests.people_table');
      expect(shimmed.renderHook("{{ checks.row_count_sql(ref('people_table')) }}", people)).toBe('select count(*) as n from "warehouse"."analytics"."people_table" /* testdb shim */');
      expect(shimmed.renderHook('{{ checks.label_sql() }}', people)).toBe("'package'");
      // Without shims the package's default answers.
      expect(compiler.renderHook("{{ checks.row_count_sql(ref('people_table')) }}", people)).toBe('select count(*) from "warehouse"."analytics"."people_table"');
    } finally {
      copy.cleanup();
    }
  });
});
