import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dvt, tempDir } from './helpers.js';

function write(dir: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

describe('dvt deps', () => {
  it('installs local and git packages whose macros the project then uses', () => {
    const root = tempDir('dvt-deps-');
    write(join(root, 'helpers'), {
      'dbt_project.yml': 'name: helpers\nversion: "1.0"\nconfig-version: 2\n',
      'macros/greet.sql': "{% macro greet(who) %}'hello ' || '{{ who }}'{% endmacro %}\n",
    });
    const repo = join(root, 'repo');
    write(repo, {
      'dbt_project.yml': 'name: gitpkg\nversion: "1.0"\nconfig-version: 2\n',
      'macros/answer.sql': '{% macro answer() %}42{% endmacro %}\n',
    });
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: repo });
    git('init', '--quiet');
    git('add', '.');
    git('commit', '--quiet', '-m', 'first');
    const project = join(root, 'app');
    write(project, {
      'dbt_project.yml': 'name: app\nversion: "1.0"\nconfig-version: 2\nprofile: app\n',
      'profiles.yml': `app:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: ${join(root, 'app.duckdb')}\n`,
      'packages.yml': `packages:\n  - local: ../helpers\n  - git: "${repo}"\n    revision: HEAD\n`,
      'models/greeting.sql': "select {{ helpers.greet('dvt') }} as greeting, {{ gitpkg.answer() }} as answer",
    });
    const installed = dvt(['deps'], { cwd: project });
    expect(installed.code).toBe(0);
    expect(installed.output).toMatch(/Installed helpers \(local \.\.\/helpers\)/);
    expect(installed.output).toMatch(/2 packages installed; package-lock.yml written/);
    expect(readFileSync(join(project, 'package-lock.yml'), 'utf8')).toMatch(/git: .*repo[\s\S]*revision: [0-9a-f]{40}/);
    expect(existsSync(join(project, 'dbt_packages/gitpkg/macros/answer.sql'))).toBe(true);

    // CI scripts pass profile flags to every command (dbt_utils' run_test.sh: dbt deps --target $1).
    const again = dvt(['deps', '--target', 'dev', '--profiles-dir', project], { cwd: project });
    expect(again.output).toMatch(/2 packages installed from package-lock.yml/);

    const shown = dvt(['show', '-s', 'greeting'], { cwd: project });
    expect(shown.code).toBe(0);
    expect(shown.output).toMatch(/hello dvt .*42/);
  });

  it('names the file when an entry is wrong', () => {
    const project = tempDir('dvt-deps-bad-');
    write(project, {
      'dbt_project.yml': 'name: app\nversion: "1.0"\nconfig-version: 2\n',
      'packages.yml': 'packages:\n  - loca: ../nothing\n',
    });
    const r = dvt(['deps'], { cwd: project });
    expect(r.code).toBe(2);
    expect(r.output).toMatch(/packages.yml: package 1: unknown package kind \(keys: loca\)/);
    expect(r.output).not.toMatch(/at .*\.js:\d+/);
  });
});
