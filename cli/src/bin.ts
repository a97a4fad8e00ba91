#!/usr/bin/env node
import { helpText, parseCommandLine, UsageError } from './args.js';
import { cliVersion } from './version.js';

// Only the argument parser is loaded eagerly: `dvt --version` and `dvt --help`
// must answer without loading core, Jinja, YAML or any database driver.
async function main(argv: string[]): Promise<number> {
  let invocation;
  try {
    invocation = parseCommandLine(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`${e.message}\n`);
      return e.exitCode;
    }
    throw e;
  }
  if (invocation.flags.version) {
    process.stdout.write(`dvt ${cliVersion()}\n`);
    return 0;
  }
  if (invocation.flags.help || !invocation.command) {
    process.stdout.write(`${helpText(invocation.command)}\n`);
    return invocation.command || invocation.flags.help ? 0 : 2;
  }
  const { runInvocation } = await import('./main.js');
  return runInvocation(invocation);
}

// `dvt ls | head`: a reader that stops early is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

main(process.argv.slice(2)).then(
  (code) => exit(code),
  (e: unknown) => {
    const debug = process.argv.includes('--debug') || process.argv.includes('-d');
    process.stderr.write(`Internal error: ${e instanceof Error ? (debug ? (e.stack ?? e.message) : e.message) : String(e)}\n`);
    exit(2);
  },
);

// Exit once stdout has drained; a pooled connection left open must not keep the process alive.
function exit(code: number): void {
  process.stdout.write('', () => process.exit(code));
}
