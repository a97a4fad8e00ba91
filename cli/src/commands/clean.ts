import { readFile, rm } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
// Static: this module loads only for `dvt clean`, and in the bundle a dynamic import() of a
// CommonJS package such as yaml would expose only its default export.
import { parseDocument } from 'yaml';
import { stringFlag } from '../args.js';
import type { CommandContext } from '../main.js';

/** Source folders that clean never deletes, whatever clean-targets says. */
const PROTECTED_KEYS = ['model-paths', 'seed-paths', 'macro-paths', 'test-paths', 'snapshot-paths', 'analysis-paths', 'docs-paths'];
const PROTECTED_DEFAULTS = ['models', 'seeds', 'macros', 'tests', 'snapshots', 'analyses'];

/**
 * `dvt clean`: delete the project's clean-targets (default: the target path
 * and dbt_packages) and dvt's own `.dvt/` cache. Reads dbt_project.yml
 * directly: cleaning needs no profile or connection.
 */
export default async function clean({ invocation, log, cwd }: CommandContext): Promise<number> {
  const projectDir = resolve(cwd, stringFlag(invocation, 'project-dir') ?? '.');
  const config = await readProjectFile(projectDir);
  const targetPath = typeof config['target-path'] === 'string' ? config['target-path'] : 'target';
  const targets = stringList(config['clean-targets']) ?? [targetPath, 'dbt_packages'];
  const protectedDirs = new Set(
    [...PROTECTED_DEFAULTS, ...PROTECTED_KEYS.flatMap((k) => stringList(config[k]) ?? [])].map((p) => resolve(projectDir, p)),
  );

  const { DvtError } = await import('@dvt/core');
  for (const target of [...targets, '.dvt']) {
    const path = resolve(projectDir, target);
    const rel = relative(projectDir, path);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel) || protectedDirs.has(path)) {
      throw new DvtError('config', `clean-targets entry '${target}' is the project, outside it, or a source folder; refusing to delete it.`, {
        location: { file: 'dbt_project.yml' },
      });
    }
    await rm(path, { recursive: true, force: true });
    log.info('CleanedPath', `Cleaned ${rel}/`, { path });
  }
  log.info('Finished', 'Finished cleaning all paths.');
  return 0;
}

async function readProjectFile(projectDir: string): Promise<Record<string, unknown>> {
  const { DvtError } = await import('@dvt/core');
  const file = join(projectDir, 'dbt_project.yml');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new DvtError('config', `No dbt_project.yml found in ${projectDir}. Run dvt inside a project or pass --project-dir.`);
  }
  const doc = parseDocument(text);
  const [first] = doc.errors;
  if (first) {
    throw new DvtError('config', `Invalid YAML: ${first.message.split('\n')[0]}`, {
      location: { file: 'dbt_project.yml', line: first.linePos?.[0].line },
    });
  }
  const value: unknown = doc.toJS();
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
}

function stringList(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : undefined;
}
