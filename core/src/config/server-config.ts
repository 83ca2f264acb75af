import {readFileSync} from 'node:fs';

import {TarsError} from '../errors/tars-error.js';
import {DEFAULT_LOG_LEVEL} from '../protocol/constants.js';
import {type Endpoint, formatEndpoint, parseEndpoint} from '../protocol/endpoint.js';
import type {BlockingPolicy} from './blocking-policy.js';
import {ConfigDomain, parseTarsConfig} from './tars-config.js';

/** One adapter of a server (`<App.Server.XxxObjAdapter>`). */
export interface AdapterConfig {
  /** Adapter name, e.g. `TestApp.HelloGo.SayHelloObjAdapter`. */
  readonly name: string;
  readonly endpoint: Endpoint;
  /** Servant (object) name it serves. */
  readonly servant: string;
  /** Most connections at once; further ones are refused. */
  readonly maxconns: number;
  /** Most requests waiting; beyond it requests get -9 TARSSERVEROVERLOAD. */
  readonly queuecap: number;
  /** Longest wait in the queue (ms); older requests get -6 TARSSERVERQUEUETIMEOUT and are not executed. */
  readonly queuetimeout: number;
  /** Client addresses allowed to connect (empty: all). */
  readonly allow: readonly string[];
  /** `tars` (or `not_tars` for a raw protocol). */
  readonly protocol: string;
  /** Handle threads in TarsCpp; reported, not used (Node runs handlers on one thread; see concurrency). */
  readonly threads: number;
  /**
   * Most requests executing at once in this adapter (key `concurrency`, ours): an async servant holds a slot until
   * its answer is ready; requests beyond it wait in the queue (queuecap, queuetimeout).
   */
  readonly concurrency: number;
  /** Endpoint auth (`-e 1`, docs/auth.md): the access key clients must present (TarsCpp key `accesskey`). */
  readonly accesskey?: string;
  /** Endpoint auth: the secret key (plain text) of `accesskey` (TarsCpp key `secretkey`). */
  readonly secretkey?: string;
}

/** The `<client>` domain: the communicator's properties. */
export interface ClientConfig {
  locator?: string;
  /** ms; default 3000. */
  syncInvokeTimeout: number;
  /** ms; default 5000. */
  asyncInvokeTimeout: number;
  /** ms between locator refreshes; default 60000. */
  refreshEndpointInterval: number;
  stat?: string;
  property?: string;
  /** ms; default 60000. */
  reportInterval: number;
  /** ms between keep-alive pings of idle connections; 0 = off. */
  keepAliveInterval: number;
  /** Caller name in stat reports (`App.Server`). */
  modulename?: string;
  /** Largest frame accepted, bytes; default 10 MiB. */
  maxPacketSize: number;
  /** Endpoint blocking knobs (framework.md 5.1); missing ones take TarsGo's defaults. */
  blocking: Partial<BlockingPolicy>;
  /**
   * Endpoint auth keys per object (`<client><App.Server.Obj> accesskey, secretkey`, as TarsCpp reads them): used
   * on connections to that object's `-e 1` endpoints (docs/auth.md).
   */
  auth?: Readonly<Record<string, ObjectAuthKeys>>;
}

/** The endpoint auth keys of one object, on the client side. */
export interface ObjectAuthKeys {
  readonly accesskey: string;
  readonly secretkey: string;
}

/** Config keys of the blocking knobs, as written in `<client>`. */
export const BLOCKING_KEYS: Record<string, keyof BlockingPolicy> = {
  'blocking-check-window': 'checkWindowMs',
  'blocking-min-failures': 'minFailuresInWindow',
  'blocking-min-calls': 'minCallsInWindow',
  'blocking-fail-ratio': 'failRatio',
  'blocking-consecutive-failures': 'consecutiveFailures',
  'blocking-consecutive-time': 'consecutiveFailureMs',
  'blocking-retry-interval': 'retryIntervalMs',
};

/** Call-chain tracing of a server (core/src/rpc/trace). */
export interface TraceConfig {
  /** Share of calls with no trace to continue that start one (0..1). */
  readonly rate: number;
  /** Whether dyed requests and calls are always traced. */
  readonly dyed: boolean;
  /** An OpenTelemetry collector's OTLP/HTTP traces URL (`http://host:4318/v1/traces`), when spans go there too. */
  readonly otlp?: string;
}

/** A server's configuration, as tarsnode writes it (framework.md 4.2). */
export interface ServerConfig {
  readonly app: string;
  readonly server: string;
  readonly localip: string;
  /** Admin endpoint hosting AdminObj. */
  readonly local?: Endpoint;
  /** `tars.tarsnode.ServerObj@...` for heartbeats. */
  readonly node?: string;
  readonly nodename: string;
  /**
   * ms between the keepAlive rounds sent to `node` (`<server> mainloopticker`, TarsGo's key for the loop that sends
   * them; TarsCpp has no key and beats every 10 s). Default 10000; 0 or less also means the default.
   */
  readonly mainloopticker: number;
  readonly basepath: string;
  readonly datapath: string;
  readonly logpath: string;
  readonly loglevel: string;
  /** Bytes at which the local log rolls (`<server> logsize`, e.g. `10M`; default 10 MiB, the official template's). */
  readonly logsize: number;
  /** Local log files kept when rolling (`<server> lognum`; default 10). */
  readonly lognum: number;
  readonly config?: string;
  readonly notify?: string;
  readonly log?: string;
  readonly enableset: boolean;
  readonly setdivision?: string;
  /** Whether servants answer tars_describe with their interface (`<server> reflection = y|n`, default y). */
  readonly reflection: boolean;
  readonly adapters: readonly AdapterConfig[];
  /**
   * Call-chain tracing (`<server>` keys `trace-rate`: the share of calls that start a trace, 0..1, default 0;
   * `trace-dyed`: dyed requests always traced, default y; `trace-otlp`: an OTLP/HTTP collector's traces URL).
   */
  readonly trace: TraceConfig;
  readonly client: ClientConfig;
  /** The whole parsed file, for keys the framework does not know. */
  readonly raw: ConfigDomain;
  /** Where it was read from, for messages. */
  readonly file: string;
}

/** Default of `<server> mainloopticker`, ms: TarsGo's MainLoopTicker, TarsCpp's fixed HEART_BEAT_INTERVAL. */
export const MAINLOOPTICKER_DEFAULT = 10000;

/** Defaults of adapters (TarsCpp's) and of the client (framework.md 4.2). */
export const ADAPTER_DEFAULTS = {
  maxconns: 128, queuecap: 1024, queuetimeout: 10000, threads: 1, concurrency: 1024,
} as const;

function num(d: ConfigDomain, key: string, def: number, file: string): number {
  const v = d.params.get(key);
  if (v === undefined || v === '') return def;
  if (!/^-?\d+$/.test(v)) {
    throw new TarsError('CONFIG_INVALID', `${file}: <${d.name}> ${key} = ${v} is not an integer`, {file, key});
  }
  return Number(v);
}

/** `value` when above 0, else `def` (for intervals, where 0 cannot mean "as often as possible"). */
function positive(value: number, def: number): number {
  return value > 0 ? value : def;
}

function opt(d: ConfigDomain | undefined, key: string): string | undefined {
  const v = d?.params.get(key);
  return v === undefined || v === '' ? undefined : v;
}

function endpointOf(value: string, file: string, where: string): Endpoint {
  try {
    return parseEndpoint(value);
  } catch (error) {
    throw new TarsError('CONFIG_INVALID', `${file}: ${where}: ${(error as Error).message}`, {file});
  }
}

function blockingOf(d: ConfigDomain | undefined, file: string): Partial<BlockingPolicy> {
  const out: Partial<BlockingPolicy> = {};
  for (const [key, field] of Object.entries(BLOCKING_KEYS)) {
    const v = opt(d, key);
    if (v === undefined) continue;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) {
      throw new TarsError('CONFIG_INVALID', `${file}: <client> ${key} = ${v} is not a non-negative number`, {file, key});
    }
    out[field] = n;
  }
  return out;
}

/** The client properties of a `<client>` domain (defaults when absent). */
/** The `<client><Obj>` domains that hold `accesskey` or `secretkey`, by object name. */
function authKeysOf(d: ConfigDomain | undefined): Record<string, ObjectAuthKeys> | undefined {
  let out: Record<string, ObjectAuthKeys> | undefined;
  for (const c of d?.children.values() ?? []) {
    const accesskey = opt(c, 'accesskey');
    const secretkey = opt(c, 'secretkey');
    if (accesskey === undefined && secretkey === undefined) continue;
    (out ??= {})[c.name] = {accesskey: accesskey ?? '', secretkey: secretkey ?? ''};
  }
  return out;
}

export function clientConfigOf(d: ConfigDomain | undefined, file = 'config'): ClientConfig {
  const get = (key: string, def: number): number => (d ? num(d, key, def, file) : def);
  return {
    ...(opt(d, 'locator') ? {locator: opt(d, 'locator')} : {}),
    syncInvokeTimeout: get('sync-invoke-timeout', 3000),
    asyncInvokeTimeout: get('async-invoke-timeout', 5000),
    refreshEndpointInterval: get('refresh-endpoint-interval', 60000),
    ...(opt(d, 'stat') ? {stat: opt(d, 'stat')} : {}),
    ...(opt(d, 'property') ? {property: opt(d, 'property')} : {}),
    reportInterval: get('report-interval', 60000),
    keepAliveInterval: get('keep-alive-interval', 0),
    ...(opt(d, 'modulename') ? {modulename: opt(d, 'modulename')} : {}),
    maxPacketSize: get('max-packet-size', 10 * 1024 * 1024),
    blocking: blockingOf(d, file),
    ...(authKeysOf(d) ? {auth: authKeysOf(d)} : {}),
  };
}

/**
 * Reads the server view of a parsed config file. Requires `<tars><application><server>` with `app` and `server`,
 * and every adapter's `endpoint` and `servant`; servant names must start with `app.server.` (as TarsCpp insists).
 */
export function serverConfigOf(root: ConfigDomain, file = 'config'): ServerConfig {
  const application = root.domain('/tars/application');
  const server = application?.children.get('server');
  if (!application || !server) {
    throw new TarsError('CONFIG_INVALID', `${file}: no <tars><application><server> domain: is this a TARS server ` +
      'config file?', {file});
  }
  const app = opt(server, 'app');
  const name = opt(server, 'server');
  if (!app || !name) {
    throw new TarsError('CONFIG_INVALID', `${file}: <server> needs "app" and "server" (e.g. app = TestApp, ` +
      'server = HelloGo)', {file});
  }
  const localip = opt(server, 'localip') ?? '127.0.0.1';
  const adapters: AdapterConfig[] = [];
  for (const d of server.children.values()) {
    const endpointText = opt(d, 'endpoint');
    const servant = opt(d, 'servant');
    if (!endpointText || !servant) {
      throw new TarsError('CONFIG_INVALID', `${file}: adapter <${d.name}> needs "endpoint" and "servant"`, {file});
    }
    // The framework's own servers (application `tars`) may host servants of several of them in one process: this
    // toolkit's daemons do (the registry serves tars.tarsregistry.* and tars.tarsAdminRegistry.AdminRegObj, as
    // tarsregistry and tarsAdminRegistry do in two processes officially). Any other server serves only its own.
    const own = app === 'tars' ? 'tars.' : `${app}.${name}.`;
    if (!servant.startsWith(own)) {
      throw new TarsError('CONFIG_INVALID', `${file}: adapter <${d.name}> serves ${servant}, which is not a servant ` +
        `of ${app}.${name} (it must start with "${own}")`, {file});
    }
    const ep = endpointOf(endpointText.replace(/-h\s+localip\b/, `-h ${localip}`), file, `adapter <${d.name}>`);
    adapters.push({
      name: d.name, endpoint: ep, servant,
      maxconns: num(d, 'maxconns', ADAPTER_DEFAULTS.maxconns, file),
      queuecap: num(d, 'queuecap', ADAPTER_DEFAULTS.queuecap, file),
      queuetimeout: num(d, 'queuetimeout', ADAPTER_DEFAULTS.queuetimeout, file),
      allow: (opt(d, 'allow') ?? '').split(/[;,\s]+/).filter((a) => a !== ''),
      protocol: opt(d, 'protocol') ?? 'tars',
      threads: num(d, 'threads', ADAPTER_DEFAULTS.threads, file),
      concurrency: Math.max(1, num(d, 'concurrency', ADAPTER_DEFAULTS.concurrency, file)),
      ...(opt(d, 'accesskey') !== undefined ? {accesskey: opt(d, 'accesskey')} : {}),
      ...(opt(d, 'secretkey') !== undefined ? {secretkey: opt(d, 'secretkey')} : {}),
    });
  }
  const local = opt(server, 'local');
  const rateText = opt(server, 'trace-rate') ?? '0';
  const rate = Number(rateText);
  if (!Number.isFinite(rate) || rate < 0 || rate > 1) {
    throw new TarsError('CONFIG_INVALID', `${file}: <server> trace-rate "${rateText}" is not a share from 0 to 1 ` +
      '(0.01: one call in a hundred)', {file});
  }
  const otlp = opt(server, 'trace-otlp');
  return {
    app, server: name, localip,
    ...(local ? {local: endpointOf(local, file, '<server> local')} : {}),
    ...(opt(server, 'node') ? {node: opt(server, 'node')} : {}),
    nodename: opt(server, 'nodename') ?? opt(server, 'node_name') ?? localip,
    mainloopticker: positive(num(server, 'mainloopticker', MAINLOOPTICKER_DEFAULT, file), MAINLOOPTICKER_DEFAULT),
    basepath: opt(server, 'basepath') ?? '.',
    datapath: opt(server, 'datapath') ?? '.',
    logpath: opt(server, 'logpath') ?? '.',
    loglevel: (opt(server, 'loglevel') ?? opt(server, 'logLevel') ?? DEFAULT_LOG_LEVEL).toUpperCase(),
    logsize: logSizeOf(opt(server, 'logsize'), file),
    lognum: Math.max(1, num(server, 'lognum', DEFAULT_LOG_NUM, file)),
    ...(opt(server, 'config') ? {config: opt(server, 'config')} : {}),
    ...(opt(server, 'notify') ? {notify: opt(server, 'notify')} : {}),
    ...(opt(server, 'log') ? {log: opt(server, 'log')} : {}),
    enableset: (opt(application, 'enableset') ?? 'n').toLowerCase() === 'y',
    reflection: !/^(n|no|false|0|off)$/i.test(opt(server, 'reflection') ?? 'y'),
    ...(opt(application, 'setdivision') && opt(application, 'setdivision') !== 'NULL'
      ? {setdivision: opt(application, 'setdivision')} : {}),
    adapters,
    trace: {rate, dyed: !/^(n|no|false|0|off)$/i.test(opt(server, 'trace-dyed') ?? 'y'), ...(otlp ? {otlp} : {})},
    client: clientConfigOf(application.children.get('client'), file),
    raw: root,
    file,
  };
}

/** `lognum` when a config names none (the official template's). */
export const DEFAULT_LOG_NUM = 10;
/** `logsize` when a config names none: 10 MiB (the official template's `10M`; TarsCpp's built-in default is 50 MB). */
export const DEFAULT_LOG_SIZE = 10 * 1024 * 1024;

/**
 * A `logsize` value as TarsCpp reads it (TC_Common::toSize): a number of bytes with an optional K, M or G suffix
 * (powers of 1024; `B` and a trailing `B` after the unit are accepted). Undefined when it is not such a size.
 */
export function parseLogSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMG]?)B?\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = {'': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3}[m[2]!.toUpperCase() as '' | 'K' | 'M' | 'G'];
  const bytes = Math.floor(Number(m[1]) * unit);
  return bytes > 0 ? bytes : undefined;
}

function logSizeOf(text: string | undefined, file: string): number {
  if (text === undefined || text.trim() === '') return DEFAULT_LOG_SIZE;
  const size = parseLogSize(text);
  if (size === undefined) {
    throw new TarsError('CONFIG_INVALID', `${file}: <server> logsize = ${text} is not a size (give bytes with an ` +
      'optional K, M or G, e.g. 10M)', {file});
  }
  return size;
}

/** Reads and parses a server config file. */
export function loadServerConfig(file: string): ServerConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new TarsError('CONFIG_INVALID', `cannot read config file ${file}: ${(error as NodeJS.ErrnoException).code ??
      (error as Error).message}`, {file});
  }
  return serverConfigOf(parseTarsConfig(text, file), file);
}

// ---- the same config from options ----------------------------------------------------------------------------------

/** What {@link serverConfigFromOptions} reports its errors against, in place of a file name. */
export const OPTIONS_SOURCE = 'server options';

/** One adapter given as options; every knob left out takes the value a config file without it gets. */
export interface ServerAdapterOptions {
  /** The servant it serves: `App.Server.Obj`, or just `Obj` (then prefixed with `App.Server.`). */
  servant: string;
  /** `tcp -h 127.0.0.1 -p 10015 -t 60000` or a parsed endpoint; port 0 picks a free port. */
  endpoint: string | Endpoint;
  /** Adapter name; default `<servant>Adapter`, as tarsnode names them. */
  name?: string;
  maxconns?: number;
  queuecap?: number;
  queuetimeout?: number;
  /** Client addresses allowed to connect (empty or absent: all). */
  allow?: readonly string[];
  /** `tars` (default) or `not_tars` (the application serves it itself). */
  protocol?: string;
  threads?: number;
  concurrency?: number;
  /** This adapter's own TLS (`cert`, `key`, `ca`, `verifyclient`, `ciphers` in its domain), for an ssl endpoint. */
  tls?: ServerTlsFiles;
  /** Endpoint auth (`-e 1`): the access key clients must present. */
  accesskey?: string;
  /** Endpoint auth: the secret key of `accesskey`. */
  secretkey?: string;
}

/** The `<client>` properties as options (the names of {@link ClientConfig}). */
export type ClientOptions = Partial<Omit<ClientConfig, 'blocking'>> & {blocking?: Partial<BlockingPolicy>};

/**
 * A server's configuration given as options instead of a file: the keys of `<server>` (and `enableset`,
 * `setdivision` of `<application>`), the adapters, and the `<client>` properties.
 */
export interface ServerOptions {
  app: string;
  server: string;
  adapters?: readonly ServerAdapterOptions[];
  /** The admin endpoint hosting AdminObj; none when absent. */
  local?: string | Endpoint;
  localip?: string;
  node?: string;
  nodename?: string;
  /** ms between the keepAlive rounds sent to `node` (default 10000). */
  mainloopticker?: number;
  basepath?: string;
  datapath?: string;
  logpath?: string;
  loglevel?: string;
  /** Size at which the local log rolls: bytes with an optional K, M or G (`10M`). */
  logsize?: string;
  /** Local log files kept when rolling. */
  lognum?: number;
  config?: string;
  notify?: string;
  log?: string;
  enableset?: boolean;
  setdivision?: string;
  reflection?: boolean;
  /** Call-chain tracing: `trace-rate`, `trace-dyed`, `trace-otlp` (see {@link TraceConfig}). */
  trace?: Partial<TraceConfig>;
  client?: ClientOptions;
  /** TLS of every ssl adapter without its own (`cert`, `key`, `ca`, `verifyclient`, `ciphers` in `<server>`). */
  tls?: ServerTlsFiles;
}

/**
 * A server's TLS files and switches, under the names TarsCpp and TarsGo read from `<server>` or from one adapter's
 * domain (docs/tls.md): `cert` and `key` (PEM; both required), `ca` (PEM; the CAs client certificates must chain
 * to), `verifyclient` (require a client certificate signed by `ca`), `ciphers` (an OpenSSL cipher list).
 */
export interface ServerTlsFiles {
  cert: string;
  key: string;
  ca?: string;
  verifyClient?: boolean;
  ciphers?: string;
}

/** Writes TLS files and switches as the keys a config file gives them (docs/tls.md). */
function setTlsKeys(d: ConfigDomain, files: ServerTlsFiles | undefined): void {
  if (!files) return;
  for (const key of ['cert', 'key', 'ca', 'ciphers'] as const) if (files[key]) d.params.set(key, files[key]!);
  if (files.verifyClient !== undefined) d.params.set('verifyclient', files.verifyClient ? '1' : '0');
}

const CLIENT_KEYS: Record<Exclude<keyof ClientConfig, 'blocking' | 'auth'>, string> = {
  locator: 'locator', syncInvokeTimeout: 'sync-invoke-timeout', asyncInvokeTimeout: 'async-invoke-timeout',
  refreshEndpointInterval: 'refresh-endpoint-interval', stat: 'stat', property: 'property',
  reportInterval: 'report-interval', keepAliveInterval: 'keep-alive-interval', modulename: 'modulename',
  maxPacketSize: 'max-packet-size',
};

const SERVER_KEYS = ['localip', 'node', 'nodename', 'basepath', 'datapath', 'logpath', 'loglevel', 'logsize', 'config',
  'notify', 'log'] as const;

const ADAPTER_NUMBERS = ['maxconns', 'queuecap', 'queuetimeout', 'threads', 'concurrency'] as const;

function optionsError(message: string): TarsError {
  return new TarsError('CONFIG_INVALID', `${OPTIONS_SOURCE}: ${message}`, {file: OPTIONS_SOURCE});
}

/** A name that can stand as a config domain or an object-name part: no blanks, no `<`, `>` or `/`. */
function checkWord(value: unknown, what: string, allowDots: boolean): string {
  if (typeof value !== 'string' || value.trim() === '') throw optionsError(`${what} is required (a non-empty string)`);
  if (/[\s<>/&]/.test(value) || (!allowDots && value.includes('.'))) {
    throw optionsError(`${what} "${value}" is not a valid name (no blanks, <, >, /, &${allowDots ? '' : ' or .'})`);
  }
  return value;
}

function integerText(value: unknown, what: string): string {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw optionsError(`${what} must be a non-negative integer (got ${JSON.stringify(value)})`);
  }
  return String(value);
}

function endpointText(value: unknown, what: string): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && 'host' in value && 'port' in value) return formatEndpoint(value as Endpoint);
  throw optionsError(`${what} must be an endpoint like "tcp -h 127.0.0.1 -p 10015" (got ${JSON.stringify(value)})`);
}

/**
 * The config-file tree that `options` stand for: `<tars><application><server>...` with one domain per adapter and
 * a `<client>` domain. {@link serverConfigFromOptions} reads it back through {@link serverConfigOf}, so both paths
 * share every default and every check; `writeTarsConfig` turns it into a file a TARS server reads the same way.
 * Throws a CONFIG_INVALID TarsError naming the option at fault.
 */
export function serverConfigDomain(options: ServerOptions): ConfigDomain {
  const app = checkWord(options.app, 'app', false);
  const name = checkWord(options.server, 'server', false);
  const root = new ConfigDomain('');
  const application = root.child('tars').child('application');
  const server = application.child('server');
  server.params.set('app', app);
  server.params.set('server', name);
  for (const key of SERVER_KEYS) {
    const v = options[key];
    if (v === undefined) continue;
    if (typeof v !== 'string') throw optionsError(`${key} must be a string (got ${JSON.stringify(v)})`);
    server.params.set(key, v);
  }
  if (options.local !== undefined) server.params.set('local', endpointText(options.local, 'local'));
  if (options.lognum !== undefined) server.params.set('lognum', integerText(options.lognum, 'lognum'));
  if (options.mainloopticker !== undefined) {
    server.params.set('mainloopticker', integerText(options.mainloopticker, 'mainloopticker'));
  }
  if (options.reflection !== undefined) server.params.set('reflection', options.reflection ? 'y' : 'n');
  if (options.trace?.rate !== undefined) server.params.set('trace-rate', String(options.trace.rate));
  if (options.trace?.dyed !== undefined) server.params.set('trace-dyed', options.trace.dyed ? 'y' : 'n');
  if (options.trace?.otlp !== undefined) server.params.set('trace-otlp', options.trace.otlp);
  setTlsKeys(server, options.tls);
  if (options.enableset !== undefined) application.params.set('enableset', options.enableset ? 'y' : 'n');
  if (options.setdivision !== undefined) application.params.set('setdivision', options.setdivision);
  const adapters = options.adapters ?? [];
  if (!Array.isArray(adapters)) throw optionsError('adapters must be an array');
  adapters.forEach((a: ServerAdapterOptions, i) => {
    const where = `adapters[${i}]`;
    const servantName = checkWord(a?.servant, `${where}.servant`, true);
    const servant = servantName.includes('.') ? servantName : `${app}.${name}.${servantName}`;
    const adapterName = checkWord(a.name ?? `${servant}Adapter`, `${where}.name`, true);
    if (server.children.has(adapterName)) throw optionsError(`${where}: a second adapter named ${adapterName}`);
    if (a.endpoint === undefined) throw optionsError(`${where} (${servant}) needs an endpoint`);
    const d = server.child(adapterName);
    d.params.set('endpoint', endpointText(a.endpoint, `${where}.endpoint`));
    d.params.set('servant', servant);
    if (a.protocol !== undefined) d.params.set('protocol', checkWord(a.protocol, `${where}.protocol`, false));
    if (a.allow !== undefined) d.params.set('allow', [...a.allow].join(';'));
    if (a.accesskey !== undefined) d.params.set('accesskey', a.accesskey);
    if (a.secretkey !== undefined) d.params.set('secretkey', a.secretkey);
    for (const key of ADAPTER_NUMBERS) {
      if (a[key] !== undefined) d.params.set(key, integerText(a[key], `${where}.${key}`));
    }
    setTlsKeys(d, a.tls);
  });
  const client = options.client ?? {};
  const domain = application.child('client');
  for (const [field, key] of Object.entries(CLIENT_KEYS) as [keyof typeof CLIENT_KEYS, string][]) {
    const v = client[field];
    if (v === undefined) continue;
    domain.params.set(key, typeof v === 'number' ? integerText(v, `client.${field}`) : String(v));
  }
  for (const [key, field] of Object.entries(BLOCKING_KEYS)) {
    const v = client.blocking?.[field];
    if (v !== undefined) domain.params.set(key, String(v));
  }
  for (const [obj, keys] of Object.entries(client.auth ?? {})) {
    const d = domain.child(checkWord(obj, 'client.auth object', true));
    d.params.set('accesskey', keys.accesskey);
    d.params.set('secretkey', keys.secretkey);
  }
  return root;
}

/**
 * The {@link ServerConfig} of options: exactly what a config file with the same keys gives (same defaults, same
 * checks), with {@link OPTIONS_SOURCE} standing for the file name in messages. Throws CONFIG_INVALID TarsErrors.
 */
export function serverConfigFromOptions(options: ServerOptions): ServerConfig {
  return serverConfigOf(serverConfigDomain(options), OPTIONS_SOURCE);
}
