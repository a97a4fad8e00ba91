import { DvtError } from '../errors.js';

/** `{% docs name %}...{% enddocs %}` blocks: their contents are kept as written, never rendered. */
export function docsBlocks(text: string, file: string): { name: string; line: number; contents: string }[] {
  const blocks: { name: string; line: number; contents: string }[] = [];
  const open = /\{%-?\s*docs\s+([A-Za-z_][\w]*)\s*-?%\}/g;
  for (let match = open.exec(text); match; match = open.exec(text)) {
    const line = text.slice(0, match.index).split('\n').length;
    const close = /\{%-?\s*enddocs\s*-?%\}/g;
    close.lastIndex = match.index + match[0].length;
    const end = close.exec(text);
    if (!end) throw new DvtError('compile', `docs block '${match[1]}' has no {% enddocs %}`, { location: { file, line } });
    blocks.push({ name: match[1]!, line, contents: text.slice(match.index + match[0].length, end.index) });
    open.lastIndex = end.index + end[0].length;
  }
  return blocks;
}
