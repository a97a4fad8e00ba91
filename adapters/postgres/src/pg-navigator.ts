/**
 * Evaluated just before `pg` (pg-driver.ts imports this module first, then
 * pg): a stand-in `navigator` while pg loads. When pg loads it checks whether
 * it runs on Cloudflare Workers: with no `navigator` global (Node 20; Node
 * 21+ has one) it constructs a `Response`, and that first use of the global
 * makes Node 20 load undici, its fetch implementation, about a tenth of a
 * `dvt seed` process's start-up. pg-driver.ts removes the stand-in once pg
 * is loaded, so no other code sees it.
 */
const scope = globalThis as { navigator?: unknown };
const standIn = scope.navigator === undefined;
if (standIn) scope.navigator = { userAgent: `Node.js/${process.versions.node}` };

export function removeNavigatorStandIn(): void {
  if (standIn) delete scope.navigator;
}
