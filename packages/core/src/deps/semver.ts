import { DvtError } from '../errors.js';

/**
 * Versions and ranges as dbt's package specs write them: `1.2.3`, `=1.2.3`,
 * `>=1.0.0`, `<2.0.0`, `>1.0`, `<=1.5.0`, and lists of those (all must hold).
 * Missing minor/patch count as 0. Pre-releases (`1.0.0-b1`) sort before their
 * release and match only when asked for.
 */
export interface Version {
  major: number;
  minor: number;
  patch: number;
  prerelease: string;
  text: string;
}

const VERSION = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-?([0-9A-Za-z.-]+))?$/;

export function parseVersion(text: string): Version | undefined {
  const m = VERSION.exec(text.trim());
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2] ?? 0), patch: Number(m[3] ?? 0), prerelease: m[4] ?? '', text: text.trim() };
}

export function compareVersions(a: Version, b: Version): number {
  const byNumber = a.major - b.major || a.minor - b.minor || a.patch - b.patch;
  if (byNumber !== 0) return byNumber;
  if (a.prerelease === b.prerelease) return 0;
  if (a.prerelease === '') return 1;
  if (b.prerelease === '') return -1;
  return a.prerelease < b.prerelease ? -1 : 1;
}

interface Constraint {
  op: '=' | '>=' | '<=' | '>' | '<';
  version: Version;
}

function parseConstraint(text: string, where: string): Constraint {
  const m = /^\s*(>=|<=|>|<|=)?\s*(.+?)\s*$/.exec(text);
  const version = m ? parseVersion(m[2]!) : undefined;
  if (!m || !version) throw new DvtError('config', `${where}: '${text}' is not a version or range (e.g. ">=1.0.0", "<2.0.0", "1.1.1")`);
  return { op: (m[1] ?? '=') as Constraint['op'], version };
}

/** The spec's constraints: a string (may hold several, space or comma separated) or a list of strings. */
export function parseRange(spec: unknown, where: string): Constraint[] {
  const parts = (Array.isArray(spec) ? spec : [spec]).flatMap((s) => String(s).split(/[\s,]+(?=[<>=\d])/));
  return parts.filter((p) => p.trim().length > 0).map((p) => parseConstraint(p, where));
}

export function satisfies(version: Version, constraints: readonly Constraint[]): boolean {
  return constraints.every(({ op, version: bound }) => {
    const c = compareVersions(version, bound);
    switch (op) {
      case '=':
        return c === 0;
      case '>=':
        return c >= 0;
      case '<=':
        return c <= 0;
      case '>':
        return c > 0;
      case '<':
        return c < 0;
    }
  });
}

/** The highest of `available` within every constraint (pre-releases only when allowed). */
export function highestMatching(available: readonly string[], constraints: readonly Constraint[], allowPrerelease: boolean): Version | undefined {
  let best: Version | undefined;
  for (const text of available) {
    const v = parseVersion(text);
    if (!v || (v.prerelease && !allowPrerelease)) continue;
    if (satisfies(v, constraints) && (!best || compareVersions(v, best) > 0)) best = v;
  }
  return best;
}
