export { renderIndexHtml, renderStaticHtml, DATA_ELEMENT_ID } from './html.js';
export { buildDocsInfo, lineageGraph } from './site-data.js';
export type { DocsInfoInput } from './site-data.js';
export { layeredLayout } from '../shared/layout.js';
export type * from '../shared/types.js';
