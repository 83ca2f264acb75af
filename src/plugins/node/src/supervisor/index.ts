// The supervisor of one server process (issue 12): see server-process.ts.
export {type Clock, systemClock} from './clock.js';
export {
  ExecaLauncher, type LaunchSpec, type LaunchedProcess, type ProcessLauncher, procStartTime, procStartedAtMs, procState,
} from './process-launcher.js';
export {
  DEFAULT_RESTART_LIMITS, RestartLimiter, type RestartLimiterSnapshot, type RestartLimits,
} from './restart-limiter.js';
export {DEFAULT_LOG_ROTATION, type LogRotation, RotatedLog} from './rotated-log.js';
export {
  type AdminShutdown, type CheckAction, DEFAULT_SERVER_TIMEOUTS, ServerProcess, type ServerProcessOptions,
  type ServerProcessSnapshot, ServerState, type StateChange, type StateReason, type ServerTimeouts,
  communicatorShutdown, serverStateName,
} from './server-process.js';
