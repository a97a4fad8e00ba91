import { afterEach, describe, expect, it } from 'vitest';
import { isDvtError } from '../src/errors.js';
import type { DvtError } from '../src/errors.js';
import { compilerFor, projectCopy } from './compile-support.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

async function withFiles(files: Record<string, string>) {
  const copy = projectCopy('compile-shop', files);
  cleanups.push(copy.cleanup);
  return compilerFor(copy.dir);
}

async function failure(run: () => unknown | Promise<unknown>): Promise<DvtError> {
  try {
    await run();
  } catch (error) {
    if (isDvtError(error)) return error;
    throw error;
  }
  throw new Error('expected a DvtError');
}

describe('compile errors name the file and line', () => {
  it('unknown ref at parse', async () => {
    const compiler = await withFiles({ 'models/broken.sql': "select 1\nunion all\nselect * from {{ ref('nowhere') }}\n" });
    const error = await failure(() => compiler.parseProject());
    expect(error.kind).toBe('compile');
    expect(error.message).toBe("Model 'model.compile_shop.broken' (models/broken.sql) depends on a node named 'nowhere' which was not found");
    expect(error.location).toEqual({ file: 'models/broken.sql', line: 3 });
  });

  it('ref to a disabled model', async () => {
    const compiler = await withFiles({ 'models/uses_legacy.sql': "select * from {{ ref('legacy') }}\n" });
    const error = await failure(() => compiler.parseProject());
    expect(error.message).toContain("depends on a node named 'legacy' which is disabled");
  });

  it('unknown source at parse', async () => {
    const compiler = await withFiles({ 'models/broken.sql': "\n\nselect * from {{ source('raw', 'refunds') }}\n" });
    const error = await failure(() => compiler.parseProject());
    expect(error.message).toContain("depends on a source named 'raw.refunds' which was not found");
    expect(error.location).toEqual({ file: 'models/broken.sql', line: 3 });
  });

  it('Jinja syntax error', async () => {
    const compiler = await withFiles({ 'models/broken.sql': 'select 1\n{% if true %}\nselect 2\n' });
    const error = await failure(() => compiler.parseProject());
    expect(error.kind).toBe('compile');
    expect(error.location?.file).toBe('models/broken.sql');
    expect(error.location?.line).toBeGreaterThanOrEqual(2);
    expect(error.stack === undefined || !error.format().includes('    at ')).toBe(true);
  });

  it('calling an undefined macro', async () => {
    const compiler = await withFiles({ 'models/broken.sql': 'select\n  {{ no_such_macro() }}\n' });
    const error = await failure(() => compiler.parseProject());
    expect(error.message).toContain('no_such_macro');
    expect(error.location).toEqual({ file: 'models/broken.sql', line: 2 });
  });

  it('an error raised inside a macro names the macro file', async () => {
    const compiler = await withFiles({
      'macros/guard.sql': "{% macro guard(x) %}\n  {{ exceptions.raise_compiler_error('guard failed for ' ~ x) }}\n{% endmacro %}\n",
      'models/guarded.sql': "select {{ guard('y') }}\n",
    });
    const error = await failure(() => compiler.parseProject());
    expect(error.message).toBe('guard failed for y');
    expect(error.location).toEqual({ file: 'macros/guard.sql', line: 2 });
  });

  it("errors in a snapshot name the file's line, not the block body's", async () => {
    const snapshot = (body: string) => ({ 'snapshots/broken.sql': `-- header\n\n{% snapshot broken_snap %}\n{{ config(unique_key='id', strategy='check', check_cols='all') }}\n${body}\n{% endsnapshot %}\n` });
    const unknownRef = await failure(async () => (await withFiles(snapshot("select * from {{ ref('nowhere_else') }}"))).parseProject());
    expect(unknownRef.message).toContain("Snapshot 'snapshot.compile_shop.broken_snap' (snapshots/broken.sql) depends on a node named 'nowhere_else'");
    expect(unknownRef.location).toEqual({ file: 'snapshots/broken.sql', line: 5 });
    const raised = await failure(async () => (await withFiles(snapshot("select 1\n{{ exceptions.raise_compiler_error('in body') }}"))).parseProject());
    expect(raised.message).toBe('in body');
    expect(raised.location).toEqual({ file: 'snapshots/broken.sql', line: 6 });
    expect(raised.excerpt).toMatch(/^\s+6 \|/);
  });

  it('missing var at compile time', async () => {
    const compiler = await withFiles({ 'models/needs_var.sql': "select 1\nwhere x = {{ var('cutoff') }}\n" });
    compiler.parseProject();
    const error = await failure(() => compiler.compileNode('model.compile_shop.needs_var'));
    expect(error.message).toContain("required var 'cutoff'");
    expect(error.message).toContain("Model 'model.compile_shop.needs_var' (models/needs_var.sql)");
    expect(error.location).toEqual({ file: 'models/needs_var.sql', line: 2 });
  });

  it('two macros with one name in a package', async () => {
    const error = await failure(() => withFiles({ 'macros/again.sql': '{% macro cents(c) %}{{ c }}{% endmacro %}\n' }));
    expect(error.message).toContain("two macros named 'cents'");
  });

  it('dispatch with no candidate lists what it searched', async () => {
    const compiler = await withFiles({ 'models/d.sql': "select {{ adapter.dispatch('nothing', 'compile_shop')() }}\n" });
    const error = await failure(() => compiler.parseProject());
    expect(error.message).toContain("'compile_shop.testdb__nothing', 'compile_shop.postgres__nothing', 'compile_shop.default__nothing'");
  });
});
