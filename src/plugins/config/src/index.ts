/**
 * @tars-ts/plugin-config: the TARS config center. Its core is storage-free: file keys and checks (rows), an
 * immutable snapshot that resolves files as the official tarsconfig does, the service with its write rules over an
 * abstract {@link ConfigRepository}, the rate limiter, and the servants of ConfigObj and ConfigCtlObj.
 *
 * The durable repository (./sql-repository.ts) is not exported here: it loads the kit's store, which whatever
 * imports this entry without keeping state should not pay for; the daemon imports that module itself.
 */
export * from './rows.js';
export {ConfigSnapshot, PIECE_SEPARATOR, type Resolved, mergePieces} from './config-snapshot.js';
export type {ConfigRepository, NewVersion} from './repository.js';
export {ConfigRefused, ConfigService, type ConfigServiceOptions, type KnownInstance} from './config-service.js';
export {DEFAULT_RATE_INTERVAL_MS, DEFAULT_RATE_LIMIT, RATE_LIMITED, RateLimiter} from './rate-limit.js';
export {CONFIG_OBJ, ConfigObjServant, callerHost} from './config-servant.js';
export {CONFIG_CTL_OBJ, ConfigCtlServant} from './ctl-servant.js';
export {CONFIG_DB, configDaemon} from './daemon.js';
