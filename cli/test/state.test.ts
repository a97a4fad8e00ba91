import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dvt, tempDir } from './helpers.js';

function project(): string {
  const dir = tempDir('dvt-state-');
  write(dir, {
    'dbt_project.yml': 'name: st\nversion: "1.0"\nconfig-version: 2\nprofile: st\nmodels:\n  st:\n    +materialized: table\n',
    'profiles.yml': `st:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: ${join(dir, 'wh.duckdb')}\n      schema: dev\n    prod:\n      type: duckdb\n      path: ${join(dir, 'wh.duckdb')}\n      schema: prod\n`,
    'models/upstream.sql': 'select 42 as answer',
    'models/downstream.sql': "select answer from {{ ref('upstream') }}",
    'models/other.sql': 'select 1 as one',
  });
  return dir;
}

function write(dir: string, files: Record<string, string>) {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

const lines = (out: string) => out.split('\n').filter((l) => l.trim() !== '').sort();

describe('--state and --defer', () => {
  it('selects what changed since a production manifest and builds it in dev, deferring its unbuilt parents', () => {
    const dir = project();
    expect(dvt(['run', '--target', 'prod'], { cwd: dir }).code).toBe(0);
    cpSync(join(dir, 'target'), join(dir, 'prod-state'), { recursive: true });

    write(dir, { 'models/downstream.sql': "select answer, answer * 2 as doubled from {{ ref('upstream') }}", 'models/fresh.sql': 'select 2 as two' });
    const modified = dvt(['ls', '-q', '-s', 'state:modified', '--state', 'prod-state', '--resource-type', 'model'], { cwd: dir });
    expect(modified.code).toBe(0);
    expect(lines(modified.stdout)).toEqual(['st.downstream', 'st.fresh']);
    expect(lines(dvt(['ls', '-q', '-s', 'state:new', '--state', 'prod-state'], { cwd: dir }).stdout)).toEqual(['st.fresh']);
    expect(lines(dvt(['ls', '-q', '-s', 'state:modified.body', '--state', 'prod-state', '--exclude', 'state:new'], { cwd: dir }).stdout)).toEqual(['st.downstream']);

    const run = dvt(['run', '-s', 'state:modified', '--defer', '--state', 'prod-state'], { cwd: dir });
    expect(run.output).toMatch(/Done\. PASS=2 WARN=0 ERROR=0 SKIP=0 TOTAL=2/);
    expect(run.code).toBe(0);
    const results = JSON.parse(readFileSync(join(dir, 'target/run_results.json'), 'utf8')) as { results: { unique_id: string; compiled_code: string }[] };
    expect(results.results.find((r) => r.unique_id === 'model.st.downstream')!.compiled_code).toMatch(/"prod"\."upstream"/);

    // Without --defer the dev schema has no upstream: the same selection fails.
    const plain = dvt(['run', '-s', 'downstream'], { cwd: dir });
    expect(plain.code).toBe(1);
    expect(plain.output).toMatch(/upstream/);
  });

  it('a unit test whose definition changed is state:modified', () => {
    const dir = project();
    const unitTests = (expected: number) =>
      `version: 2\nunit_tests:\n  - name: passes_answer\n    model: downstream\n    given:\n      - input: ref('upstream')\n        rows: [{answer: 1}]\n    expect:\n      rows: [{answer: ${expected}}]\n`;
    write(dir, { 'models/unit_tests.yml': unitTests(1) });
    expect(dvt(['parse'], { cwd: dir }).code).toBe(0);
    cpSync(join(dir, 'target'), join(dir, 'prod-state'), { recursive: true });
    const modified = () => lines(dvt(['ls', '-q', '-s', 'state:modified', '--state', 'prod-state', '--resource-type', 'unit_test'], { cwd: dir }).stdout);
    expect(modified()).toEqual([]);
    write(dir, { 'models/unit_tests.yml': unitTests(2) });
    expect(modified()).toEqual(['unit_test:st.downstream.passes_answer']);
  });

  it("result:<status> picks nodes by the --state directory's run_results.json; unit_test:<name> picks unit tests", () => {
    const dir = project();
    write(dir, {
      'models/upstream.sql': 'select no_such_column from (select 1 as one) as t',
      'models/unit_tests.yml': "version: 2\nunit_tests:\n  - name: other_is_one\n    model: other\n    given: []\n    expect:\n      rows: [{one: 1}]\n",
    });
    expect(dvt(['run'], { cwd: dir }).code).toBe(1);
    cpSync(join(dir, 'target'), join(dir, 'last-run'), { recursive: true });
    const ls = (selector: string) => lines(dvt(['ls', '-q', '-s', selector, '--state', 'last-run', '--resource-type', 'model'], { cwd: dir }).stdout);
    expect(ls('result:error')).toEqual(['st.upstream']);
    expect(ls('result:error+')).toEqual(['st.downstream', 'st.upstream']);
    expect(ls('result:success')).toEqual(['st.other']);
    expect(lines(dvt(['ls', '-q', '-s', 'unit_test:other_is_one'], { cwd: dir }).stdout)).toEqual(['unit_test:st.other.other_is_one']);
    const without = dvt(['ls', '-s', 'result:error'], { cwd: dir });
    expect(without.code).toBe(2);
    expect(without.output).toMatch(/result:error needs --state DIR/);
  });

  it("clone gives the target views of the --state manifest's relations, keeping what it has unless --full-refresh", async () => {
    const dir = project();
    expect(dvt(['run', '--target', 'prod'], { cwd: dir }).code).toBe(0);
    cpSync(join(dir, 'target'), join(dir, 'prod-state'), { recursive: true });
    expect(dvt(['run', '-s', 'other'], { cwd: dir }).code).toBe(0);
    const cloned = dvt(['clone', '--state', 'prod-state'], { cwd: dir });
    expect(cloned.code).toBe(0);
    const messages = () =>
      Object.fromEntries(
        (JSON.parse(readFileSync(join(dir, 'target', 'run_results.json'), 'utf8')) as { results: { unique_id: string; adapter_response: { _message: string } }[] }).results.map((r) => [
          r.unique_id.split('.').pop(),
          r.adapter_response._message,
        ]),
      );
    expect(messages()).toEqual({ upstream: 'CREATE VIEW', downstream: 'CREATE VIEW', other: 'No-op: "wh"."dev"."other" exists (--full-refresh replaces it)' });
    const { default: duckdb } = await import('@dvt/adapter-duckdb');
    const conn = await duckdb.connect({ path: join(dir, 'wh.duckdb') }, { projectDir: dir, logger: { debug() {}, info() {}, warn() {} } });
    try {
      const kinds = await conn.query("select table_name, table_type from information_schema.tables where table_schema = 'dev' order by 1");
      expect(kinds.rows).toEqual([['downstream', 'VIEW'], ['other', 'BASE TABLE'], ['upstream', 'VIEW']]);
      expect((await conn.query('select answer from dev.downstream')).rows).toEqual([[42]]);
    } finally {
      await conn.close();
    }
    expect(dvt(['clone', '--state', 'prod-state', '--full-refresh', '-s', 'other'], { cwd: dir }).code).toBe(0);
    expect(messages()).toEqual({ other: 'CREATE VIEW' });
    const without = dvt(['clone'], { cwd: dir });
    expect(without.code).toBe(2);
    expect(without.output).toMatch(/clone needs --state DIR/);
  });

  it('source_status:fresher picks sources whose freshness check now sees newer data than the --state one did', () => {
    const dir = project();
    const events = (latest: string) => `id,loaded_at\n1,2024-01-01 00:00:00\n2,${latest}\n`;
    write(dir, {
      'seeds/events.csv': events('2024-01-02 00:00:00'),
      'seeds/clicks.csv': events('2024-01-02 00:00:00'),
      'models/sources.yml':
        'version: 2\nsources:\n  - name: raw\n    schema: dev\n    loaded_at_field: loaded_at\n    freshness:\n      warn_after: {count: 100000, period: day}\n    tables:\n      - name: events\n      - name: clicks\n',
    });
    expect(dvt(['seed'], { cwd: dir }).code).toBe(0);
    expect(dvt(['source', 'freshness'], { cwd: dir }).code).toBe(0);
    cpSync(join(dir, 'target'), join(dir, 'before'), { recursive: true });
    write(dir, { 'seeds/events.csv': events('2024-03-01 00:00:00') });
    expect(dvt(['seed'], { cwd: dir }).code).toBe(0);
    expect(dvt(['source', 'freshness'], { cwd: dir }).code).toBe(0);
    expect(lines(dvt(['ls', '-q', '-s', 'source_status:fresher', '--state', 'before', '--resource-type', 'source'], { cwd: dir }).stdout)).toEqual(['source:st.raw.events']);
    const unsupported = dvt(['ls', '-s', 'source_status:stale', '--state', 'before'], { cwd: dir });
    expect(unsupported.code).toBe(2);
    expect(unsupported.output).toMatch(/source_status:stale is not supported/);
  });

  it('refuses --defer without --state, and state: without --state (exit 2)', () => {
    const dir = project();
    const noState = dvt(['run', '--defer'], { cwd: dir });
    expect(noState.code).toBe(2);
    expect(noState.output).toMatch(/--defer needs --state DIR/);
    const noDir = dvt(['ls', '-s', 'state:modified'], { cwd: dir });
    expect(noDir.code).toBe(2);
    expect(noDir.output).toMatch(/needs --state DIR/);
    const missing = dvt(['ls', '-s', 'state:modified', '--state', 'nowhere'], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.output).toMatch(/no manifest\.json/);
  });
});
