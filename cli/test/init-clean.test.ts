import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dvt, tempDir } from './helpers.js';

describe('dvt init', () => {
  it('scaffolds a project with a DuckDB profile and a .gitignore', () => {
    const cwd = tempDir();
    const r = dvt(['init', 'shop'], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Created shop/);
    const project = readFileSync(join(cwd, 'shop', 'dbt_project.yml'), 'utf8');
    expect(project).toMatch(/^name: shop$/m);
    expect(project).toMatch(/^profile: shop$/m);
    const profiles = readFileSync(join(cwd, 'shop', 'profiles.yml'), 'utf8');
    expect(profiles).toMatch(/^shop:$/m);
    expect(profiles).toMatch(/type: duckdb/);
    expect(profiles).toMatch(/path: shop\.duckdb/);
    expect(readFileSync(join(cwd, 'shop', '.gitignore'), 'utf8')).toMatch(/^target\/$/m);
    expect(existsSync(join(cwd, 'shop', '_gitignore'))).toBe(false);
    expect(existsSync(join(cwd, 'shop', 'seeds', 'raw_trips.csv'))).toBe(true);
  });

  it('scaffolds a project that builds and shows with nothing else installed', () => {
    const cwd = tempDir();
    expect(dvt(['init', 'starter'], { cwd }).code).toBe(0);
    const dir = join(cwd, 'starter');
    const build = dvt(['build'], { cwd: dir });
    expect(build.code, build.output).toBe(0);
    expect(build.stdout).toMatch(/Done\. PASS=9 WARN=0 ERROR=0 SKIP=0 TOTAL=9/);
    expect(existsSync(join(dir, 'starter.duckdb'))).toBe(true);
    const show = dvt(['show', '-s', 'rider_summary'], { cwd: dir });
    expect(show.code, show.output).toBe(0);
    expect(show.stdout).toMatch(/\| 102 +\| 2 +\| 23\.8 +\| 54\.70 /);
  });

  it('--skip-profile-setup writes no profiles.yml', () => {
    const cwd = tempDir();
    expect(dvt(['init', 'shop', '--skip-profile-setup'], { cwd }).code).toBe(0);
    expect(existsSync(join(cwd, 'shop', 'profiles.yml'))).toBe(false);
    expect(existsSync(join(cwd, 'shop', 'dbt_project.yml'))).toBe(true);
  });

  it('refuses an existing non-empty directory and leaves it alone', () => {
    const cwd = tempDir();
    mkdirSync(join(cwd, 'shop'));
    writeFileSync(join(cwd, 'shop', 'notes.txt'), 'mine');
    const r = dvt(['init', 'shop'], { cwd });
    expect(r.code).toBe(2);
    expect(r.output).toMatch(/already exists and is not empty/);
    expect(existsSync(join(cwd, 'shop', 'dbt_project.yml'))).toBe(false);
  });

  it('accepts an existing empty directory', () => {
    const cwd = tempDir();
    mkdirSync(join(cwd, 'shop'));
    expect(dvt(['init', 'shop'], { cwd }).code).toBe(0);
  });

  it('rejects a missing or invalid name with exit code 2', () => {
    const cwd = tempDir();
    expect(dvt(['init'], { cwd }).output).toMatch(/needs a project name/);
    const r = dvt(['init', 'my-shop'], { cwd });
    expect(r.code).toBe(2);
    expect(r.output).toMatch(/not a valid project name/);
  });
});

describe('dvt clean', () => {
  it('removes the clean-targets and .dvt/, and keeps sources', () => {
    const cwd = tempDir();
    dvt(['init', 'shop'], { cwd });
    const dir = join(cwd, 'shop');
    for (const d of ['target/compiled', 'dbt_packages/x', '.dvt']) mkdirSync(join(dir, d), { recursive: true });
    const r = dvt(['clean'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Cleaned target\//);
    for (const d of ['target', 'dbt_packages', '.dvt']) expect(existsSync(join(dir, d))).toBe(false);
    expect(existsSync(join(dir, 'models'))).toBe(true);
  });

  it('refuses a clean-target that is a source folder or outside the project', () => {
    const cwd = tempDir();
    dvt(['init', 'shop'], { cwd });
    const dir = join(cwd, 'shop');
    for (const bad of ['models', '..']) {
      const file = join(dir, 'dbt_project.yml');
      writeFileSync(file, readFileSync(file, 'utf8').replace(/^clean-targets: .*$/m, `clean-targets: ["${bad}"]`));
      const r = dvt(['clean', '--project-dir', dir]);
      expect(r.code).toBe(2);
      expect(r.output).toMatch(/refusing to delete/);
      expect(existsSync(join(dir, 'models'))).toBe(true);
    }
  });

  it('names dbt_project.yml and the line of a YAML error', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'dbt_project.yml'), 'name: x\nclean-targets: [target\nprofile: x\n');
    const r = dvt(['clean', '--project-dir', dir]);
    expect(r.code).toBe(2);
    expect(r.output).toMatch(/dbt_project\.yml:\d+: /);
    expect(r.output).not.toMatch(/\n\s+at /);
  });
});
