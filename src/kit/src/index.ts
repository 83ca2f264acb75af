/**
 * @tars-ts/kit: what every `tars` command shares, in the root package and in every plugin (plugins cannot import
 * the root package): the command base, the one error report, settings, target resolution, and the daemon host
 * (the base of every base service's `start`, `stop`, `status` and client commands). Light to load: the runtime
 * (@tars-ts/core) is imported only by the functions that need it, when they run. The daemons' store is the subpath
 * `@tars-ts/kit/store`, never re-exported here, so that commands without state never load SQLite.
 */
export {TarsCommand, targetFlags} from './command.js';
export {ExitCode, ReportedFailure, UserError} from './errors.js';
export {type ErrorReport, errorLines, errorReport} from './report.js';
export {DEFAULT_TIMEOUT_MS, SECRET_SETTINGS, SETTINGS, Settings, shownSetting} from './settings.js';
export {
  ADMIN_ACCESS_KEY, ADMIN_OBJECTS, ADMIN_TOKEN_ENV, MIN_TOKEN_LENGTH, adminAuth, adminToken, tokenProblem,
} from './admin-token.js';
export {type ResolvedTarget, type TargetOptions, activeProxies, communicatorFor, resolveTarget} from './target.js';
export * from './daemon/index.js';
export {type NodesJson, nodesJson, nodesText} from './registry-nodes.js';
export {REGISTRY_QUERY_OBJ, RegistryClientCommand, type RegistryClientFlags} from './registry-client.js';
export {hostAddress, isLoopbackHost, isWildcardHost, loopbackEndpoint, portFree, reachableEndpoint} from './net.js';
export {renderTable} from './table.js';
export {copyPackageTree} from './package-tree.js';
export {type Step, runSteps} from './steps.js';
export {
  type Colour, type LiveViewOptions, type ViewSize, coloursWanted, fitWidth, paint, runLiveView, sparkline, stripAnsi,
} from './live-view.js';
export {
  CALL_CHAIN_APP, CALL_CHAIN_LOG, CALL_CHAIN_SERVER, type CallChainLines, type CallChainRead, readCallChainLines, readCallChains, type Trace, type TraceFilter, type TraceLogLine, type TraceNode, type TraceSpan, type TraceSpanJson,
  type TraceSummary, type TraceSummaryJson, type WaterfallOptions, buildSpans, buildTrace, buildTraces, formatMs,
  parseTraceLogLine, renderWaterfall, serviceOf, spanLabel, traceMatches, traceSpansJson, traceSummaryJson,
} from './trace-view.js';
export {
  type GroupAnswer, type Gathered, type LogInstance, type Unanswered, askGroup, gather, groupByStore, isQueryError,
  mergeByTime, unansweredNote,
} from './log-gather.js';
export {
  type InstanceLine, type InstanceTail, LOG_QUERY_OBJ, type LiveInstances, type ReadLine, lineTime, liveLogInstances,
  pause, readFailure, readFrom, registryLogInstances, tailOf, untilSignal,
} from './log-lines.js';
export {
  type FileSource, type FollowOptions, type PollOptions, type PollSource, fileSources, follow, pollSources,
} from './log-follow.js';
export {
  type GatheredNotifications, NOTIFY_LEVELS, type NotifyEntryJson, type NotifyFilter, entryJson, gatherNotifications,
  notifyQuery,
} from './log-notify.js';
export {
  PATCH_CTL_OBJ, PATCH_OBJ, PackageRefused, UPLOAD_CHUNK, type UploadTarget, type VersionJson, bytesText, rollbackVersion,
  sendUpload, storeUpload, versionJson,
} from './patch-store.js';
export {
  ADMIN_REG_OBJ, REGISTRY_CTL_OBJ, type RolloutEvent, type RolloutJson, type RolloutLinks, type RolloutOptions,
  type RolloutPlan, type RolloutStepName, planRollout, rolloutJson, rolloutSteps,
} from './rollout.js';
export {unifiedDiff} from './text-diff.js';
export {
  type ConfigFileSlot, type ConfigReloadJson, type ConfigReloadProxies, reloadConfig,
} from './config-reload.js';
export type {CallResultJson, DeployedInterface, ResolvedInterface} from './call/index.js';
/**
 * The call kit (src/kit/src/call): interface loading (.tars files, in-memory .tars text, the patch store,
 * reflection), JSON argument conversion and the dynamic call, shared by `tars call`, `tars describe` and the web
 * console's debugger. A loader, not re-exports, so that importing the kit does not load the runtime.
 */
export function loadCallKit(): Promise<typeof import('./call/index.js')> {
  return import('./call/index.js');
}
export {
  type GatheredSeries, type InstancesJson, MAX_SERIES_LIMIT, RefusedQuery, STAT_BUCKETS, type SeriesAnswer,
  type StatCounters, type StatInstance, askEach, averageRspTime, checkedAnswer, copyCounters, countersOf,
  emptyCounters, gatherHistoryProperties, gatherHistoryStats, mergeCounters, quantileOf, totalCalls,
} from './stat-read.js';
export {
  type DeployCtx, type DeployEvent, type DeployLinks, type DeployOptions, type DeployResultJson, type DeployServerId,
  type DeployStepName, checkEnv, deployNodeOf, deployResultJson, deployServer, deploySteps, nodeFailure, onNodeHost,
  profileWithEnv, renameAdapters, withAdapterFlags,
} from './deploy.js';
