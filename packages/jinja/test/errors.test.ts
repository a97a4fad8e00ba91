import { describe, expect, test } from 'vitest';
import { Environment, JinjaError, TemplateRuntimeError, TemplateSyntaxError, UndefinedError, renderString } from '../src/index.js';

function failure(fn: () => unknown): JinjaError {
  try {
    fn();
  } catch (e) {
    if (e instanceof JinjaError) return e;
    throw new Error(`expected a JinjaError, got ${String(e)}`);
  }
  throw new Error('expected an error');
}

describe('errors name file, line, macro, with an excerpt', () => {
  test('syntax error: file:line and a caret excerpt', () => {
    const env = new Environment();
    const e = failure(() => env.parse('select 1\n{% if x %}\n  {{ y }\n{% endif %}', 'models/bad.sql'));
    expect(e).toBeInstanceOf(TemplateSyntaxError);
    expect(e.filename).toBe('models/bad.sql');
    expect(e.lineno).toBe(3);
    expect(e.message.startsWith('models/bad.sql:3: ')).toBe(true);
    expect(e.excerpt).toContain('{{ y }');
    expect(e.excerpt).toContain('^');
  });

  test('unclosed block names what Jinja was looking for', () => {
    const e = failure(() => renderString('{% for x in y %}\n{{ x }}\nabc', {}));
    expect(e).toBeInstanceOf(TemplateSyntaxError);
    expect(e.lineno).toBe(2);
    expect(e.message).toContain("'endfor' or 'else'");
  });

  test('unknown tag', () => {
    const e = failure(() => renderString('a\n{% frobnicate %}', {}));
    expect(e.lineno).toBe(2);
    expect(e.message).toContain("Encountered unknown tag 'frobnicate'");
  });

  test('undefined name called: says which, where, and in which macro', () => {
    const env = new Environment();
    const e = failure(() => env.renderString('{% macro m() %}\n\n{{ nope() }}{% endmacro %}\n{{ m() }}', {}, 'macros/m.sql'));
    expect(e).toBeInstanceOf(UndefinedError);
    expect(e.lineno).toBe(3);
    expect(e.macroName).toBe('m');
    expect(e.message).toBe("macros/m.sql:3 (in macro 'm'): 'nope' is undefined");
  });

  test('errors inside an included file name that file', () => {
    const env = new Environment({ loader: (n) => (n === 'inc.sql' ? { source: 'x\ny\n{{ 1 // 0 }}', filename: 'inc.sql' } : undefined) });
    const e = failure(() => env.renderString("{% include 'inc.sql' %}", {}, 'main.sql'));
    expect(e).toBeInstanceOf(TemplateRuntimeError);
    expect(e.filename).toBe('inc.sql');
    expect(e.lineno).toBe(3);
    expect(e.pyType).toBe('ZeroDivisionError');
  });

  test('strict undefined fails on print, default prints empty', () => {
    expect(renderString('[{{ x }}]', {})).toBe('[]');
    const e = failure(() => new Environment({ undefined: 'strict' }).renderString('\n{{ x }}', {}));
    expect(e).toBeInstanceOf(UndefinedError);
    expect(e.lineno).toBe(2);
    expect(new Environment({ undefined: 'chainable' }).renderString('[{{ x.y.z }}]', {})).toBe('[]');
  });

  test('a type error is a runtime error with Python\'s wording', () => {
    const e = failure(() => renderString("{{ 'a' + 1 }}", {}));
    expect(e).toBeInstanceOf(TemplateRuntimeError);
    expect(e.rawMessage).toBe('can only concatenate str (not "int") to str');
  });

  test('deep recursion is reported, not a crash', () => {
    const e = failure(() => renderString('{% macro r(n) %}{{ r(n + 1) }}{% endmacro %}{{ r(0) }}', {}));
    expect(e).toBeInstanceOf(TemplateRuntimeError);
    expect(e.lineno).toBe(1);
  });
});
