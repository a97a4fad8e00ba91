export { Selector, selectNodes } from './select.js';
export type { SelectOptions } from './select.js';
export { parseCriteria, parseSelectionArgs, SELECTOR_METHODS } from './spec.js';
export type { Criteria, IndirectSelection, SelectionSpec } from './spec.js';
export { parseSelectors } from './selectors.js';
export type { SelectorDefinition } from './selectors.js';
export { fqnMatches, selectables } from './methods.js';
export type { Selectable } from './methods.js';
export { fnmatch } from './match.js';
