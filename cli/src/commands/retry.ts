import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { COMMANDS, UsageError, type CommandName, type FlagName, type Invocation } from '../args.js';
import type { CommandContext } from '../main.js';
import { projectDirOf } from '../session.js';
import { runNodes } from './run.js';

/** Statuses dbt retries: what failed, and what never ran because of it. */
const RETRYABLE = new Set(['error', 'fail', 'skipped', 'runtime error']);
const RETRYABLE_COMMANDS = new Set<CommandName>(['run', 'build', 'seed', 'test', 'snapshot']);
/** Flags of the previous run that choose nodes: retry chooses from its results instead. */
const SELECTION_FLAGS = new Set<FlagName>(['select', 'exclude', 'selector', 'resource-type']);
/** Flags a retry may set itself, overriding the previous run's. */
const RETRY_OVERRIDES: FlagName[] = ['project-dir', 'profiles-dir', 'profile', 'target', 'vars', 'threads', 'fail-fast', 'log-format', 'quiet', 'debug'];

interface PreviousRun {
  args: Record<string, unknown>;
  results: { unique_id: string; status: string }[];
}

/**
 * `dvt retry`: runs again, with the previous command and flags (from
 * run_results.json `args`), the nodes that errored, failed or were skipped in
 * the previous run. Nothing to retry when everything passed.
 */
export default async function retry(ctx: CommandContext): Promise<number> {
  const projectDir = projectDirOf(ctx);
  const path = join(targetPathOf(projectDir), 'run_results.json');
  if (!existsSync(path)) throw new UsageError(`Nothing to retry: ${path} does not exist (run a command first).`);
  const previous = readPrevious(path);
  const command = previous.args.which as CommandName;
  if (!RETRYABLE_COMMANDS.has(command)) {
    throw new UsageError(`Nothing to retry: the previous command in ${path} was '${String(previous.args.which)}' (retry follows run, build, seed, test and snapshot).`);
  }
  const toRetry = new Set(previous.results.filter((r) => RETRYABLE.has(r.status)).map((r) => r.unique_id));
  if (toRetry.size === 0) {
    ctx.log.info('NothingToDo', `Nothing to retry: every node of the previous '${command}' succeeded.`);
    return 0;
  }
  const invocation = replayedInvocation(command, previous.args, ctx.invocation);
  ctx.log.info('RetryingNodes', `Retrying ${toRetry.size} node${toRetry.size === 1 ? '' : 's'} of the previous '${command}'`, { unique_ids: [...toRetry] });
  return runNodes({ ...ctx, invocation }, (project) => [...toRetry].filter((id) => project.nodes.has(id) || project.unitTests.has(id)));
}

/** The previous invocation rebuilt from run_results `args` (snake_case flag names), with retry's own flags on top. */
export function replayedInvocation(command: CommandName, args: Record<string, unknown>, current: Invocation): Invocation {
  const allowed = new Set<FlagName>(COMMANDS[command].flags);
  const flags: Invocation['flags'] = {};
  for (const [key, value] of Object.entries(args)) {
    const name = key.replace(/_/g, '-') as FlagName;
    if (!allowed.has(name) || SELECTION_FLAGS.has(name)) continue;
    if (typeof value === 'string' || typeof value === 'boolean' || (Array.isArray(value) && value.every((v) => typeof v === 'string'))) flags[name] = value;
  }
  for (const name of RETRY_OVERRIDES) {
    if (current.flags[name] !== undefined) flags[name] = current.flags[name];
  }
  return { command, flags, positional: undefined };
}

function readPrevious(path: string): PreviousRun {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UsageError(`Cannot retry: ${path} is not readable JSON (${(e as Error).message}).`);
  }
  const record = parsed as Partial<PreviousRun>;
  if (!record || typeof record.args !== 'object' || record.args === null || !Array.isArray(record.results)) {
    throw new UsageError(`Cannot retry: ${path} has no args and results (not a run_results.json).`);
  }
  return record as PreviousRun;
}

/** The project's target-path as dbt_project.yml sets it (retry reads results before loading anything else). */
function targetPathOf(projectDir: string): string {
  let configured: unknown;
  try {
    configured = (parseYaml(readFileSync(join(projectDir, 'dbt_project.yml'), 'utf8')) as Record<string, unknown> | null)?.['target-path'];
  } catch {
    configured = undefined;
  }
  const targetPath = typeof configured === 'string' && configured !== '' ? configured : 'target';
  return isAbsolute(targetPath) ? targetPath : join(projectDir, targetPath);
}

