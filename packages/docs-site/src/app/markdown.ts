import DOMPurify from 'dompurify';
import { marked } from 'marked';
import type { ManifestDoc } from '../shared/types.js';

const DOC_CALL = /\{\{\s*doc\(\s*['"]([^'"]+)['"]\s*(?:,\s*['"]([^'"]+)['"]\s*)?\)\s*\}\}/g;

/** `{{ doc('name') }}` / `{{ doc('package', 'name') }}` left in a description, replaced by the block. */
export function resolveDocBlocks(text: string, docs: Record<string, ManifestDoc>, projectName: string): string {
  return text.replace(DOC_CALL, (call, first: string, second: string | undefined) => {
    const [pkg, name] = second === undefined ? [undefined, first] : [first, second];
    const found =
      (pkg ? docs[`doc.${pkg}.${name}`] : docs[`doc.${projectName}.${name}`]) ?? Object.values(docs).find((d) => d.name === name && (!pkg || d.package_name === pkg));
    return found ? found.block_contents : call;
  });
}

/** Markdown to sanitised HTML: descriptions are project text, but never allowed to run script. */
export function renderMarkdown(text: string, docs: Record<string, ManifestDoc>, projectName: string): string {
  const html = marked.parse(resolveDocBlocks(text, docs, projectName), { async: false, gfm: true });
  return DOMPurify.sanitize(html);
}
