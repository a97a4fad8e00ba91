import type { CompiledInfo, RunOutcome, RunResult } from '@dvt/core';
import type { CommandContext } from './main.js';
import type { Session } from './session.js';

/** The flags of this invocation as run_results.json `args` records them (dbt's snake_case names). */
function invocationArgs(ctx: CommandContext): Record<string, unknown> {
  const args: Record<string, unknown> = { which: ctx.invocation.command };
  for (const [flag, value] of Object.entries(ctx.invocation.flags)) args[flag.replace(/-/g, '_')] = value;
  return args;
}

async function metadata(session: Session, ctx: CommandContext) {
  const { customEnv } = await import('@dvt/core');
  return { invocationId: session.invocationId, invocationStartedAt: session.startedAt, env: customEnv(ctx.env) };
}

/** target/manifest.json, with what a run compiled when there was a run; returns its path. */
export async function writeManifestFile(session: Session, ctx: CommandContext, outcome?: RunOutcome): Promise<string> {
  const { writeManifest } = await import('@dvt/core');
  const compiled = new Map<string, CompiledInfo>();
  for (const r of outcome?.results ?? []) {
    if (r.compiled_code !== null) compiled.set(r.unique_id, { compiled_code: r.compiled_code, relation_name: r.relation_name });
  }
  return writeManifest(session.targetPath, session.project, { ...(await metadata(session, ctx)), compiled });
}

/** target/manifest.json and target/run_results.json after a run. */
export async function writeArtifacts(session: Session, ctx: CommandContext, outcome: RunOutcome): Promise<void> {
  const { writeRunResults } = await import('@dvt/core');
  await writeManifestFile(session, ctx, outcome);
  writeRunResults(session.targetPath, outcome.results, invocationArgs(ctx), outcome.elapsed, await metadata(session, ctx));
}

/** target/run_results.json for a command with no run of nodes (run-operation's one result). */
export async function writeRunResultsFile(session: Session, ctx: CommandContext, results: readonly RunResult[], elapsed: number): Promise<void> {
  const { writeRunResults } = await import('@dvt/core');
  writeRunResults(session.targetPath, results, invocationArgs(ctx), elapsed, await metadata(session, ctx));
}
