import { POSTGRES, serviceSkipReason } from '@dvt/adapter-testkit';
import { describe, expect, it } from 'vitest';
import { writeFiles } from './engines.js';
import { dvt, tempDir } from './helpers.js';

const skip = await serviceSkipReason(POSTGRES);
const SECRET = 's3cr3t-xyz';

/** The default target on DuckDB, a source on PostgreSQL, a model on a PostgreSQL output with a wrong port and a password, a model on an output the profile lacks. */
function project(): string {
  const dir = tempDir();
  writeFiles(dir, {
    'dbt_project.yml': 'name: checks\nprofile: checks\n',
    'profiles.yml': `checks:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: dev.duckdb
    warehouse:
      type: postgres
      host: ${POSTGRES.host}
      port: ${POSTGRES.port}
      user: postgres
      dbname: test
      schema: public
    wrong_port:
      type: postgres
      host: ${POSTGRES.host}
      port: 1
      user: postgres
      password: ${SECRET}
      dbname: test
      schema: public
    unused:
      type: postgres
      host: ${POSTGRES.host}
      port: 2
      user: postgres
      dbname: test
`,
    'models/sources.yml': 'sources:\n  - name: raw\n    connection: warehouse\n    tables: [{ name: orders }]\n',
    'models/on_nowhere.sql': "{{ config(target='nowhere') }}\nselect 2 as two\n",
    'models/on_wrong_port.sql': "{{ config(target='wrong_port') }}\nselect 1 as one\n",
  });
  return dir;
}

describe.skipIf(skip)(`dvt debug tests every connection the project uses${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('one clean line per connection; a wrong port fails the command; the password never shows', () => {
    const dir = project();
    const r = dvt(['debug'], { cwd: dir });
    expect(r.code, r.output).toBe(1);
    const lines = r.output.split('\n').filter((l) => /^\S+\s{4}\S+ \(/.test(l)).map((l) => l.replace(/^\S+\s{4}/, ''));
    expect(lines[0], r.output).toBe('dev (duckdb, dev.duckdb): OK connection ok');
    expect(lines).toContain(`warehouse (postgres, ${POSTGRES.host}:${POSTGRES.port}/test): OK connection ok`);
    const wrong = lines.find((l) => l.startsWith('wrong_port '));
    expect(wrong).toMatch(new RegExp(`^wrong_port \\(postgres, ${POSTGRES.host.replace(/\./g, '\\.')}:1/test\\): ERROR .*ECONNREFUSED`));
    expect(lines.find((l) => l.startsWith('nowhere '))).toBe("nowhere (unknown output): ERROR not an output of profile 'checks' (outputs: dev, warehouse, wrong_port, unused)");
    // Only what the project uses is checked.
    expect(r.output).not.toMatch(/unused \(/);
    expect(lines).toHaveLength(4);
    expect(r.output).toMatch(/password: \*{4}/);
    expect(r.output).toMatch(/Some checks failed/);
    expect(r.output).not.toMatch(/\n\s+at /);
    expect(r.output).not.toContain(SECRET);

    const json = dvt(['debug', '--log-format', 'json'], { cwd: dir });
    expect(json.code).toBe(1);
    expect(json.output).not.toContain(SECRET);
    const checks = json.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { info: { name: string }; data: { check?: string; ok?: boolean } })
      .filter((e) => e.info.name === 'DebugCheck' && e.data.check?.includes('('));
    expect(checks.map((c) => [c.data.check!.split(' ')[0], c.data.ok]).sort()).toEqual([
      ['dev', true],
      ['nowhere', false],
      ['warehouse', true],
      ['wrong_port', false],
    ]);
  });
});
