/**
 * @tars-ts/plugin-node: `tars node` (the per-host node daemon) and `tars server` (the servers nodes manage).
 */
export {type ServerLayout, inside, serverLayout} from './layout.js';
export {
  DEFAULT_SERVER_TEMPLATE, type NodeFacts, type ServerConfigDescriptor, type ServerConfigInput, expandMacros,
  localEndpointOf, mergeConfig, serverConfigText, serverMacros, writeServerConfig,
} from './server-config-file.js';
export * from './supervisor/index.js';
export {NODE_OBJ, NODE_VERSION, SERVER_OBJ, defaultNodeName, nodeDaemon, nodeLocator} from './daemon.js';
export {type HeartbeatTargets, NodeImpl, type NodeServantHost, ServerFImpl, currentLoad} from './node-servants.js';
export {
  DEFAULT_CHECK_INTERVAL_MS, NodeServers, type NodeServersOptions, type Outcome, envOf, lastLines,
  splitCommand,
} from './node-servers.js';
export {type PackageAdapter, type PackageInfo, adaptersOfConfig, inspectPackage, stagePackage} from './package.js';
export {DEFAULT_KEEPALIVE_MS, REGISTRY_OBJ, RegistryLink, type RegistryLinkOptions} from './registry-link.js';
