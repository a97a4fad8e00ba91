/**
 * The CLI as a library: adapter discovery (for tools that load adapters the
 * way `dvt` does) and the command-line entry point.
 */
export { candidatePackages, createAdapterDiscovery, discoverAdapter, installCommand } from './adapters/discovery.js';
export type { AdapterResolver, DiscoveredAdapter, DiscoveryOptions } from './adapters/discovery.js';
export { parseCommandLine, helpText, UsageError, COMMANDS } from './args.js';
export type { CommandName, Invocation } from './args.js';
export { runInvocation } from './main.js';
