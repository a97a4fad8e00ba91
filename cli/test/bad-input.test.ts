import { appendFileSync, cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { dvt, tempDir } from './helpers.js';

let pristine: string;
beforeAll(() => {
  const cwd = tempDir();
  expect(dvt(['init', 'shop'], { cwd }).code).toBe(0);
  pristine = join(cwd, 'shop');
});

/** A fresh copy of a starter project (made once by dvt init) to break in one way. */
function starter(): string {
  const dir = join(tempDir(), 'shop');
  cpSync(pristine, dir, { recursive: true });
  return dir;
}

function edit(file: string, change: (text: string) => string): void {
  writeFileSync(file, change(readFileSync(file, 'utf8')));
}

function expectCleanFailure(r: { code: number; output: string }, code: number, message: RegExp): void {
  expect(r.output).toMatch(message);
  expect(r.code, r.output).toBe(code);
  // One clear message: no stack trace, and no "Internal error" (that would be a bug).
  expect(r.output).not.toMatch(/\n\s+at .+:\d+:\d+/);
  expect(r.output).not.toMatch(/Internal error/);
}

describe('bad input: one clear message, the right exit code, no stack trace', () => {
  it('malformed YAML names the file and line', () => {
    const dir = starter();
    edit(join(dir, 'models', 'schema.yml'), (t) => t.replace('  - name: rider_summary', '  - name: [rider_summary'));
    expectCleanFailure(dvt(['parse'], { cwd: dir }), 2, /models\/schema\.yml:\d+/);
  });

  it('an unknown ref names the model, its file and the missing name', () => {
    const dir = starter();
    writeFileSync(join(dir, 'models', 'broken.sql'), "select *\nfrom {{ ref('no_such_model') }}\n");
    expectCleanFailure(dvt(['compile'], { cwd: dir }), 2, /models\/broken\.sql.*no_such_model|no_such_model.*models\/broken\.sql/s);
  });

  it('a Jinja syntax error names the file and line', () => {
    const dir = starter();
    writeFileSync(join(dir, 'models', 'broken.sql'), 'select 1 as a\n\n{{ ref( }}\n');
    expectCleanFailure(dvt(['compile'], { cwd: dir }), 2, /models\/broken\.sql:3/);
  });

  it('a missing profile says which one and where it looked', () => {
    const dir = starter();
    edit(join(dir, 'dbt_project.yml'), (t) => t.replace(/^profile: shop$/m, 'profile: nobody'));
    expectCleanFailure(dvt(['run'], { cwd: dir }), 2, /nobody/);
  });

  it('no profiles.yml anywhere is a clear error', () => {
    const dir = starter();
    rmSync(join(dir, 'profiles.yml'));
    const home = tempDir();
    expectCleanFailure(dvt(['run'], { cwd: dir, env: { HOME: home, USERPROFILE: home } }), 2, /profiles\.yml/);
  });

  it('a missing target lists the outputs there are', () => {
    const dir = starter();
    expectCleanFailure(dvt(['run', '--target', 'prod'], { cwd: dir }), 2, /prod[\s\S]*dev/);
  });

  it('a cycle is listed', () => {
    const dir = starter();
    writeFileSync(join(dir, 'models', 'a.sql'), "select * from {{ ref('b') }}\n");
    writeFileSync(join(dir, 'models', 'b.sql'), "select * from {{ ref('a') }}\n");
    expectCleanFailure(dvt(['run'], { cwd: dir }), 2, /cycle[\s\S]*model\.shop\.(a|b) -> model\.shop\.(a|b)/i);
  });

  it('an unknown selector method is named, with the valid ones', () => {
    const dir = starter();
    expectCleanFailure(dvt(['ls', '-s', 'colour:red'], { cwd: dir }), 2, /colour[\s\S]*tag/);
  });

  it('a ragged seed CSV names the file and line, and the seed fails', () => {
    const dir = starter();
    appendFileSync(join(dir, 'seeds', 'raw_trips.csv'), '11,105,2024-03-05 09:00:00,4.2\n');
    const r = dvt(['seed'], { cwd: dir });
    expect(r.output).toMatch(/raw_trips\.csv.*(line )?:?12|raw_trips\.csv:12/);
    expect([1, 2]).toContain(r.code);
    expect(r.output).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });

  it('a missing adapter names the packages tried and the install command', () => {
    const dir = starter();
    edit(join(dir, 'profiles.yml'), (t) => t.replace('type: duckdb', 'type: nosuchdb'));
    expectCleanFailure(dvt(['run'], { cwd: dir }), 2, /@dvt\/adapter-nosuchdb[\s\S]*npm install -D @dvt\/adapter-nosuchdb/);
  });

  it('a project directory without dbt_project.yml is a clear error', () => {
    expectCleanFailure(dvt(['run', '--project-dir', tempDir()]), 2, /dbt_project\.yml/);
  });

  it('--debug adds the stack trace of a user error', () => {
    const dir = starter();
    writeFileSync(join(dir, 'models', 'broken.sql'), "select * from {{ ref('no_such_model') }}\n");
    const r = dvt(['compile', '--debug'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.output).toMatch(/\n\s+at .+:\d+:\d+/);
  });
});

describe('secrets', () => {
  it('never prints a DBT_ENV_SECRET_ value, even inside a driver error', () => {
    const dir = starter();
    const blocker = join(dir, 'not-a-dir');
    writeFileSync(blocker, 'a file where the database folder should be');
    mkdirSync(join(dir, 'target'), { recursive: true });
    edit(join(dir, 'profiles.yml'), (t) =>
      t.replace(/path: shop\.duckdb/, `path: "${blocker}/{{ env_var('DBT_ENV_SECRET_TOKEN') }}/shop.duckdb"\n      password: "{{ env_var('DBT_ENV_SECRET_TOKEN') }}"`),
    );
    const env = { DBT_ENV_SECRET_TOKEN: 'tok-9f8e7d6c5b' };
    for (const args of [['debug'], ['run'], ['debug', '--log-format', 'json']]) {
      const r = dvt(args, { cwd: dir, env });
      expect(r.code, r.output).not.toBe(0);
      expect(r.output).not.toContain('tok-9f8e7d6c5b');
    }
    expect(dvt(['debug'], { cwd: dir, env }).output).toMatch(/\*{4}/);
  });
});
