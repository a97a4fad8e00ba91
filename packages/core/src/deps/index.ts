export { installPackages, DEFAULT_HUB_URL, LOCK_FILE } from './install.js';
export type { InstallOptions, InstallResult, PinnedPackage } from './install.js';
export { readSpecFile } from './specs.js';
export type { PackageSpec, SpecFile } from './specs.js';
export { compareVersions, highestMatching, parseRange, parseVersion } from './semver.js';
