import { spawn } from 'node:child_process';
import { shellLine } from './package-manager.js';

export interface InstallResult {
  code: number;
  /** stdout and stderr as they came. */
  output: string;
}

/** Runs the package manager in `cwd`; resolves with its exit code and output, rejects only when it cannot start. */
export function runInstall(argv: readonly string[], cwd: string, env: NodeJS.ProcessEnv, onLine?: (line: string) => void): Promise<InstallResult> {
  const [command, ...args] = argv as [string, ...string[]];
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let pending = '';
    const take = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      output += text;
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) onLine?.(line);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (pending) onLine?.(pending);
      resolve({ code: code ?? (signal ? 128 : 1), output });
    });
  });
}

const NOT_FOUND = [
  /\bE404\b/,
  /404 Not Found/i,
  /ERR_PNPM_FETCH_404/,
  /ERR_PNPM_NO_MATCHING_VERSION/,
  /Couldn't find package/i,
  /error: package "[^"]+" not found/i,
  /\b404\b.*\bnot found\b/i,
];

/** Whether a failed install failed because the registry does not have a package (or that version). */
export function isNotFound(output: string): boolean {
  return NOT_FOUND.some((re) => re.test(output));
}

/** The last lines of a tool's output, enough to show why it failed. */
export function tail(output: string, lines = 15): string {
  return output.trimEnd().split('\n').slice(-lines).join('\n');
}

/** The user-facing message for a failed install. */
export function installFailure(argv: readonly string[], result: InstallResult, packages: readonly string[]): string {
  const head = isNotFound(result.output)
    ? `The registry has no package ${packages.length === 1 ? packages[0] : `among ${packages.join(', ')}`} (${shellLine(argv)} exited with ${result.code}).\n` +
      `Check the output's type in profiles.yml, or name the package with adapter: <package> on the output; --from DIR installs from a directory of tarballs.`
    : `Installing ${packages.join(', ')} failed: ${shellLine(argv)} exited with ${result.code}.`;
  return `${head}\n${tail(result.output)}`;
}
