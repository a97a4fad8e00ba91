import type { CommandName, Invocation } from './args.js';
import { stringFlag, UsageError } from './args.js';
import { Log } from './output/log.js';
import { LiveLines, showsLiveLines } from './output/live.js';
import { COLOURS, PLAIN, useColours } from './output/paint.js';

export interface CommandContext {
  invocation: Invocation;
  log: Log;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** A command returns its exit code: 0 success, 1 a node failed. Errors are thrown. */
export type Command = (ctx: CommandContext) => Promise<number>;

// Each command is its own module, imported only when run.
const COMMAND_MODULES: Record<CommandName, () => Promise<{ default: Command }>> = {
  init: () => import('./commands/init.js'),
  clean: () => import('./commands/clean.js'),
  debug: () => import('./commands/debug.js'),
  parse: () => import('./commands/parse.js'),
  compile: () => import('./commands/compile.js'),
  list: () => import('./commands/list.js'),
  seed: () => import('./commands/run.js'),
  run: () => import('./commands/run.js'),
  test: () => import('./commands/run.js'),
  build: () => import('./commands/run.js'),
  show: () => import('./commands/show.js'),
  docs: () => import('./commands/docs.js'),
  sync: () => import('./commands/sync.js'),
  'run-operation': () => import('./commands/run-operation.js'),
  source: () => import('./commands/source-freshness.js'),
  retry: () => import('./commands/retry.js'),
  snapshot: () => import('./commands/run.js'),
  clone: () => import('./commands/run.js'),
  deps: () => import('./commands/deps.js'),
  retract: () => import('./commands/retract.js'),
};

export async function runInvocation(invocation: Invocation, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const command = invocation.command as CommandName;
  const format = stringFlag(invocation, 'log-format') === 'json' ? 'json' : 'text';
  const quiet = invocation.flags.quiet === true;
  const log = new Log({
    format,
    paint: useColours(process.stdout, env) ? COLOURS : PLAIN,
    debug: invocation.flags.debug === true,
    quiet,
    warnError: invocation.flags['warn-error'] === true,
    ...(showsLiveLines(process.stdout, env, format, quiet) ? { live: new LiveLines(process.stdout) } : {}),
  });
  try {
    const { default: run } = await COMMAND_MODULES[command]();
    const code = await run({ invocation, log, cwd: process.cwd(), env });
    // dbt's --warn-error: a command that warned fails.
    return code === 0 && log.warnedAsError ? 1 : code;
  } catch (e) {
    return reportError(e, log);
  }
}

interface PrintableError extends Error {
  format(): string;
  exitCode: number;
}

/** Core's DvtError, recognised by shape: a second installed copy of core must still be recognised. */
function isUserError(e: unknown): e is PrintableError {
  return e instanceof Error && e.name === 'DvtError' && typeof (e as Partial<PrintableError>).format === 'function';
}

function reportError(e: unknown, log: Log): number {
  if (e instanceof UsageError) {
    log.error('UsageError', e.message);
    return e.exitCode;
  }
  if (isUserError(e)) {
    log.error('DvtError', (p) => p.red(e.format()), { kind: (e as { kind?: string }).kind });
    if (log.debugEnabled && e.stack) log.debug('StackTrace', e.stack);
    return e.exitCode;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  log.error('InternalError', (p) => p.red(`Internal error: ${err.message}`));
  if (log.debugEnabled && err.stack) log.error('StackTrace', err.stack);
  return 2;
}
