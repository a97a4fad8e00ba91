// Bundles a package's compiled entry points into dist/bundle/, run after `tsc` by the build of
// @dvt/jinja, @dvt/core and the dvt CLI:
//
//   node ../../scripts/bundle.mjs src/index.ts src/bridge/worker.ts
//
// and an adapter's entry in place of tsc's dist/index.js (`--adapter`, see below):
//
//   node ../../scripts/bundle.mjs --adapter [--inline <driver>]... src/index.ts
//
// and the CLI's program (`#!`), with the module that starts it:
//
//   node ../scripts/bundle.mjs --launcher ./launch/index.js --lazy-twin src/main.ts src/bin.ts
//
// Why: a dvt process used to load some 300 modules (core alone 118 ES modules, `yaml` 72 CommonJS
// files), and resolving, reading and compiling them one by one was about a third of a small
// `dvt seed`. One bundle per package loads in a few files.
//
// - Every `@dvt/*` package stays external: each is bundled by its own build, so the CLI and the
//   adapters (found at run time, importing `@dvt/core` themselves) share one instance of core.
// - Third-party pure-JS dependencies (yaml, import-meta-resolve) are inlined. Database drivers are
//   dependencies of the adapters, never of these packages, so they are never inlined.
// - `--adapter`: every dependency in package.json (the driver) stays external, and the bundle
//   replaces dist/<entry>.js itself: an adapter finds its macros with `new URL('../macros',
//   import.meta.url)` from src/index.ts, one level down, as dist/index.js is. `--inline <name>`
//   bundles a pure-JS driver too: mysql2 loads 92 files one by one, ~30 ms of a MariaDB seed's
//   start-up; bundled, about half. It stays a dependency (its types are part of the adapter's).
//   Native code stays external: DuckDB's @duckdb/node-api (181 JavaScript files) is inlined, the
//   @duckdb/node-bindings it requires is a dependency of the adapter of its own, at the very version
//   node-api pins. A driver loaded only by some runs (the AWS SDK) stays external.
// - The bundle sits in dist/bundle/, at the same depth as dist/<dir>/<module>.js, so code that finds
//   files beside itself with `new URL('../../macros/', import.meta.url)` works in both layouts.
// - dist/<entry>.js, written by tsc, is replaced by a one-line module that loads the bundle, so the
//   `exports`/`bin` paths of package.json stay as they are and anything importing
//   dist/index.js gets the same instance. A `#!` entry (the CLI's bin) becomes a call of its
//   `--launcher`, which starts the bundle or its CommonJS twin (below) with compiled code cached.
// - Each top-level entry also gets a CommonJS twin, <name>.cjs beside its bundle: see below.
// - Dynamic `import()`s become chunks that load only when reached (a command, the docs server).
//   A dynamic import() of a CommonJS package would expose only `default` in the bundle (Node finds
//   the named exports, esbuild does not), so the build refuses it: import such a package
//   statically from a module that is itself loaded lazily.
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { build } from 'esbuild';

const args = process.argv.slice(2);
let adapter = false;
let launcher;
const lazyTwins = [];
const inline = [];
const entries = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--adapter') adapter = true;
  else if (args[i] === '--launcher' && args[i + 1]) launcher = args[++i];
  else if (args[i] === '--lazy-twin' && args[i + 1]) lazyTwins.push(args[++i]);
  else if (args[i] === '--inline' && args[i + 1]) inline.push(args[++i]);
  else entries.push(args[i]);
}
if (entries.length === 0 || (inline.length > 0 && !adapter) || (launcher && adapter) || (lazyTwins.length > 0 && !launcher)) {
  process.stderr.write('usage: node scripts/bundle.mjs [--launcher <module> [--lazy-twin <module.ts>]...] [--adapter [--inline <dependency>]...] <entry.ts>...  (from the package directory)\n');
  process.exit(2);
}

const outdir = adapter ? 'dist' : 'dist/bundle';
if (!adapter) rmSync(outdir, { recursive: true, force: true });
const dependencies = Object.keys(JSON.parse(readFileSync('package.json', 'utf8')).dependencies ?? {});
for (const name of inline) {
  if (!dependencies.includes(name)) {
    process.stderr.write(`bundle: --inline ${name}: not a dependency in package.json\n`);
    process.exit(2);
  }
}
const drivers = adapter ? dependencies.filter((d) => !inline.includes(d)) : [];

const result = await build({
  entryPoints: entries,
  entryNames: '[name]',
  chunkNames: 'chunk-[hash]',
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  external: ['@dvt/*', ...drivers],
  // CommonJS dependencies inlined into an ES module still call require() for Node's builtins.
  banner: { js: 'import { createRequire as __bundleCreateRequire } from "node:module"; const require = __bundleCreateRequire(import.meta.url);' },
  logLevel: 'warning',
  write: false,
  metafile: true,
});

// The CommonJS twin of each top-level entry: the same code as one script that the CLI's launcher
// compiles through V8's code cache (Node 20 caches no ES module; see cli/src/launch/). It sits
// beside the ES module it doubles (dist/bundle/index.cjs, or dist/index.cjs for an adapter), so
// `new URL(..., import.meta.url)` finds the same files from both. No chunks (CommonJS has none):
// a dynamic import() becomes a require() run when reached, and the launcher hands the script
// `import.meta`'s url and resolve as two extra parameters of its wrapper.
//
// `--lazy-twin <module.ts>`: that module (and what only it imports) is a twin of its own, which the
// program's dynamic import() of it requires when reached: `dvt --version` then reads and loads a
// few kilobytes, not the whole CLI.
const topLevel = entries.filter((entry) => adapter || dirname(relative('src', entry)) === '.');
const lazyPaths = new Map(lazyTwins.map((entry) => [resolve(entry), `./${basename(entry, extname(entry))}.cjs`]));
const separateLazyTwins = {
  name: 'separate-lazy-twins',
  setup(twinBuild) {
    twinBuild.onResolve({ filter: /^\./ }, (found) => {
      const twin = lazyPaths.get(resolve(found.resolveDir, found.path.replace(/\.js$/, '.ts')));
      return found.kind === 'dynamic-import' && twin ? { path: twin, external: true } : undefined;
    });
  },
};
const twins = await build({
  entryPoints: [...topLevel, ...lazyTwins],
  plugins: [separateLazyTwins],
  entryNames: '[name]',
  outdir,
  outExtension: { '.js': '.cjs' },
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  supported: { 'dynamic-import': false },
  define: { 'import.meta.url': '__dvtImportMetaUrl', 'import.meta.resolve': '__dvtImportMetaResolve' },
  external: ['@dvt/*', ...drivers],
  logLevel: 'silent',
  write: false,
});
if (twins.warnings.length > 0) {
  process.stderr.write(`bundle: the CommonJS twin would differ from the ES module:\n${twins.warnings.map((w) => `  ${w.location?.file ?? ''}:${w.location?.line ?? ''} ${w.text}`).join('\n')}\n`);
  process.exit(1);
}
if (/\bimport\.meta\b/.test(twins.outputFiles.map((f) => f.text).join(''))) {
  process.stderr.write('bundle: the CommonJS twin uses an import.meta property the launcher does not provide (only url and resolve)\n');
  process.exit(1);
}

const defaultOnly = /^export default require_\w+\(\);$/m;
for (const file of result.outputFiles) {
  if (defaultOnly.test(file.text)) {
    const output = result.metafile.outputs[relative('.', file.path)];
    const module = output?.entryPoint?.replace(/^.*node_modules\//, '') ?? 'a CommonJS package';
    process.stderr.write(`bundle: a dynamic import() of ${module} (CommonJS) would have no named exports in the bundle: import it statically\n`);
    process.exit(1);
  }
}
for (const file of result.outputFiles) {
  mkdirSync(dirname(file.path), { recursive: true });
  writeFileSync(file.path, file.contents);
}
// Each twin, as written:
// - A `#!` line is no JavaScript inside the launcher's function wrapper: it becomes a comment.
// - esbuild gives the module a dynamic import() reaches Node's semantics for a CommonJS module
//   (`default` is the whole of module.exports). What the launcher's require() returns for a package
//   is ESM compiled to CommonJS (`__esModule` set, `default` its default export), so the twin reads
//   it as esbuild reads its own output: an adapter's `(await import(entry)).default` stays the adapter.
// - What esbuild leaves outside ASCII (comments, a regular expression's class) is escaped: an
//   ASCII file reads into a one-byte string without decoding UTF-8, where one `€` would make V8
//   hold the whole megabyte in two bytes a character.
// - The first line stamps it with a hash of its content: the launcher's cache key (see twinStamp
//   in cli/src/launch/cache-location.ts).
for (const file of twins.outputFiles) {
  const code = file.text
    .replace(/^#!/, '//')
    .replace(/__toESM\((require\([^()]*\)), 1\)/g, '__toESM($1)')
    .replace(/[^\0-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  writeFileSync(file.path, withTwinStamp(code));
}

const licenses = thirdPartyLicenses(Object.keys(result.metafile.inputs));
if (licenses) writeFileSync(join(outdir, 'THIRD_PARTY_LICENSES.txt'), licenses);
else rmSync(join(outdir, 'THIRD_PARTY_LICENSES.txt'), { force: true });

for (const entry of adapter ? [] : entries) {
  const name = basename(entry, extname(entry));
  const shim = `dist/${relative('src', entry).replace(/\.ts$/, '.js')}`;
  if (shim !== `dist/${name}.js`) continue; // only top-level entries are imported by path; others load from the bundle
  const bundled = `./bundle/${name}.js`;
  if (readFileSync(entry, 'utf8').startsWith('#!')) {
    if (!launcher) {
      process.stderr.write(`bundle: ${entry} is a program (#!): name the module that starts it with --launcher\n`);
      process.exit(2);
    }
    // The launcher is inlined: its few modules, loaded one by one, were a tenth of `dvt --version`.
    await build({
      stdin: {
        contents: `import { launch } from '${launcher}';\nawait launch({ meta: import.meta, module: '${bundled}', script: '${bundled.replace(/\.js$/, '.cjs')}' });\n`,
        resolveDir: 'dist',
        sourcefile: 'launch-program.js',
      },
      outfile: shim,
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      banner: { js: `#!/usr/bin/env node\n// Generated by scripts/bundle.mjs: the program is the bundle beside this file, started by ${launcher} (inlined).` },
      logLevel: 'warning',
    });
    chmodSync(shim, 0o755);
  } else {
    writeFileSync(shim, `// Generated by scripts/bundle.mjs: the module is the bundle beside this file.\nexport * from '${bundled}';\n`);
    // Where the launcher looks for a package's CommonJS twin: beside the entry its exports name.
    writeFileSync(shim.replace(/\.js$/, '.cjs'), withTwinStamp(`// Generated by scripts/bundle.mjs: the CommonJS twin of ${name}.js, for the dvt launcher's compile cache.\nmodule.exports = require('./bundle/${name}.cjs');\n`));
  }
}

function withTwinStamp(code) {
  return `// dvt-twin ${createHash('sha256').update(code).digest('hex').slice(0, 16)}\n${code}`;
}

/**
 * The licence of every third-party package the bundle inlines, with its
 * notice text: their licences (MIT, Apache-2.0, ISC...) ask that copies carry
 * it, and a bundle is a copy.
 */
function thirdPartyLicenses(inputs) {
  const roots = new Set();
  for (const input of inputs) {
    const at = input.lastIndexOf('node_modules/');
    if (at < 0) continue;
    const rest = input.slice(at + 'node_modules/'.length).split('/');
    const name = rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
    roots.add(input.slice(0, at + 'node_modules/'.length) + name);
  }
  if (roots.size === 0) return undefined;
  const sections = [...roots].sort().map((root) => {
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const file = readdirSync(root).find((f) => /^(licen[cs]e|copying|notice)(\.|$)/i.test(f));
    const text = file ? readFileSync(join(root, file), 'utf8').trim() : `(no licence file in the package; package.json says: ${manifest.license ?? 'nothing'})`;
    return `${manifest.name}@${manifest.version} (${manifest.license ?? 'unknown'})\n\n${text}\n`;
  });
  const head = 'Third-party code inlined in this package\'s bundle, with the licence each is distributed under.\n';
  return [head, ...sections].join(`\n${'-'.repeat(72)}\n\n`);
}
