// Renders every oracle case with @dvt/jinja and compares with what Python's
// Jinja2 3.1.6 produced (test/oracle/expected.json): output byte for byte;
// errors by kind, line and, for errors inside another file, that file.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { Environment, JinjaError, renderString, TemplateSyntaxError, UndefinedError, pyRepr } from '../../src/index.js';
import type { EnvironmentOptions } from '../../src/index.js';
import { cases, expected } from './corpus.js';
import type { OracleCase } from './corpus.js';
import { buildScope } from './hosts.js';

function needsEnvironment(c: OracleCase): boolean {
  return Boolean(c.files || c.host || c.macros || c.namespaces || c.undefined || c.native);
}

/** The rendered text, or for native cases the Python repr of the value. */
function render(c: OracleCase): string {
  // A copy: templates mutate context lists and dicts.
  if (!needsEnvironment(c)) return renderString(c.template, structuredClone(c.context ?? {}));
  const files = c.files ?? {};
  const options: EnvironmentOptions = {
    undefined: c.undefined ?? 'default',
    loader: (name) => (Object.hasOwn(files, name) ? { source: files[name], filename: name } : undefined),
  };
  const env = new Environment(options);
  const context = buildScope(env, c);
  if (c.native) return pyRepr(env.parse(c.template).renderNative(context));
  return env.renderString(c.template, context);
}

const MAIN = '(the template under test)';

function errorKind(e: unknown): string {
  if (e instanceof UndefinedError) return 'undefined';
  if (e instanceof TemplateSyntaxError) return 'syntax';
  if (e instanceof JinjaError) return 'runtime';
  return `not a JinjaError: ${String(e)}`;
}

const generator = fileURLToPath(new URL('../../scripts/generate-oracle.py', import.meta.url));
const oracleAvailable =
  spawnSync('python3', ['-c', "import jinja2, yaml; assert jinja2.__version__ == '3.1.6'"], { stdio: 'ignore' }).status === 0;

describe('Jinja2 oracle', () => {
  test('fixtures are complete', () => {
    expect(cases.length).toBeGreaterThanOrEqual(500);
    expect(cases.map((c) => c.id).sort()).toEqual(Object.keys(expected).sort());
  });

  // Catches a case file edited without regenerating. Needs Python with Jinja2 3.1.6 and PyYAML.
  test.skipIf(!oracleAvailable)('fixtures match cases/*.yaml (generate-oracle.py --check)', () => {
    const run = spawnSync('python3', [generator, '--check'], { encoding: 'utf8', timeout: 60_000 });
    expect(run.status, run.stderr + run.stdout).toBe(0);
  }, 60_000);

  test.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const want = expected[c.id];
    if ('error' in want) {
      let thrown: unknown;
      let output: string | undefined;
      try {
        output = render(c);
      } catch (e) {
        thrown = e;
      }
      expect(thrown, `expected ${want.error.type}: ${want.error.message}; rendered ${JSON.stringify(output)}`).toBeDefined();
      const e = thrown as JinjaError;
      const got: Record<string, unknown> = { kind: errorKind(e), line: e.lineno };
      const wanted: Record<string, unknown> = { kind: want.error.kind, line: want.error.line };
      if (c.files !== undefined) {
        // Which file: one of the case's files, or else the template under test (whose name is the engine's choice).
        const files = c.files;
        got.file = e.filename !== undefined && Object.hasOwn(files, e.filename) ? e.filename : MAIN;
        wanted.file = want.error.file ?? MAIN;
      }
      expect(got, `Jinja2 raised ${want.error.type}: ${want.error.message}\nengine: ${e instanceof Error ? e.message : String(e)}`).toEqual(wanted);
      return;
    }
    expect(render(c)).toBe('native' in want ? want.native : want.output);
  });
});
