import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AdapterDefinition } from '../src/adapter/contract.js';
import { adapterProblems } from '../src/adapter/validate.js';
import { adapterMacroDirs } from '../src/compile/adapter-macros.js';
import { Compiler } from '../src/compile/index.js';
import { loadProject } from '../src/project/index.js';
import { testAdapter } from './compile-support.js';

// An adapter built on another lists the parent's macro directory beside its
// own, so `<parent>__` macros dispatch even when the parent is not in the run.
const root = mkdtempSync(join(tmpdir(), 'dvt-macro-dirs-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function dir(name: string, files: Record<string, string>): string {
  const path = join(root, name);
  mkdirSync(path, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(path, file), text);
  return path;
}

const parentDir = dir('parent-macros', {
  'exprs.sql': [
    "{% macro parentdb__hash(field) -%}parent_md5({{ field }}){%- endmacro %}",
    "{% macro parentdb__concat(fields) -%}parent_concat({{ fields | join(', ') }}){%- endmacro %}",
  ].join('\n'),
});
const childDir = dir('child-macros', { 'exprs.sql': '{% macro childdb__hash(field) -%}child_md5({{ field }}){%- endmacro %}' });
const parent: AdapterDefinition = { ...testAdapter, type: 'parentdb', parentTypes: [], macrosDir: parentDir };
const child: AdapterDefinition = { ...testAdapter, type: 'childdb', parentTypes: ['parentdb'], macrosDir: [childDir, parentDir] };

async function compilerOn(adapters: Record<string, AdapterDefinition>): Promise<Compiler> {
  const projectDir = mkdtempSync(join(root, 'project-'));
  writeFileSync(join(projectDir, 'dbt_project.yml'), "name: shop\nversion: '1.0'\nconfig-version: 2\nprofile: shop\n");
  writeFileSync(join(projectDir, 'profiles.yml'), 'shop:\n  target: dev\n  outputs:\n    dev:\n      type: childdb\n      schema: main\n');
  const project = loadProject({ projectDir, profilesDir: projectDir, env: {} });
  return Compiler.create({ project, adapters, env: {} });
}

describe('adapter macro directories', () => {
  it("a child adapter alone dispatches to its parent's macros from the parent's directory, its own first", async () => {
    const compiler = await compilerOn({ childdb: child });
    expect(compiler.renderHook("{{ dbt.hash('x') }}|{{ dbt.concat(['a', 'b']) }}")).toBe('child_md5(x)|parent_concat(a, b)');
  });

  it('loads a directory once when several adapters list it, named after the adapter whose own it is', async () => {
    const compiler = await compilerOn({ childdb: child, parentdb: parent });
    const ids = [...compiler.project.macros.keys()].filter((id) => id.includes('parentdb__hash'));
    expect(ids).toEqual(['macro.dbt_parentdb.parentdb__hash']);
    expect(compiler.renderHook("{{ dbt.concat(['a']) }}")).toBe('parent_concat(a)');
  });

  it('counts another spelling of a directory, or a symlink to it, as the same directory', () => {
    const link = join(root, 'linked-parent');
    symlinkSync(parentDir, link);
    const cousin = { type: 'cousindb', macrosDir: [childDir + '/', link] };
    expect(adapterMacroDirs([cousin, child, parent])).toEqual([
      { dir: childDir + '/', packageName: 'dbt_cousindb' },
      { dir: parentDir, packageName: 'dbt_parentdb' },
    ]);
  });

  it('the contract check accepts a list of directories and refuses anything else', () => {
    expect(adapterProblems(child)).toEqual([]);
    expect(adapterProblems({ ...child, macrosDir: [childDir, 3] })).toEqual(['`macrosDir` must be a path string or a list of them']);
  });
});
