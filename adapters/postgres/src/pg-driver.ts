import { createRequire } from 'node:module';

/**
 * The `pg` driver, loaded without Node's fetch implementation. When pg loads it checks whether it
 * runs on Cloudflare Workers: with no `navigator` global (Node 20; Node 21+ has one) it constructs
 * a `Response`, and that first use of the global makes Node 20 load undici, about a tenth of a
 * `dvt seed` process's start-up. A stand-in `navigator` exists only during the synchronous
 * require, so no other code can see it.
 */
function loadPg(): typeof import('pg') {
  const require = createRequire(import.meta.url);
  const scope = globalThis as { navigator?: unknown };
  const standIn = scope.navigator === undefined;
  if (standIn) scope.navigator = { userAgent: `Node.js/${process.versions.node}` };
  try {
    return require('pg') as typeof import('pg');
  } finally {
    if (standIn) delete scope.navigator;
  }
}

const pg = loadPg();
export default pg;
