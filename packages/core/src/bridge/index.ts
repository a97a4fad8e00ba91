export { DatabaseBridge } from './host.js';
export type { DatabaseBridgeOptions } from './host.js';
export type { BridgeOutput } from './protocol.js';
export { templatesReadDatabase } from './scan.js';
