import { afterEach, describe, expect, it } from 'vitest';
import type { AdapterDefinition } from '../src/adapter/contract.js';
import { loadDuckdb, projectCopy, runDvt, type TestProject } from './run-support.js';

// The compile-package-tests fixture run on DuckDB: the package test's own
// fail_calc (sum of the rows' `missing`) decides, not count(*) of its rows.
const duckdb = await loadDuckdb();
const profile = (dir: string) => `package_tests:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: ${dir}/warehouse.duckdb\n      schema: main\n`;

let project: TestProject | undefined;
afterEach(() => project?.cleanup());

function testStatus(outcome: Awaited<ReturnType<typeof runDvt>>, model: string): { status: string; failures: number | null } {
  const result = outcome.results.find((r) => r.unique_id.startsWith(`test.package_tests.checks_same_rows_${model}_`));
  expect(result).toBeDefined();
  return { status: result!.status, failures: result!.failures };
}

describe.skipIf(typeof duckdb === 'string')("a package test's config() on DuckDB", () => {
  const adapter = duckdb as AdapterDefinition;

  it('two rows of zero differences pass: the fail_calc sums them', async () => {
    project = projectCopy('compile-package-tests');
    project.write({ 'profiles.yml': profile(project.dir) });
    const outcome = await runDvt(adapter, project, 'build');
    expect(testStatus(outcome, 'people')).toEqual({ status: 'pass', failures: 0 });
    expect(testStatus(outcome, 'people_table')).toEqual({ status: 'pass', failures: 0 });
  });

  it("differences are judged by the macro's warn_if unless the entry sets its own", async () => {
    project = projectCopy('compile-package-tests');
    project.write({ 'profiles.yml': profile(project.dir), 'models/people_table.sql': "{{ config(materialized='table') }}\nselect 2 as id, 'bob' as name" });
    const outcome = await runDvt(adapter, project, 'build');
    // One row missing each way: 2, under the macro's '> 10'; over the entry's '> 0' (severity warn from the project).
    expect(testStatus(outcome, 'people')).toEqual({ status: 'pass', failures: 2 });
    expect(testStatus(outcome, 'people_table')).toEqual({ status: 'warn', failures: 2 });
  });
});
