import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// pg checks for Cloudflare Workers when it loads; without a `navigator` global (Node 20) that
// check makes Node load undici. The adapter loads pg with a stand-in navigator that only pg sees.

const run = promisify(execFile);
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const built = path.join(root, 'dist', 'index.js');
const probe = `
  const before = typeof globalThis.navigator;
  const adapter = (await import(process.argv[1])).default;
  console.log(JSON.stringify({ before, after: typeof globalThis.navigator, undici: process.moduleLoadList.some((m) => m.includes('undici')), type: adapter.type }));
`;

/** Node 21+ has a navigator of its own: nothing to check there. */
const nodeHasNavigator = typeof (globalThis as { navigator?: unknown }).navigator === 'object';

async function loadIn(entry: string): Promise<{ before: string; after: string; undici: boolean; type: string }> {
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', probe, entry]);
  return JSON.parse(stdout) as { before: string; after: string; undici: boolean; type: string };
}

describe('loading pg', () => {
  it.skipIf(!existsSync(built) || nodeHasNavigator)('leaves no navigator behind and no undici loaded, from the bundle that inlines pg', async () => {
    expect(await loadIn(built)).toEqual({ before: 'undefined', after: 'undefined', undici: false, type: 'postgres' });
  });

  it.skipIf(nodeHasNavigator)('does the same from the compiled modules, where pg is required at run time', async () => {
    expect(await loadIn(path.join(root, 'dist', 'pg-driver.js'))).toMatchObject({ before: 'undefined', after: 'undefined', undici: false });
  });
});
