import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SiteData } from '../shared/types.js';

const APP_DIR = fileURLToPath(new URL('../app/', import.meta.url));

/** The id of the `<script type="application/json">` holding embedded site data. */
export const DATA_ELEMENT_ID = 'dvt-docs-data';

/**
 * The built page with its script and stylesheet inlined: one file that needs
 * nothing else but its data (fetched from beside it, or embedded).
 */
function inlinedPage(headExtra = ''): string {
  // Extras go in before inlining: the bundle's text may itself contain `</head>`.
  const html = readFileSync(`${APP_DIR}index.html`, 'utf8').replace('</head>', `${headExtra}</head>`);
  return html
    .replace(/<script type="module" crossorigin src="\.\/([^"]+)"><\/script>/, (_m, file: string) => {
      // `</script` inside the bundle would end the element early.
      const code = readFileSync(`${APP_DIR}${file}`, 'utf8').replace(/<\/script/gi, '<\\/script');
      return `<script type="module">${code}</script>`;
    })
    .replace(/<link rel="stylesheet" crossorigin href="\.\/([^"]+)">/, (_m, file: string) => `<style>${readFileSync(`${APP_DIR}${file}`, 'utf8')}</style>`);
}

/** JSON that cannot end or comment out the script element carrying it. */
function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** index.html that reads manifest.json, catalog.json and dvt.json from beside it. */
export function renderIndexHtml(): string {
  return inlinedPage();
}

/** One self-contained HTML file with the site data embedded; opens from disk. */
export function renderStaticHtml(data: SiteData): string {
  return inlinedPage(`<script type="application/json" id="${DATA_ELEMENT_ID}">${scriptSafeJson(data)}</script>\n`);
}
