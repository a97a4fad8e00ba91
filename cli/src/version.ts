import { readFileSync } from 'node:fs';

/** The CLI's own version, read from its package.json (no JSON import: keeps startup cheap). */
export function cliVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
