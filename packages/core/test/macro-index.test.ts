import { bindMacro } from '@dvt/jinja';
import { describe, expect, it } from 'vitest';
import { compilerEnvironment } from '../src/compile/compiler.js';
import { buildMacroIndex, contentHash, indexedMacros } from '../src/compile/macro-index.js';
import type { MacroIndex } from '../src/compile/macro-index.js';
import { MacroRegistry } from '../src/compile/macros.js';
import { builtinMacroFiles } from '../src/compile/sources.js';
import type { JinjaFile } from '../src/compile/sources.js';

// The builtins are registered from an index the build writes: a file is parsed when one of its
// macros is first used, and a file edited since the build is parsed at once.

const file = (path: string, contents: string): JinjaFile => ({ path, packageName: 'dbt', rootPath: '/nowhere', contents });

function registryWith(files: JinjaFile[], index?: MacroIndex): MacroRegistry {
  const registry = new MacroRegistry(compilerEnvironment(), 'shop');
  registry.addFiles(files, true, index ? (f) => indexedMacros(index, f) : undefined);
  return registry;
}

describe('builtin macro index', () => {
  it('registers every builtin as parsing does: names, lines, arguments and source', () => {
    const files = builtinMacroFiles();
    const index = buildMacroIndex(compilerEnvironment(), files);
    const eager = registryWith(files).definitions();
    expect(eager.length).toBeGreaterThan(100);
    expect(registryWith(files, index).definitions()).toEqual(eager);
  });

  it('parses an indexed file on the first use of one of its macros', () => {
    const valid = file('macros/x.sql', '{% macro greet(name) %}hello {{ name }}{% endmacro %}');
    const registry = registryWith([valid], buildMacroIndex(compilerEnvironment(), [valid]));
    const greet = registry.inPackage('dbt', 'greet')!;
    expect(bindMacro(greet.template, 'greet', {})('dvt')).toBe('hello dvt');

    // Registered from the index, a file that does not parse fails only when it is used.
    const invalid = file('macros/x.sql', '{% macro greet(name) %}{{ 1 + }}{% endmacro %}');
    const index: MacroIndex = { files: { 'macros/x.sql': { hash: contentHash(invalid.contents), macros: [{ name: 'greet', line: 1, args: ['name'] }] } } };
    const lazy = registryWith([invalid], index);
    expect(lazy.inPackage('dbt', 'greet')?.definition.arguments).toEqual([{ name: 'name', type: null, description: '' }]);
    expect(thrownBy(() => lazy.inPackage('dbt', 'greet')!.template)).toMatchObject({ message: /end of print statement/, location: { file: 'macros/x.sql' } });
  });

  it('parses a file edited since the index was built at once, and takes its macros from the parse', () => {
    const before = file('macros/y.sql', '{% macro y(a) %}{{ a }}{% endmacro %}');
    const index = buildMacroIndex(compilerEnvironment(), [before]);
    const after = file('macros/y.sql', '\n\n{% macro y(a, b) %}{{ a }}{{ b }}{% endmacro %}\n{% macro z() %}{% endmacro %}');
    const registry = registryWith([after], index);
    expect(registry.inPackage('dbt', 'y')?.definition).toMatchObject({ line: 3, arguments: [{ name: 'a' }, { name: 'b' }] });
    expect(registry.inPackage('dbt', 'z')).toBeDefined();
    // A syntax error in an edited file shows at registration, as without an index.
    const broken = file('macros/y.sql', '{% macro y(a) %}{{ a + }}{% endmacro %}');
    expect(thrownBy(() => registryWith([broken], index))).toMatchObject({ message: /end of print statement/, location: { file: 'macros/y.sql' } });
  });
});

function thrownBy(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('nothing was thrown');
}
