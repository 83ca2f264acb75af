// The daemon host: what every base service (`tars <name> start|stop|status`) shares. See ./spec.ts for what a
// daemon declares, ./commands.ts for the base commands, ./host.ts for the life of a daemon, ./lock.ts for the lock.
export {
  DaemonClientCommand, type DaemonClientFlags, DaemonStartCommand, type DaemonStatusJson, DaemonStatusCommand, type DaemonStopJson,
  DaemonStopCommand, cliEntry,
} from './commands.js';
export {
  DETACH_WAIT_MS, DaemonStartError, type DetachOptions, LOG_FILE, PID_FILE, type RunningDaemon, STOP_TIMEOUT_MS,
  type StartDaemonOptions, type StatusResult, type StopResult, checkAdminToken, daemonStatus, pingEndpoint, processAlive,
  startDaemon,
  startDetached, stopDaemon,
} from './host.js';
export {parsePostgresUrl, redactUrl} from '../store/url.js';
export {type DaemonInfo, DaemonLock, LOCK_SOCKET, type LockProbe, MAX_SOCKET_PATH, lockSocketPath, probeLock} from './lock.js';
export {
  DEFAULT_DAEMON_HOST, type DaemonContext, type DaemonInstance, type DaemonServantSpec, type DaemonSpec,
  type DaemonStartOptions, daemonEndpoint, daemonPorts, daemonSchema, daemonStoreOptions, dataDirOf, defaultDataDir,
} from './spec.js';
