import hljs from 'highlight.js/lib/core';
import sql from 'highlight.js/lib/languages/sql';

hljs.registerLanguage('sql', sql);

/** Highlighted SQL as HTML (highlight.js escapes the code itself). Jinja stays plain text inside it. */
export function highlightSql(code: string): string {
  return hljs.highlight(code, { language: 'sql', ignoreIllegals: true }).value;
}
