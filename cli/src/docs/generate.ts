import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AdapterDefinition, CompiledInfo } from '@dvt/core';
import type { EngineInfo, Manifest } from '@dvt/docs-site';
import type { CommandContext } from '../main.js';
import { RunReporter } from '../output/run-report.js';
import { selectFromFlags } from '../selection.js';
import type { Session } from '../session.js';
import { usedOutputs } from '../session.js';
import { readCatalog } from './catalog.js';
import { movementPaths } from './movement.js';

export interface GenerateResult {
  files: string[];
  nodes: number;
  sources: number;
  errors: string[];
  /** Whether every node compiled (compiled SQL is on the pages). */
  compiled: boolean;
  seconds: Record<string, number>;
}

/**
 * Compiles the project, then writes target/manifest.json (with compiled SQL),
 * catalog.json, dvt.json and index.html; with `staticFile` also
 * static_index.html, the site with everything embedded.
 */
export async function generateDocs(session: Session, ctx: CommandContext, opts: { staticFile: boolean }): Promise<GenerateResult> {
  const core = await import('@dvt/core');
  const site = await import('@dvt/docs-site');
  const { project, targetPath } = session;
  const adapters = new Map<string, AdapterDefinition>();
  const engines: Record<string, EngineInfo> = {};
  for (const output of usedOutputs(project)) {
    const adapter = await session.resolveAdapter(output.type).catch(() => undefined);
    if (!adapter) continue;
    adapters.set(output.type, adapter);
    engines[output.name] = { type: adapter.type, displayName: adapter.displayName, color: adapter.color };
  }
  const metadata = { invocationId: session.invocationId, invocationStartedAt: session.startedAt, env: core.customEnv(ctx.env) };
  const [outcome, catalogRead] = await Promise.all([
    core.runCommand({
      command: 'compile',
      project,
      compiler: session.compiler,
      selection: await selectFromFlags(project, ctx.invocation, ctx.log),
      targetPath,
      resolveAdapter: session.resolveAdapter,
      events: new RunReporter(ctx.log, (id) => project.nodes.get(id), { perNode: false }).handle,
    }),
    readCatalog({ project, resolveAdapter: session.resolveAdapter, log: ctx.log, mask: (text) => ctx.log.mask(text) }),
  ]);
  const compiled = new Map<string, CompiledInfo>();
  for (const r of outcome.results) {
    if (r.compiled_code !== null) compiled.set(r.unique_id, { compiled_code: r.compiled_code, relation_name: r.relation_name });
  }
  const manifestJson = core.buildManifest(project, { ...metadata, compiled });
  const manifestPath = join(targetPath, 'manifest.json');
  writeFileSync(manifestPath, JSON.stringify(manifestJson));
  const manifest = manifestJson as unknown as Manifest;
  const catalogPath = core.writeCatalog(targetPath, catalogRead.input, metadata);
  const movement = await movementPaths(project, adapters);
  const dvt = site.buildDocsInfo({ manifest, engines, defaultTarget: project.profile.target, ...movement });
  const dvtPath = join(targetPath, 'dvt.json');
  writeFileSync(dvtPath, JSON.stringify(dvt));
  const files = [manifestPath, catalogPath, dvtPath];
  const indexPath = join(targetPath, 'index.html');
  writeFileSync(indexPath, site.renderIndexHtml());
  files.push(indexPath);
  if (opts.staticFile) {
    const catalog = core.buildCatalog(catalogRead.input, metadata) as unknown as Parameters<typeof site.renderStaticHtml>[0]['catalog'];
    const staticPath = join(targetPath, 'static_index.html');
    writeFileSync(staticPath, site.renderStaticHtml({ manifest: slimManifest(manifest), catalog, dvt }));
    files.push(staticPath);
  }
  return {
    files,
    nodes: catalogRead.input.nodes.length,
    sources: catalogRead.input.sources.length,
    errors: catalogRead.input.errors,
    compiled: outcome.success,
    seconds: catalogRead.seconds,
  };
}

/** The manifest without what the site never reads (macros' SQL is most of a big manifest). */
function slimManifest(manifest: Manifest): Manifest {
  const { metadata, nodes, sources, exposures, docs, parent_map, child_map } = manifest;
  return { metadata, nodes, sources, exposures, docs, parent_map, child_map };
}
