import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Document, Node as YamlNode, ScalarTag, Tags } from 'yaml';
import { DvtError } from '../errors.js';

/**
 * YAML as dbt reads it (PyYAML's safe_load: YAML 1.1, merge keys, later
 * duplicate keys win), plus the line of every mapping key and list item so
 * later checks can point at the offending line.
 */
export interface YamlFile {
  /** Path relative to the project root, '/' separated. */
  file: string;
  value: unknown;
  /** 1-based line of `container` itself, or of one of its keys/items. */
  lineOf(container: unknown, key?: string | number): number | undefined;
}

interface Lines {
  self: number;
  members: Map<string | number, number>;
}

export function parseYaml(text: string, file: string): YamlFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    version: '1.1',
    merge: true,
    uniqueKeys: false,
    lineCounter,
    prettyErrors: false,
    customTags: pyyamlTags,
  });
  const problem = doc.errors[0];
  if (problem) {
    const line = lineCounter.linePos(problem.pos[0]).line;
    const reason = problem.message.split('\n')[0]!.replace(/ at line \d+, column \d+.*$/, '');
    throw new DvtError('config', `invalid YAML: ${reason}`, { location: { file, line } });
  }
  const value: unknown = doc.toJS({ maxAliasCount: 1000 }) ?? null;
  const registry = new WeakMap<object, Lines>();
  const lineAt = (offset: number | undefined): number => (offset === undefined ? 0 : lineCounter.linePos(offset).line);
  record(doc, doc.contents, value, registry, lineAt);
  return {
    file,
    value,
    lineOf(container, key) {
      if (container === null || typeof container !== 'object') return undefined;
      const lines = registry.get(container);
      if (!lines) return undefined;
      if (key === undefined) return lines.self;
      return lines.members.get(key) ?? lines.self;
    },
  };
}

/** PyYAML's booleans: `y`/`n` are strings there, unlike in YAML 1.1 proper. */
const PYYAML_TRUE: ScalarTag = { identify: (v) => v === true, default: true, tag: 'tag:yaml.org,2002:bool', test: /^(?:[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/, resolve: () => true };
const PYYAML_FALSE: ScalarTag = { identify: (v) => v === false, default: true, tag: 'tag:yaml.org,2002:bool', test: /^(?:[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/, resolve: () => false };

function pyyamlTags(tags: Tags): Tags {
  // Dates stay text: `2024-01-01` prints as PyYAML's date would, and a JS Date would not.
  const kept = tags.filter((tag) => typeof tag === 'string' || (tag.tag !== 'tag:yaml.org,2002:timestamp' && tag.tag !== 'tag:yaml.org,2002:bool'));
  return [PYYAML_TRUE, PYYAML_FALSE, ...kept];
}

function record(doc: Document, node: YamlNode | null | unknown, value: unknown, registry: WeakMap<object, Lines>, lineAt: (o: number | undefined) => number): void {
  let current = node;
  if (isAlias(current)) current = current.resolve(doc);
  if (value === null || typeof value !== 'object' || registry.has(value)) return;
  if (isMap(current)) {
    const lines: Lines = { self: lineAt(current.range?.[0]), members: new Map() };
    registry.set(value, lines);
    for (const pair of current.items) {
      const key = isScalar(pair.key) ? pair.key.value : pair.key;
      if (typeof key !== 'string' && typeof key !== 'number' && typeof key !== 'boolean') continue;
      const name = String(key);
      if (name === '<<') continue;
      const keyNode = pair.key as { range?: [number, number, number] } | null;
      lines.members.set(name, lineAt(keyNode?.range?.[0]));
      record(doc, pair.value, (value as Record<string, unknown>)[name], registry, lineAt);
    }
  } else if (isSeq(current) && Array.isArray(value)) {
    const lines: Lines = { self: lineAt(current.range?.[0]), members: new Map() };
    registry.set(value, lines);
    current.items.forEach((item, index) => {
      const itemNode = item as { range?: [number, number, number] } | null;
      lines.members.set(index, lineAt(itemNode?.range?.[0]));
      record(doc, item, value[index], registry, lineAt);
    });
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
