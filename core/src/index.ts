/**
 * @tars-ts/core: the TARS runtime library. This is its one stable public entry; generated code imports only this.
 */
export * from './runtime.js';

export * from './idl/index.js';
export {
  type GenerateOptions, type GeneratedFile, GENERATOR_VERSION, type ProgramDescriptors, describeProgram, generate,
  generatedBaseName,
} from './codegen/index.js';
// Calls with no IDL: arguments typed from text, answers decoded by wire type.
export {
  type IntWireType, type TaggedJson, type UntypedField, type UntypedJson, type UntypedValue, decodeUntyped,
  untypedToJson, untypedValueToJson,
} from './codec/untyped.js';
export {
  type InferArgsOptions, type UntypedArg, type UntypedArgs, encodeUntypedArgs, inferArgs, untypedTypeName,
  writeUntypedArgs,
} from './protocol/untyped-args.js';
export {type InterfaceJson, type TypeJson, interfaceFromJson, interfaceToJson} from './protocol/descriptor-json.js';

export {ConfigDomain, parseTarsConfig, writeTarsConfig} from './config/tars-config.js';
export {
  ADAPTER_DEFAULTS, type AdapterConfig, type ClientConfig, type ClientOptions, MAINLOOPTICKER_DEFAULT, OPTIONS_SOURCE,
  type ServerAdapterOptions, type ServerConfig, type ServerOptions, clientConfigOf, loadServerConfig,
  serverConfigDomain, serverConfigFromOptions, serverConfigOf,
} from './config/server-config.js';
export {
  type Endpoint, type ProxyTarget, endpoint, endpointKey, formatEndpoint, isLoopbackHost, isWildcardHost, parseEndpoint,
  parseEndpoints, parseProxyString,
} from './protocol/endpoint.js';
export {
  type ClosableSink, DEFAULT_LOG_LEVEL, DEFAULT_LOG_NUM, DEFAULT_LOG_SIZE, type DateFileSinkOptions, type DateUnit,
  type DyeHook, type FileSinkOptions, LOG_LEVELS, type LogLevel, type LogSink, Logger, dateFileSink, fileSink,
  logDateSuffix, logTimestamp, parseLogLevel, parseLogSize, stderrSink,
} from './rpc/logger.js';
// Remote logs (LogF), named day logs, dyeing and notify reports (NotifyF).
export {currentDyeKey, dyeingStarted, runDyed, runUndyed} from './rpc/dye.js';
export {
  RemoteLog, type RemoteLogOptions, type RemoteLogSend, type RemoteLogStats, type RemoteLogTarget,
} from './rpc/log/remote-log.js';
export {DayLogger, type DayLoggerOptions, checkLogName} from './rpc/log/day-logger.js';
export {DYE_LOG_DIR, DYE_LOG_NAME, DYE_LOG_TARGET, DyeLog} from './rpc/log/dye-log.js';
// Call-chain tracing (W3C traceparent and TarsCpp's STATUS_TRACE_KEY; spans to the log daemon's `_t_trace_`).
export * from './rpc/trace/index.js';
export {
  Notifier, type NotifierIdentity, type NotifierOptions, type NotifierStats, type NotifyLevel, notifyLevelOf,
} from './rpc/log/notifier.js';
export {FrameDecoder} from './rpc/transport/frame-decoder.js';
export {FrameConnection, type FrameConnectionOptions, type FrameHandlers} from './rpc/transport/frame-connection.js';
export {
  type ClientTls, type ClientTlsFiles, type ClientTlsSettings, ClientTlsSet, type ServerTls, type ServerTlsFiles,
  loadClientTls, loadServerTls,
} from './rpc/transport/tls.js';
export {type Channel, type ChannelOptions, LocalFailure, TcpChannel, UdpChannel, createChannel} from './rpc/client/channel.js';
export {
  AUTH_FUNC, AUTH_MESSAGE_TYPE, AUTH_TIME_WINDOW, type AuthPackage, authPackage, authRequestFrame, authSignature,
  authStateName, authSuccessFrame, decodeAuthPackage, encodeAuthPackage, isAuthSuccess, verifyAuthPackage,
} from './rpc/auth/handshake.js';
export {AUTH_REFUSED_CODE, type ClientAuthKeys} from './rpc/auth/client-auth.js';
export {type AdapterAuthKeys, ServerAuthGate, type ServerAuthOptions} from './rpc/auth/server-auth.js';
export {ObjectProxy, type ProxyOptions, hashOf} from './rpc/client/object-proxy.js';
export {
  EndpointManager, type EndpointHealthSummary, type EndpointManagerOptions, type EndpointSnapshot, type HashType,
  type PickOptions,
} from './rpc/client/governance/endpoint-manager.js';
export {type CallOutcome, type PickResult} from './rpc/client/governance/types.js';
export {type SetId, parseSetId, selectBySet} from './rpc/set-routing.js';
export {
  type ClientCall, type ClientInterceptor, type ClientNext, type RawCall, type RawResult, type ServerInterceptor,
  type ServerNext, type ServerOutcome, composeClient, refusal,
} from './rpc/interceptors.js';
export {
  Communicator, type CommunicatorProperties, type CommunicatorReportStats, REPORT_TIMEOUT, type ReportingOptions,
  defaultCommunicator, fromEndpointF,
} from './rpc/client/communicator.js';
// Call statistics (StatF) and business properties (PropertyF) reported by the runtime.
export {
  ClientStatScope, STAT_BUCKETS, STAT_DEFAULTS, ServerStatScope, StatEntry, StatOutcome, type StatReportStats,
  StatReporter, type StatReporterOptions,
} from './rpc/stat/stat-reporter.js';
export {
  Avg, Count, Distr, MAX_PROPERTIES, Max, Min, Property, type PropertyPolicy, type PropertyPolicyName,
  PropertyRegistry, type PropertyReportStats, PropertyReporter, type PropertyReporterOptions, Sum, createProperty,
  defaultPropertyRegistry, formatPropertyValue,
} from './rpc/stat/property.js';
export {ManualReportTimer, type ReportTimer, realReportTimer} from './rpc/stat/report-timer.js';
export {type ReportSenderStats} from './rpc/stat/report-sender.js';
export {Dispatcher, type RequestOrigin} from './rpc/server/dispatcher.js';
export {type AdapterStats, type ConnectionInfo, ServantAdapter} from './rpc/server/adapter.js';
export {
  type AdminCommand, Application, type ApplicationFromOptions, type ApplicationOptions, type CloseHook, RUNTIME_VERSION,
} from './rpc/server/application.js';
export {listenFailure} from './rpc/server/listen-error.js';
export {
  ADMIN_ADAPTER_NAME, NODE_ACTIVATING_INTERVAL, NodeReporter, type NodeReporterOptions, type NodeReportStats,
} from './rpc/server/node-reporter.js';
