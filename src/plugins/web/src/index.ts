/**
 * @tars-ts/plugin-web: `tars web`, the cluster's console in a browser. The HTTP server (static page, JSON API, live
 * events, sessions) and the view of the cluster it asks of the base services over TARS.
 */
export {ApiError} from './api-error.js';
export {
  type ActionJson, ClusterApi, type InstanceJson, type RegistryJson, type ServerAction, type ServerJson, type TreeJson,
  checkServerId,
} from './cluster-api.js';
export {
  ConfigApi, type ConfigFileJson, type ConfigFileRef, type ConfigListJson, type ConfigPushJson, type ConfigVersionJson,
  configFileRef,
} from './config-api.js';
export {type ConsoleOptions, type RunningConsole, startConsole} from './console-server.js';
export {
  MAX_FAILED_LOGINS_PER_MINUTE, SESSION_COOKIE, SESSION_TTL_MS, type Session, Sessions, cookieValue, sameSecret,
} from './sessions.js';
