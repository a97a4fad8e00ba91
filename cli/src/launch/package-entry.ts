/**
 * The file a package's root resolves to for `import`, from its package.json,
 * relative to the package directory; undefined for an `exports` map this does
 * not follow (Node's resolver then decides). Only what dvt's packages and
 * their drivers use: a string, or conditions on `.` picked in Node's order
 * for `import` (`node`, `import`, `default`), then `main`.
 */
export function packageRootEntry(manifest: { exports?: unknown; main?: unknown }): string | undefined {
  const { exports } = manifest;
  if (exports === undefined) return typeof manifest.main === 'string' ? manifest.main : 'index.js';
  const root = isSubpathMap(exports) ? (exports as Record<string, unknown>)['.'] : exports;
  return pickTarget(root);
}

/** A package specifier split into the package's name and the subpath (`.` for the root). */
export function splitSpecifier(specifier: string): { name: string; subpath: string } {
  const parts = specifier.split('/');
  const length = specifier.startsWith('@') ? 2 : 1;
  const rest = parts.slice(length).join('/');
  return { name: parts.slice(0, length).join('/'), subpath: rest ? `./${rest}` : '.' };
}

function isSubpathMap(exports: unknown): boolean {
  return typeof exports === 'object' && exports !== null && !Array.isArray(exports) && Object.keys(exports).some((k) => k.startsWith('.'));
}

function pickTarget(target: unknown): string | undefined {
  if (typeof target === 'string') return target;
  if (typeof target !== 'object' || target === null || Array.isArray(target)) return undefined;
  // Conditions are tried in the object's own order, as Node does.
  for (const [condition, value] of Object.entries(target)) {
    if (condition === 'node' || condition === 'import' || condition === 'default') {
      const picked = pickTarget(value);
      if (picked !== undefined) return picked;
    }
  }
  return undefined;
}
