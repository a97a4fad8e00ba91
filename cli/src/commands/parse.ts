import { relative } from 'node:path';
import { writeManifestFile } from '../artifacts.js';
import type { CommandContext } from '../main.js';
import { plural } from '../output/lines.js';
import { openSession } from '../session.js';

/** `dvt parse`: load and parse the project, check the graph, write target/manifest.json. */
export default async function parse(ctx: CommandContext): Promise<number> {
  const { buildGraph, assertAcyclic } = await import('@dvt/core');
  const started = performance.now();
  const session = await openSession(ctx);
  assertAcyclic(buildGraph(session.project));
  const path = await writeManifestFile(session, ctx);
  const { staticParsed, parseRendered } = session.compiler.stats;
  ctx.log.info(
    'ParseDone',
    `Parsed ${plural(session.project.nodes.size, 'node')} (${staticParsed} by the static parser, ${parseRendered} rendered) in ${((performance.now() - started) / 1000).toFixed(2)}s; wrote ${relative(ctx.cwd, path) || path}`,
    { nodes: session.project.nodes.size, static_parsed: staticParsed, rendered: parseRendered, manifest: path },
  );
  return 0;
}
