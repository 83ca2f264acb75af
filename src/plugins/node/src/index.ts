/**
 * @tars-ts/plugin-node: `tars node` (the per-host node daemon) and `tars server` (the servers nodes manage).
 */
export {type ServerLayout, inside, serverLayout} from './layout.js';
export {
  DEFAULT_SERVER_TEMPLATE, type NodeFacts, type ServerConfigDescriptor, type ServerConfigInput, expandMacros,
  localEndpointOf, mergeConfig, serverConfigText, serverMacros, writeServerConfig,
} from './server-config-file.js';
export * from './supervisor/index.js';
