import os from 'node:os';
import path from 'node:path';

import {type ClientConfig, type ServerConfig, clientConfigOf} from '../../config/server-config.js';
import {TarsError} from '../../errors/tars-error.js';
import {PropertyFProxy} from '../../framework/PropertyFTars.js';
import {QueryFProxy} from '../../framework/QueryFTars.js';
import {StatFProxy} from '../../framework/StatFTars.js';
import type {EndpointF} from '../../framework/EndpointFTars.js';
import {type Endpoint, endpoint as makeEndpoint, endpointKey, parseProxyString} from '../../protocol/endpoint.js';
import type {ServantProxy, ServantProxyClass} from '../servant-proxy.js';
import type {BlockingPolicy} from './governance/types.js';
import {type Channel, type ChannelOptions, createChannel} from './channel.js';
import {EndpointCache} from './endpoint-cache.js';
import {ObjectProxy, type Located, type ProxyHost, type ProxyOptions} from './object-proxy.js';
import type {ClientInterceptor} from '../interceptors.js';
import {parseSetId} from '../set-routing.js';
import {PropertyRegistry, PropertyReporter, type PropertyReportStats} from '../stat/property.js';
import type {ReportTimer} from '../stat/report-timer.js';
import {StatReporter, type StatReportStats, setSuffix} from '../stat/stat-reporter.js';
import {RUNTIME_VERSION} from '../version.js';
import {ClientTlsSet, type ClientTlsSettings, type TlsKeyName} from '../transport/tls.js';
import {clientKeyNames, clientTlsOf} from '../transport/tls-config.js';

/** Properties of a communicator: the `<client>` keys of a TARS config file plus the SET membership. */
export interface CommunicatorProperties extends Partial<ClientConfig> {
  /** Set id "name.area.group" when this process is in a SET (`enableset=y`). */
  setdivision?: string;
  /** Replaces how channels are made: tests use it to put a fake transport under a real communicator. */
  channelFactory?: (endpoint: Endpoint, options: ChannelOptions) => Channel;
  /**
   * A file keeping what the locator answered (TarsGo's `<datapath>/<server>.tarsdat`), used when the registry cannot
   * be reached and nothing newer is known, also after a restart. Servers started from a config with a `datapath`
   * get `<datapath>/<server>.tarsdat`.
   */
  endpointCacheFile?: string;
  /** This host's IP, as stat and property reports name the caller; default the first non-internal IPv4 address. */
  localip?: string;
  /** Limits and clock of the stat and property reporters (tests, tuning); see {@link ReportingOptions}. */
  reporting?: ReportingOptions;
  /**
   * TLS of `ssl` endpoints: `ca` (the CAs the servers' certificates must chain to; default the system's), `cert`
   * and `key` (a client certificate for servers that verify clients), `ciphers`, as PEM file paths; `objects`
   * gives one object's own. The files are read at once: a missing or unusable one throws CONFIG_INVALID here.
   */
  tls?: ClientTlsSettings;
  /** How the TLS keys are named in messages (default `tls.ca` and the like); {@link fromConfig} names the file's. */
  tlsKeyNames?: (obj: string | undefined) => TlsKeyName;
}

/** Limits and clock of the stat and property reporters of a communicator. */
export interface ReportingOptions {
  /** Most distinct stat entries held (default 10000); calls for further keys are dropped and counted. */
  maxKeys?: number;
  /** Most report batches waiting or in flight per kind (default 64); further ones are dropped and counted. */
  maxPending?: number;
  /** Estimated bytes one report RPC stays under (TarsCpp max-report-size; default 1400). */
  maxReportSize?: number;
  /** ms a report RPC may take (TarsCpp report-timeout; default 5000). */
  reportTimeout?: number;
  /** The timer of the report intervals (tests use a ManualReportTimer). */
  timer?: ReportTimer;
  /** Where createProperty's properties live; default the process-wide registry. */
  properties?: PropertyRegistry;
}

/** Counters of a communicator's reporters; a member is absent when its object (`stat`, `property`) is not set. */
export interface CommunicatorReportStats {
  stat?: StatReportStats;
  property?: PropertyReportStats;
}

/** ms a report RPC may take by default: TarsCpp's report-timeout. */
export const REPORT_TIMEOUT = 5000;

/** The object name of the `stat` or `property` property; a CONFIG_INVALID TarsError naming the key when bad. */
function reportObject(key: 'stat' | 'property', value: string): string {
  try {
    return parseProxyString(value).objName;
  } catch (error) {
    throw new TarsError('CONFIG_INVALID', `<client> ${key} = ${value}: ${(error as Error).message} (give an object ` +
      `name such as tars.tars${key}.${key === 'stat' ? 'StatObj' : 'PropertyObj'}, or Obj@tcp -h HOST -p PORT)`);
  }
}

/** The first non-internal IPv4 address of this host (TarsGo's GetLocalIP), else 127.0.0.1. */
function localIPv4(): string {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

const QUERY_OBJ = 'tars.tarsregistry.QueryObj';

/** An EndpointF from the registry as an Endpoint (istcp: 0 udp, 1 tcp, 2 ssl). */
export function fromEndpointF(e: EndpointF): Endpoint {
  return makeEndpoint({
    protocol: e.istcp === 0 ? 'udp' : e.istcp === 2 ? 'ssl' : 'tcp', host: e.host, port: e.port, timeout: e.timeout,
    weight: e.weight, weightType: e.weightType, grid: e.grid, qos: e.qos, authType: e.authType,
    ...(e.setId ? {setId: e.setId} : {}), ...(e.nodeName ? {nodeName: e.nodeName} : {}),
  });
}

/**
 * The client runtime of a process (one per process is the rule; {@link defaultCommunicator} gives the shared one):
 * properties (locator, timeouts, refresh interval), the proxies made by {@link stringToProxy}, and one channel
 * (connection) per endpoint shared by every proxy that calls it. Request ids are process-wide, 1..2^31-1.
 */
export class Communicator implements ProxyHost {
  private props: ClientConfig & {setdivision?: string};
  private readonly channels = new Map<string, Channel>();
  /** The same lookup by endpoint object: proxies pass the same objects call after call, so no key is built. */
  private readonly channelOf = new WeakMap<Endpoint, Channel>();
  private readonly proxies = new Map<string, ObjectProxy>();
  private requestId = 0;
  private closed = false;
  private readonly makeChannel: (endpoint: Endpoint, options: ChannelOptions) => Channel;
  private readonly endpointCache?: EndpointCache;
  private queryProxy?: QueryFProxy;
  private chain: readonly ClientInterceptor[] = [];
  private readonly reporting: ReportingOptions;
  private localip?: string;
  private statReporterOf?: StatReporter;
  private propertyReporter?: PropertyReporter;
  private readonly tls?: ClientTlsSet;

  constructor(properties: CommunicatorProperties = {}) {
    const {channelFactory, endpointCacheFile, localip, reporting, tls, tlsKeyNames, ...rest} = properties;
    if (tls) {
      this.tls = ClientTlsSet.load(tls, tlsKeyNames ?? ((obj) => (key) => `tls.${obj ? `objects["${obj}"].` : ''}${key}`));
    }
    const defaults = clientConfigOf(undefined);
    this.props = {...defaults, ...rest, blocking: {...defaults.blocking, ...rest.blocking}};
    this.makeChannel = channelFactory ?? createChannel;
    if (endpointCacheFile) this.endpointCache = new EndpointCache(endpointCacheFile);
    this.localip = localip;
    this.reporting = reporting ?? {};
    this.configureReports();
  }

  /**
   * A communicator with the `<client>` properties of a server config (and its SET, when enabled), its TLS keys
   * included (`ca`, `cert`, `key`, `ciphers` in `<client>` and in `<client><App.Server.Obj>`).
   */
  static fromConfig(config: ServerConfig): Communicator {
    const tls = clientTlsOf(config);
    return new Communicator({...config.client, localip: config.localip,
      modulename: config.client.modulename ?? `${config.app}.${config.server}`,
      ...(config.enableset && config.setdivision ? {setdivision: config.setdivision} : {}),
      ...(config.datapath !== '.' ? {endpointCacheFile: path.join(config.datapath, `${config.server}.tarsdat`)} : {}),
      ...(tls ? {tls, tlsKeyNames: clientKeyNames(config.file)} : {})});
  }

  get properties(): Readonly<ClientConfig & {setdivision?: string}> {
    return this.props;
  }

  get blocking(): Partial<BlockingPolicy> {
    return this.props.blocking;
  }

  get syncInvokeTimeout(): number {
    return this.props.syncInvokeTimeout;
  }

  get asyncInvokeTimeout(): number {
    return this.props.asyncInvokeTimeout;
  }

  get refreshEndpointInterval(): number {
    return this.props.refreshEndpointInterval;
  }

  get setdivision(): string | undefined {
    return this.props.setdivision;
  }

  /**
   * Sets a property by its config-file name (`locator`, `sync-invoke-timeout`, `async-invoke-timeout`,
   * `refresh-endpoint-interval`, `setdivision`, `stat`, `property`, `report-interval`, `modulename`, `localip`) or
   * its camelCase name; `timeout` is taken as the sync timeout, as @tars/rpc does. Setting `stat` or `property` to ''
   * turns that reporting off.
   */
  setProperty(name: string, value: string | number): void {
    const key = name === 'timeout' ? 'syncInvokeTimeout'
      : name.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
    if (key === 'localip') {
      this.localip = String(value) || undefined;
      this.configureReports();
      return;
    }
    if (key === 'locator' || key === 'setdivision' || key === 'stat' || key === 'property' || key === 'modulename') {
      const text = String(value);
      // Checked before anything changes: a bad object leaves the reporters as they were.
      if (text !== '' && (key === 'stat' || key === 'property')) reportObject(key, text);
      if (text === '' && (key === 'stat' || key === 'property')) delete this.props[key];
      else (this.props as unknown as Record<string, unknown>)[key] = text;
      if (key === 'locator') this.queryProxy = undefined;
      if (key !== 'locator') this.configureReports();
      return;
    }
    if (!['syncInvokeTimeout', 'asyncInvokeTimeout', 'refreshEndpointInterval', 'reportInterval', 'keepAliveInterval',
      'maxPacketSize'].includes(key)) {
      throw new TarsError('CONFIG_INVALID', `unknown communicator property "${name}"`);
    }
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new TarsError('CONFIG_INVALID', `${name} must be a non-negative integer`);
    (this.props as unknown as Record<string, number>)[key] = n;
    if (key === 'reportInterval') this.configureReports();
  }

  /**
   * {@link ProxyHost}: the call-statistics reporter, while `stat` is set (`tars.tarsstat.StatObj`, resolved through
   * the locator like any object); undefined otherwise, and then calls pay nothing for statistics.
   */
  get statReporter(): StatReporter | undefined {
    return this.statReporterOf;
  }

  /** Counters of the stat and property reporters (reported, dropped, RPCs sent and failed...). */
  stats(): CommunicatorReportStats {
    return {...(this.statReporterOf ? {stat: this.statReporterOf.stats} : {}),
      ...(this.propertyReporter ? {property: this.propertyReporter.stats} : {})};
  }

  /** Reports call statistics and properties now rather than at the next interval; resolves once sent. */
  async flushReports(): Promise<void> {
    await Promise.all([this.statReporterOf?.flush(), this.propertyReporter?.flush()]);
  }

  /** The name the reports give this process: `modulename` (`tup_client` when unset), `.nameareagroup` in a SET. */
  private get reportName(): string {
    return (this.props.modulename ?? 'tup_client') + setSuffix(parseSetId(this.props.setdivision));
  }

  /** (Re)makes the reporters from the current properties: one per object set, none otherwise. */
  private configureReports(): void {
    this.statReporterOf?.stop();
    this.statReporterOf = undefined;
    this.propertyReporter?.stop();
    this.propertyReporter = undefined;
    if (this.closed) return;
    const {stat, property} = this.props;
    const interval = this.props.reportInterval > 0 ? this.props.reportInterval : 60000;
    const r = this.reporting;
    const timeout = r.reportTimeout ?? REPORT_TIMEOUT;
    const exempt = new Set<string>();
    if (stat) exempt.add(reportObject('stat', stat));
    if (property) exempt.add(reportObject('property', property));
    if (stat) {
      let proxy: StatFProxy | undefined;
      this.statReporterOf = new StatReporter({
        masterName: this.reportName, masterIp: this.localip ?? localIPv4(), tarsVersion: RUNTIME_VERSION,
        intervalMs: interval, exempt: (obj) => exempt.has(obj), timer: r.timer, maxKeys: r.maxKeys,
        maxPending: r.maxPending, maxReportSize: r.maxReportSize,
        send: async (msg, bFromClient) => {
          proxy ??= this.stringToProxy(StatFProxy, stat);
          return proxy.reportMicMsg(msg, bFromClient, {timeout});
        },
      }).start();
    }
    if (property) {
      let proxy: PropertyFProxy | undefined;
      this.propertyReporter = new PropertyReporter({
        moduleName: this.reportName, ip: this.localip ?? localIPv4(), set: parseSetId(this.props.setdivision),
        intervalMs: interval, registry: r.properties, timer: r.timer, maxPending: r.maxPending,
        maxReportSize: r.maxReportSize,
        send: async (msg) => {
          proxy ??= this.stringToProxy(PropertyFProxy, property);
          return proxy.reportPropMsg(msg, {timeout});
        },
      }).start();
    }
  }

  /** {@link ProxyHost}: the interceptors of every proxy of this communicator, outermost first. */
  get interceptors(): readonly ClientInterceptor[] {
    return this.chain;
  }

  /**
   * Adds an interceptor around every call of every proxy of this communicator (those made before too), outside
   * the proxies' own. See core/src/rpc/interceptors.ts for the contract.
   */
  use(interceptor: ClientInterceptor): this {
    this.chain = [...this.chain, interceptor];
    return this;
  }

  /** The next request id: 1..2^31-1, wrapping to 1 (0 means a push in responses). */
  nextRequestId(): number {
    this.requestId = this.requestId >= 2147483647 ? 1 : this.requestId + 1;
    return this.requestId;
  }

  /** The shared channel of an endpoint; `servant` names whom its keep-alive pings go to. */
  channel(endpoint: Endpoint, servant?: string): Channel {
    if (this.closed) throw new TarsError('CLOSED', 'the communicator is closed');
    const known = this.channelOf.get(endpoint);
    if (known) return known;
    if (endpoint.authType !== 0) return this.authChannel(endpoint, servant);
    const key = endpointKey(endpoint);
    let ch = this.channels.get(key);
    if (!ch) {
      const tls = endpoint.protocol === 'ssl' ? this.tls?.for(servant) : undefined;
      ch = this.makeChannel(endpoint, {maxPacket: this.props.maxPacketSize,
        keepAliveMs: this.props.keepAliveInterval, ...(servant ? {keepAliveServant: servant} : {}),
        ...(tls ? {tls} : {})});
      this.channels.set(key, ch);
    }
    this.channelOf.set(endpoint, ch);
    return ch;
  }

  /**
   * The channel of an `-e 1` endpoint for one object: the handshake names the object and carries its keys
   * (`<client><Obj> accesskey, secretkey`), so each object has its own connection (as in TarsCpp), and the channel is
   * looked up by object and endpoint on every call (never through channelOf, which knows endpoints only).
   */
  private authChannel(endpoint: Endpoint, servant = ''): Channel {
    const key = `${servant}\u0000${endpointKey(endpoint)}`;
    let ch = this.channels.get(key);
    if (!ch) {
      const keys = this.props.auth?.[servant];
      const tls = endpoint.protocol === 'ssl' ? this.tls?.for(servant) : undefined;
      ch = this.makeChannel(endpoint, {maxPacket: this.props.maxPacketSize, keepAliveMs: this.props.keepAliveInterval,
        ...(servant ? {keepAliveServant: servant} : {}),
        ...(keys ? {auth: {objName: servant, accessKey: keys.accesskey, secretKey: keys.secretkey}} : {}),
        ...(tls ? {tls} : {})});
      this.channels.set(key, ch);
    }
    return ch;
  }

  /**
   * The object proxy of `obj` (`App.Server.Obj@tcp -h ... -p ...`, or a bare name resolved through the locator).
   * Proxies are cached by their text and options.
   */
  objectProxy(obj: string, options: ProxyOptions = {}): ObjectProxy {
    if (this.closed) throw new TarsError('CLOSED', 'the communicator is closed');
    const key = `${obj}\u0000${JSON.stringify(options)}`;
    let p = this.proxies.get(key);
    if (!p) {
      p = new ObjectProxy(this, parseProxyString(obj), options);
      this.proxies.set(key, p);
    }
    return p;
  }

  /**
   * What each proxy of this communicator knows of its endpoints now: state, failures, since when an unusable one is
   * unusable and why (`tars.viewproxy`, `tars route --from`). Only objects whose name contains `filter` ('' = all);
   * a proxy that has not resolved its endpoints yet lists none.
   */
  proxyHealth(filter = ''): {obj: string; endpoints: import('./governance/endpoint-manager.js').EndpointHealthSummary[]}[] {
    const out: {obj: string; endpoints: import('./governance/endpoint-manager.js').EndpointHealthSummary[]}[] = [];
    for (const p of this.proxies.values()) {
      if (!p.objName.includes(filter)) continue;
      out.push({obj: p.objName, endpoints: p.endpointManager.health()});
    }
    return out;
  }

  /**
   * A typed proxy: `comm.stringToProxy(SayHelloProxy, 'TestApp.HelloGo.SayHelloObj@tcp -h 127.0.0.1 -p 10015')`.
   */
  stringToProxy<P extends ServantProxy>(proxyClass: ServantProxyClass<P>, obj: string, options: ProxyOptions = {}): P {
    return new proxyClass(this.objectProxy(obj, options));
  }

  /**
   * Endpoints of an object from the registry: QueryF.findObjectByIdInSameGroup (the registry applies IDC grouping),
   * or findObjectByIdInSameSet inside a SET, as TarsCpp and TarsGo clients ask. With an endpoint cache file, an
   * answer is kept there, and a registry that cannot be asked is replaced by the last answer kept (`stale`).
   */
  async locate(objName: string): Promise<Located> {
    const locator = this.props.locator;
    if (!locator) {
      throw new TarsError('NO_LOCATOR', `"${objName}" has no endpoints and no locator is set to resolve it`, {
        obj: objName});
    }
    this.queryProxy ??= this.stringToProxy(QueryFProxy, locator.includes('@') ? locator : `${QUERY_OBJ}@${locator}`);
    const setId = this.props.setdivision ?? '';
    let result: {activeEp: EndpointF[]; inactiveEp: EndpointF[]};
    try {
      result = setId ? await this.queryProxy.findObjectByIdInSameSet(objName, setId)
        : await this.queryProxy.findObjectByIdInSameGroup(objName);
    } catch (error) {
      const kept = this.endpointCache?.get(objName, setId, locator);
      if (!kept) throw error;
      return {active: kept.active.map(fromEndpointF), inactive: kept.inactive.map(fromEndpointF), stale: error};
    }
    this.endpointCache?.put(objName, setId, locator, {active: result.activeEp, inactive: result.inactiveEp});
    return {active: result.activeEp.map(fromEndpointF), inactive: result.inactiveEp.map(fromEndpointF)};
  }

  /**
   * Closes every channel; calls in flight fail. The reporters stop: what they had not reported yet is not sent
   * (call {@link flushReports} first to send it). Idempotent.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.configureReports();
    for (const ch of this.channels.values()) ch.close();
    this.channels.clear();
    this.proxies.clear();
  }
}

let shared: Communicator | undefined;

/** The process-wide communicator (created on first use, with default properties unless given). */
export function defaultCommunicator(properties?: CommunicatorProperties): Communicator {
  shared ??= new Communicator(properties);
  return shared;
}
