import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { booleanFlag, stringFlag, UsageError } from '../args.js';
import { generateDocs } from '../docs/generate.js';
import { docsServer, listen } from '../docs/server.js';
import type { CommandContext } from '../main.js';
import { plural } from '../output/lines.js';
import { absoluteTargetPath, openSession, projectLoadOptions } from '../session.js';

/** `dvt docs generate [--static]` and `dvt docs serve [--port N] [--host H] [--no-browser]`. */
export default async function docs(ctx: CommandContext): Promise<number> {
  const sub = ctx.invocation.positional;
  if (sub === 'generate') return generate(ctx);
  if (sub === 'serve') return serve(ctx);
  throw new UsageError(`'dvt docs' needs 'generate' or 'serve'${sub ? `, not '${sub}'` : ''}.`);
}

async function generate(ctx: CommandContext): Promise<number> {
  const started = performance.now();
  const session = await openSession(ctx);
  const result = await generateDocs(session, ctx, { staticFile: booleanFlag(ctx.invocation, 'static') });
  const shown = (path: string) => relative(ctx.cwd, path) || path;
  ctx.log.info(
    'CatalogWritten',
    `Catalog written to ${shown(join(session.targetPath, 'catalog.json'))}: ${plural(result.nodes, 'node')} and ${plural(result.sources, 'source')} read from ${Object.entries(result.seconds)
      .map(([output, s]) => `${output} (${s.toFixed(2)}s)`)
      .join(', ') || 'no connection'}`,
    { nodes: result.nodes, sources: result.sources, outputs: result.seconds, errors: result.errors },
  );
  ctx.log.info('DocsWritten', `Docs written in ${((performance.now() - started) / 1000).toFixed(2)}s: ${result.files.map(shown).join(', ')}`, { files: result.files });
  // An unreachable output is reported (above, and in catalog.json's errors) but the docs are still written: not a failure.
  return result.compiled ? 0 : 1;
}

function port(ctx: CommandContext): number {
  const raw = stringFlag(ctx.invocation, 'port') ?? '8080';
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--port expects a port number (0-65535), got '${raw}'.`);
  return n;
}

async function serve(ctx: CommandContext): Promise<number> {
  const core = await import('@dvt/core');
  const project = core.loadProject(projectLoadOptions(ctx));
  const targetPath = absoluteTargetPath(project);
  if (!existsSync(join(targetPath, 'index.html'))) {
    throw new core.DvtError('runtime', `No docs in ${relative(ctx.cwd, targetPath) || targetPath}: run 'dvt docs generate' first.`);
  }
  const host = stringFlag(ctx.invocation, 'host') ?? '127.0.0.1';
  const server = docsServer(targetPath);
  const bound = await listen(server, host, port(ctx));
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${bound}/`;
  ctx.log.info('DocsServing', `Serving docs at ${url} (Ctrl+C to stop)`, { url, port: bound, host });
  if (!booleanFlag(ctx.invocation, 'no-browser')) openBrowser(url);
  await new Promise<void>((resolve) => {
    const stop = () => server.close(() => resolve());
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}

/** Best effort: a desktop may have no opener, and serving goes on without one. */
function openBrowser(url: string): void {
  const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  try {
    const child = spawn(opener, [url], { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // no opener installed
  }
}
