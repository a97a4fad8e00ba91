import { cp, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { booleanFlag, UsageError } from '../args.js';
import type { CommandContext } from '../main.js';

const TEMPLATE_DIR = fileURLToPath(new URL('../../templates/starter', import.meta.url));
const NAME_PLACEHOLDER = '__PROJECT_NAME__';
// Files whose text names the project.
const TEXT_FILES = ['dbt_project.yml', 'profiles.yml', 'README.md'];

/** dbt's rule for project names: they become Jinja identifiers and schema names. */
const PROJECT_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `dvt init NAME`: a runnable starter project with a DuckDB profile beside it. */
export default async function init({ invocation, log, cwd }: CommandContext): Promise<number> {
  const name = invocation.positional;
  if (!name) throw new UsageError("dvt init needs a project name: 'dvt init my_project'.");
  if (!PROJECT_NAME.test(name)) {
    throw new UsageError(`'${name}' is not a valid project name: use letters, digits and underscores, not starting with a digit.`);
  }
  const dir = resolve(cwd, name);
  if (await isNonEmptyDirectory(dir)) {
    throw new UsageError(`${dir} already exists and is not empty; choose another name or remove it.`);
  }
  if (await exists(dir) && !(await stat(dir)).isDirectory()) {
    throw new UsageError(`${dir} exists and is not a directory.`);
  }

  // Not recursive: the parent is the working directory, and Node's recursive mkdir spins forever on
  // a parent that refuses new entries (e.g. /proc).
  try {
    await mkdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new UsageError(`Cannot create ${dir}: ${(e as Error).message}`);
  }
  await cp(TEMPLATE_DIR, dir, { recursive: true });
  // npm drops `.gitignore` from published packages, so the template ships it as `_gitignore`.
  await rename(join(dir, '_gitignore'), join(dir, '.gitignore'));
  for (const file of TEXT_FILES) {
    const path = join(dir, file);
    await writeFile(path, (await readFile(path, 'utf8')).split(NAME_PLACEHOLDER).join(name));
  }
  const skipProfile = booleanFlag(invocation, 'skip-profile-setup');
  if (skipProfile) await rm(join(dir, 'profiles.yml'));

  const shown = relative(cwd, dir) || '.';
  log.info('ProjectCreated', (p) =>
    [
      `Created ${p.bold(name)} in ${dir}`,
      skipProfile
        ? `No profiles.yml written (--skip-profile-setup): add a '${name}' profile to ~/.dvt/profiles.yml or ~/.dbt/profiles.yml.`
        : `Its profile (profiles.yml, in the project) builds into DuckDB: ${name}.duckdb.`,
      '',
      'Next:',
      `  cd ${shown}`,
      '  dvt build',
      `  dvt show --select rider_summary`,
    ].join('\n'),
  { name, path: dir, profile_written: !skipProfile });
  return 0;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function isNonEmptyDirectory(path: string): Promise<boolean> {
  try {
    return (await readdir(path)).length > 0;
  } catch {
    return false;
  }
}
