import { parse as parseYaml } from 'yaml';
import { stringFlag, UsageError } from '../args.js';
import type { CommandContext } from '../main.js';
import { writeRunResultsFile } from '../artifacts.js';
import { openSession } from '../session.js';

/**
 * `dvt run-operation MACRO --args '{...}'`: calls one macro with execute on,
 * its database calls served by the bridge. What it returns is discarded, as
 * in dbt; what it logs is the output; target/run_results.json records it.
 * A failing macro exits 1.
 */
export default async function runOperation(ctx: CommandContext): Promise<number> {
  const { invocation, log } = ctx;
  const macro = invocation.positional;
  if (!macro) throw new UsageError("dvt run-operation needs a macro name: dvt run-operation MACRO [--args '{...}'].");
  const kwargs = macroArgs(stringFlag(invocation, 'args'));
  const session = await openSession(ctx, { database: true });
  try {
    const { isDvtError, operationResult } = await import('@dvt/core');
    const root = session.project.config.name;
    const [pkg, name] = macro.includes('.') ? (macro.split('.', 2) as [string, string]) : [undefined, macro];
    const found = pkg ? session.compiler.registry.inPackage(pkg, name) : session.compiler.registry.resolve(name, root);
    if (!found) throw new UsageError(`No macro named '${macro}' in the project or its packages.`);
    const started = new Date();
    let failure: unknown;
    try {
      session.compiler.callMacro(macro, [], kwargs, { adapterType: session.project.profile.outputs[session.project.profile.target]?.type });
    } catch (e) {
      if (!isDvtError(e)) throw e;
      failure = e;
    }
    const completed = new Date();
    const elapsed = (completed.getTime() - started.getTime()) / 1000;
    // As dbt: target/run_results.json holds the operation's one result, failed or not.
    await writeRunResultsFile(session, ctx, [operationResult(found.definition, failure === undefined, started, completed)], elapsed);
    if (isDvtError(failure)) {
      log.error('RunOperationError', (p) => p.red(`Encountered an error while running operation: ${failure.format()}`));
      return 1;
    }
    log.debug('RunOperationSuccess', `Ran operation ${macro} in ${elapsed.toFixed(2)}s`);
    return 0;
  } finally {
    await session.close();
  }
}

function macroArgs(text: string | undefined): Record<string, unknown> {
  if (text === undefined || text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (e) {
    throw new UsageError(`--args is not valid YAML or JSON: ${(e as Error).message.split('\n')[0]}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new UsageError(`--args must be a YAML or JSON mapping such as '{"table": "orders"}', got ${JSON.stringify(text)}.`);
  }
  return parsed as Record<string, unknown>;
}
