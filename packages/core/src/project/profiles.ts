import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { DvtError } from '../errors.js';
import type { Profile, ProfileOutput } from './types.js';
import { renderYamlTree } from './render.js';
import { isRecord, parseYaml } from './yaml.js';

export const PROFILES_FILE = 'profiles.yml';

export interface ProfileSearch {
  profilesDir?: string;
  projectDir: string;
  env: Record<string, string | undefined>;
}

/**
 * Where profiles.yml may live, in the order dvt looks: --profiles-dir,
 * DVT_PROFILES_DIR, DBT_PROFILES_DIR, the project directory, ~/.dvt, ~/.dbt.
 */
export function profileSearchPath({ profilesDir, projectDir, env }: ProfileSearch): string[] {
  const home = env.HOME ?? env.USERPROFILE ?? homedir();
  const dirs = [profilesDir, env.DVT_PROFILES_DIR, env.DBT_PROFILES_DIR, projectDir, join(home, '.dvt'), join(home, '.dbt')];
  return dirs.filter((d): d is string => typeof d === 'string' && d !== '').map((d) => resolve(d));
}

export function findProfilesFile(search: ProfileSearch): string {
  const dirs = profileSearchPath(search);
  // An explicit --profiles-dir is a promise: do not fall back past it.
  const candidates = search.profilesDir ? dirs.slice(0, 1) : dirs;
  for (const dir of candidates) {
    const file = join(dir, PROFILES_FILE);
    if (existsSync(file)) return file;
  }
  throw new DvtError('config', `Could not find ${PROFILES_FILE}. Looked in:\n${candidates.map((d) => `  - ${d}`).join('\n')}`);
}

export interface ProfileLoadOptions extends ProfileSearch {
  profileName: string;
  target?: string;
  cliVars: Record<string, unknown>;
}

/**
 * Load one profile and render it (env_var, var with --vars). Values read from
 * DBT_ENV_SECRET_* variables are recorded in the profile's non-enumerable
 * `secrets` list so printers can mask them; they never serialise.
 */
export function loadProfile(options: ProfileLoadOptions): Profile {
  const path = findProfilesFile(options);
  const source = parseYaml(readFileSync(path, 'utf8'), path);
  const all = source.value;
  if (!options.profileName) {
    throw new DvtError('config', `dbt_project.yml has no 'profile:' key: name the profile in ${path} to use`, { location: { file: 'dbt_project.yml' } });
  }
  const names = isRecord(all) ? Object.keys(all).filter((k) => k !== 'config') : [];
  const entry = isRecord(all) ? all[options.profileName] : undefined;
  if (!isRecord(entry) || options.profileName === 'config') {
    throw new DvtError(
      'config',
      `Could not find profile named '${options.profileName}' in ${path}` + (names.length ? ` (profiles there: ${names.join(', ')})` : ''),
    );
  }
  const secrets: string[] = [];
  const context = {
    env: options.env,
    allowSecrets: true,
    onSecret: (value: string) => secrets.push(value),
    lookupVar: (name: string) => (Object.prototype.hasOwnProperty.call(options.cliVars, name) ? options.cliVars[name] : undefined),
  };
  // The outputs render one by one below, once the target is known.
  renderYamlTree(source, entry, context, (path) => path.length === 1 && path[0] === 'outputs');

  const outputs = entry.outputs;
  if (!isRecord(outputs) || Object.keys(outputs).length === 0) {
    throw new DvtError('config', `Profile '${options.profileName}' has no outputs`, { location: { file: path, line: source.lineOf(entry) } });
  }
  const target = options.target ?? (typeof entry.target === 'string' ? entry.target : 'default');
  if (!isRecord(outputs[target])) {
    throw new DvtError(
      'config',
      `The profile '${options.profileName}' does not have a target named '${target}'. Valid targets: ${Object.keys(outputs).join(', ')}`,
      { location: { file: path, line: source.lineOf(entry, options.target === undefined ? 'target' : undefined) } },
    );
  }
  const parsedOutputs: Record<string, ProfileOutput> = {};
  const unrendered = new Map<string, string>();
  for (const [name, raw] of Object.entries(outputs)) {
    if (!isRecord(raw)) continue;
    const line = source.lineOf(outputs, name);
    if (name === target) {
      renderYamlTree(source, raw, context, () => false);
    } else {
      // As dbt, only the chosen output must render: the others may read env vars set on other machines.
      // One that does not render is left out; naming it as a connection or target says why.
      try {
        renderYamlTree(source, raw, context, () => false);
      } catch (error) {
        unrendered.set(name, (error as Error).message);
        continue;
      }
    }
    if (typeof raw.type !== 'string' || raw.type === '') {
      // Only the chosen output must be usable; others may belong to other machines.
      if (name === target) throw new DvtError('config', `Output '${name}' of profile '${options.profileName}' has no 'type'`, { location: { file: path, line } });
      continue;
    }
    const { type, threads, adapter, ...rest } = raw;
    const threadCount = threads === undefined || threads === null ? 1 : Number(threads);
    if (!Number.isInteger(threadCount) || threadCount < 1) {
      throw new DvtError('config', `'threads' of output '${name}' must be a positive integer`, { location: { file: path, line: source.lineOf(raw, 'threads') } });
    }
    parsedOutputs[name] = {
      name,
      type,
      ...(typeof adapter === 'string' ? { adapter } : {}),
      threads: threadCount,
      config: rest,
    };
  }
  const profile: Profile = { name: options.profileName, target, outputs: parsedOutputs, path };
  Object.defineProperty(profile, 'secrets', { value: secrets, enumerable: false });
  Object.defineProperty(profile, 'unrendered', { value: unrendered, enumerable: false });
  return profile;
}

/** Why an output of profiles.yml is missing from the profile (it did not render), for errors that name it. */
export function unrenderedOutputReason(profile: Profile, name: string): string | undefined {
  const reason = (profile as { unrendered?: Map<string, string> }).unrendered?.get(name);
  return reason === undefined ? undefined : `output '${name}' of profiles.yml could not be rendered: ${reason}`;
}

/** Secret values a profile read from DBT_ENV_SECRET_* variables. */
export function profileSecrets(profile: Profile): readonly string[] {
  return (profile as { secrets?: string[] }).secrets ?? [];
}

