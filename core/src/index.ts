/**
 * @tars-ts/core: the TARS runtime library. This is its one stable public entry; generated code imports only this.
 */
export * from './runtime.js';

export * from './idl/index.js';
export {
  type GenerateOptions, type GeneratedFile, GENERATOR_VERSION, type ProgramDescriptors, describeProgram, generate,
  generatedBaseName,
} from './codegen/index.js';
export {type InterfaceJson, type TypeJson, interfaceFromJson, interfaceToJson} from './protocol/descriptor-json.js';

export {ConfigDomain, parseTarsConfig, writeTarsConfig} from './config/tars-config.js';
export {
  ADAPTER_DEFAULTS, type AdapterConfig, type ClientConfig, type ClientOptions, OPTIONS_SOURCE, type ServerAdapterOptions,
  type ServerConfig, type ServerOptions, clientConfigOf, loadServerConfig, serverConfigDomain, serverConfigFromOptions,
  serverConfigOf,
} from './config/server-config.js';
export {
  type Endpoint, type ProxyTarget, endpoint, endpointKey, formatEndpoint, parseEndpoint, parseEndpoints,
  parseProxyString,
} from './protocol/endpoint.js';
export {LOG_LEVELS, type LogLevel, type LogSink, Logger, fileSink, stderrSink} from './rpc/logger.js';
export {FrameDecoder} from './rpc/transport/frame-decoder.js';
export {FrameConnection, type FrameConnectionOptions, type FrameHandlers} from './rpc/transport/frame-connection.js';
export {type CallTarget, TarsCallError} from './rpc/client/call-error.js';
export {type Channel, type ChannelOptions, LocalFailure, TcpChannel, UdpChannel, createChannel} from './rpc/client/channel.js';
export {ObjectProxy, type ProxyOptions, type RawCall, type RawResult} from './rpc/client/object-proxy.js';
export {Communicator, type CommunicatorProperties, defaultCommunicator, fromEndpointF} from './rpc/client/communicator.js';
export {Dispatcher, type RequestOrigin} from './rpc/server/dispatcher.js';
export {type AdapterStats, type ConnectionInfo, ServantAdapter} from './rpc/server/adapter.js';
export {
  type AdminCommand, Application, type ApplicationFromOptions, type ApplicationOptions, type CloseHook, RUNTIME_VERSION,
} from './rpc/server/application.js';
export {listenFailure} from './rpc/server/listen-error.js';
