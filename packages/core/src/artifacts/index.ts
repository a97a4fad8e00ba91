export * from './types.js';
export { buildManifest, writeManifest, MANIFEST_SCHEMA } from './manifest.js';
export type { CompiledInfo, ManifestOptions } from './manifest.js';
export { buildRunResults, operationResult, writeRunResults, RUN_RESULTS_SCHEMA } from './runResults.js';
export { customEnv, isoUtc, DBT_COMPAT_VERSION } from './common.js';
export type { ArtifactMetadataOptions } from './common.js';
export { buildCatalog, writeCatalog, CATALOG_SCHEMA } from './catalog.js';
export type { CatalogEntryInput, CatalogInput } from './catalog.js';
