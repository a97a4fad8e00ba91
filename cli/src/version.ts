import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The CLI's own version, read from its package.json (no JSON import: keeps startup cheap). The
 * file is looked for upwards: this module runs from src/, dist/ or the bundle in dist/bundle/.
 */
export function cliVersion(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (!existsSync(manifest)) continue;
    const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === 'dvt' && pkg.version !== undefined) return pkg.version;
  }
  throw new Error(`dvt's package.json was not found above ${fileURLToPath(import.meta.url)}`);
}
