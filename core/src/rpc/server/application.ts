import {writeFileSync} from 'node:fs';
import path from 'node:path';

import {
  ADAPTER_DEFAULTS, type AdapterConfig, OPTIONS_SOURCE, type ServerConfig, type ServerOptions, loadServerConfig,
  serverConfigFromOptions, serverConfigOf,
} from '../../config/server-config.js';
import {parseTarsConfig} from '../../config/tars-config.js';
import {TarsError} from '../../errors/tars-error.js';
import {AdminFServant, type AdminF$Results} from '../../framework/AdminFTars.js';
import {LogProxy} from '../../framework/LogFTars.js';
import {type ConfigListener, RemoteConfig} from './remote-config.js';
import {ServerFProxy} from '../../framework/NodeFTars.js';
import {NotifyProxy} from '../../framework/NotifyFTars.js';
import {formatEndpoint} from '../../protocol/endpoint.js';
import {Communicator} from '../client/communicator.js';
import {DEFAULT_LOG_LEVEL, type DateUnit, Logger, fileSink, parseLogLevel, stderrSink} from '../logger.js';
import {runDyed} from '../dye.js';
import {DayLogger, checkLogName} from '../log/day-logger.js';
import {DyeLog} from '../log/dye-log.js';
import {type NotifierOptions, type NotifierStats, Notifier, type NotifyLevel} from '../log/notifier.js';
import {RemoteLog, type RemoteLogOptions, type RemoteLogStats} from '../log/remote-log.js';
import {LogSpanSink} from '../trace/log-sink.js';
import {OtlpSpanSink} from '../trace/otlp-sink.js';
import {type SpanSink, Tracer} from '../trace/tracer.js';
import type {ServerInterceptor} from '../interceptors.js';
import type {CallContext, Servant} from '../servant.js';
import {parseSetId} from '../set-routing.js';
import {RUNTIME_VERSION} from '../version.js';
import {serverTlsOf} from '../transport/tls-config.js';
import {ServantAdapter} from './adapter.js';
import {Dispatcher} from './dispatcher.js';
import {ADMIN_ADAPTER_NAME, NodeReporter, type NodeReportStats} from './node-reporter.js';

/** The version `tars.viewversion` reports. */
export {RUNTIME_VERSION} from '../version.js';

/** ms a closing application gives its last stat and property reports. */
const FINAL_REPORT_MS = 1000;
/** ms a closing application gives its last remote log lines and its "stop" notification. */
const FINAL_LOG_MS = 1000;
/** ms one LogF call may take (TarsCpp's remote log proxy timeout). */
const LOG_CALL_TIMEOUT = 3000;

/** A command answered by AdminObj's `notify`: gets the text after the command name, returns the reply. */
export type AdminCommand = (params: string, app: Application) => string | Promise<string>;

/** A hook run once when the application closes; see {@link Application.onClose}. */
export type CloseHook = () => void | Promise<void>;

/** Options of an {@link Application}. */
export interface ApplicationOptions {
  /** Where the local log goes; default: `<logpath>/<app>/<server>/<app>.<server>.log` when logpath is set, else stderr. */
  logger?: Logger;
  /**
   * Install SIGINT/SIGTERM handlers that close the application gracefully (default true for fromArgs). The
   * application never exits the process: once closed it holds nothing, so the process ends by itself when the
   * caller's code holds nothing either; a caller that must end regardless adds an {@link Application.onClose} hook
   * that exits.
   */
  handleSignals?: boolean;
  /** Time requests in flight get to finish on close, ms (default 5000). */
  graceMs?: number;
  communicator?: Communicator;
  /** Batching and bounds of the remote log (`<server> log`); see {@link RemoteLogOptions}. */
  remoteLog?: RemoteLogOptions;
  /** Bounds of the notify reports (`<server> notify`); see {@link NotifierOptions}. */
  notify?: NotifierOptions;
}

/** {@link Application.fromOptions}: the server's configuration and the application's options in one object. */
export type ApplicationFromOptions = ServerOptions & ApplicationOptions;

/**
 * A TARS server process: `node dist/HelloGo.js --config=config.conf`. Reads the config file, hosts servants on the
 * adapters it declares (one servant per adapter, matched by name), serves AdminObj on the `local` endpoint, and
 * shuts down gracefully.
 *
 * ```ts
 * const app = await Application.fromArgs(process.argv);
 * app.addServant(new SayHelloImp(), 'TestApp.HelloGo.SayHelloObj');
 * await app.start();
 * ```
 */
export class Application {
  readonly dispatcher: Dispatcher;
  readonly logger: Logger;
  readonly communicator: Communicator;
  private readonly adapters: ServantAdapter[] = [];
  private adminAdapter?: ServantAdapter;
  private readonly adminDispatcher = new Dispatcher();
  private readonly commands = new Map<string, {handler: AdminCommand; help: string}>();
  private started = false;
  private closing?: Promise<void>;
  private readonly startedAt = new Date();
  private signalHandler?: () => void;
  private readonly closeHooks: CloseHook[] = [];
  private nodeReporter?: NodeReporter;
  /** Lines for the log daemon (`<server> log`), the named day logs, the dye log, the notify reports. */
  private readonly remote?: RemoteLog;
  private readonly dayLoggers = new Map<string, DayLogger>();
  private readonly rollLoggers = new Map<string, Logger>();
  private readonly dyeLog: DyeLog;
  private readonly notifier?: Notifier;
  /** Call-chain tracing, when spans have somewhere to go (`<server> log`, `trace-otlp`). */
  readonly tracer?: Tracer;
  /** Spans to an OpenTelemetry collector (`<server> trace-otlp`). */
  readonly otlpSink?: OtlpSpanSink;

  constructor(readonly config: ServerConfig, private readonly options: ApplicationOptions = {}) {
    this.dispatcher = new Dispatcher(config.enableset ? parseSetId(config.setdivision) : undefined,
      config.reflection);
    this.logger = options.logger ?? new Logger(parseLogLevel(config.loglevel) ?? DEFAULT_LOG_LEVEL,
      this.localLogs
        ? fileSink(path.join(config.logpath, config.app, config.server), `${config.app}.${config.server}`,
          {maxSize: config.logsize, maxFiles: config.lognum})
        : stderrSink);
    this.communicator = options.communicator ?? Communicator.fromConfig(config);
    if (config.log) {
      const proxy = this.communicator.stringToProxy(LogProxy, config.log);
      this.remote = new RemoteLog((target, lines) => (target.kind === 'info'
        ? proxy.loggerbyInfo(target.info, lines, {timeout: LOG_CALL_TIMEOUT})
        : proxy.logger(target.app, target.server, target.file, target.format, lines, {timeout: LOG_CALL_TIMEOUT})),
      options.remoteLog);
    }
    this.dyeLog = new DyeLog(config.app, config.server, this.localLogs ? config.logpath : undefined, this.remote);
    // Call-chain tracing: spans to the log daemon (`_t_trace_`) and to an OpenTelemetry collector (`trace-otlp`).
    // The server side checks each request for a trace to continue; the client side is installed once a trace runs
    // here (or at once with a sample rate): until then calls take the proxy's direct path.
    const moduleName = config.client.modulename ?? `${config.app}.${config.server}`;
    const sinks: SpanSink[] = [];
    if (this.remote) sinks.push(new LogSpanSink(this.remote, config.app, config.server));
    if (config.trace.otlp) {
      this.otlpSink = new OtlpSpanSink({url: config.trace.otlp, serviceName: moduleName,
        onError: (error) => this.logger.error(`${this.name}: ${error.message}`)});
      sinks.push(this.otlpSink);
    }
    if (sinks.length > 0) {
      this.tracer = new Tracer({sampleRate: config.trace.rate, traceDyed: config.trace.dyed, sinks, moduleName,
        onActive: (tracer) => this.communicator.use(tracer.clientInterceptor)});
      this.dispatcher.traceWith(this.tracer);
    }
    this.logger.setDyeHook((level, message, key) => this.dyeLog.write(level, message, key));
    this.dispatcher.onDyed((ctx, next) => {
      const key = ctx.dyeKey;
      if (key === undefined) return next();
      this.dyeLog.write('INFO', `served ${ctx.servant}.${ctx.func} for ${ctx.remote?.host ?? 'a client'}`, key);
      return runDyed(key, next);
    });
    if (config.notify) {
      this.notifier = new Notifier(this.communicator.stringToProxy(NotifyProxy, config.notify), {app: config.app,
        server: config.server, setdivision: config.enableset ? config.setdivision : undefined,
        nodeName: config.nodename}, options.notify);
    }
    // Callee-side call statistics, while the communicator reports to a stat object (`<client> stat`).
    this.dispatcher.reportStatsTo(this.communicator, config.app, config.server, config.localip,
      config.enableset ? config.setdivision : undefined);
    this.adminDispatcher.add('AdminObj', new AdminServant(this));
    this.registerBuiltinCommands();
  }

  /**
   * The application of a process started as TARS starts servers: `--config=FILE` or `--config FILE` in `argv`.
   * Fails with a clear error when the flag or the file is missing or the file is not a server config.
   */
  static async fromArgs(argv: readonly string[] = process.argv, options: ApplicationOptions = {}): Promise<Application> {
    let file: string | undefined;
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i];
      if (a.startsWith('--config=')) file = a.slice('--config='.length);
      else if (a === '--config') file = argv[i + 1];
    }
    if (!file) {
      throw new TarsError('CONFIG_INVALID', 'no --config=FILE argument: start the server as ' +
        '`node dist/Server.js --config=config.conf`');
    }
    return new Application(loadServerConfig(file), {handleSignals: true, ...options});
  }

  /** An application from config text (tests, embedded servers). */
  static fromText(text: string, options: ApplicationOptions = {}): Application {
    return new Application(serverConfigOf(parseTarsConfig(text, 'config'), 'config'), options);
  }

  /**
   * An application from options, for servers started by code rather than by a config file (the base services):
   * the config is exactly what a file with the same keys gives (same defaults, same checks; see
   * {@link serverConfigFromOptions}), so `app.config` reads the same either way. Signals are not handled unless
   * `handleSignals` says so. Throws a CONFIG_INVALID TarsError naming the option at fault.
   *
   * ```ts
   * const app = Application.fromOptions({app: 'tars', server: 'tarsregistry', local: 'tcp -h 127.0.0.1 -p 0',
   *   adapters: [{servant: 'tars.tarsregistry.QueryObj', endpoint: 'tcp -h 127.0.0.1 -p 17890', queuecap: 10000}]});
   * ```
   */
  static fromOptions(options: ApplicationFromOptions): Application {
    const {logger, handleSignals, graceMs, communicator, remoteLog, notify, ...server} = options;
    const appOptions: ApplicationOptions = {
      ...(logger ? {logger} : {}), ...(handleSignals !== undefined ? {handleSignals} : {}),
      ...(graceMs !== undefined ? {graceMs} : {}), ...(communicator ? {communicator} : {}),
      ...(remoteLog ? {remoteLog} : {}), ...(notify ? {notify} : {}),
    };
    return new Application(serverConfigFromOptions(server), appOptions);
  }

  /** Whether local log files are kept (a logpath other than `.`); else the local log is stderr. */
  private get localLogs(): boolean {
    return this.config.logpath !== '' && this.config.logpath !== '.';
  }

  /**
   * A named log (TarsCpp `FDLOG("access")`, TarsGo `GetDayLogger`): one file a day (or an hour) under
   * `<logpath>/<App>/<Server>/` named `<App>.<Server>_<name>_<YYYYMMDD>.log` (`''` is the default day log,
   * `<App>.<Server>_<YYYYMMDD>.log`), and the same lines sent to the log daemon (`<server> log`) with loggerbyInfo,
   * batched and never blocking (see {@link remoteLogStats}). The same name gives the same logger. Throws for a name
   * with `/`, `\` or `..`.
   */
  dayLogger(name = '', unit: DateUnit = 'day'): DayLogger {
    checkLogName(name);
    const key = `${name}|${unit}`;
    let logger = this.dayLoggers.get(key);
    if (logger === undefined) {
      logger = new DayLogger({app: this.config.app, server: this.config.server, name, unit,
        logpath: this.localLogs ? this.config.logpath : undefined, remote: this.remote,
        setdivision: this.config.enableset ? this.config.setdivision : undefined, level: () => this.logger.level,
        dye: (level, message, dyeKey) => this.dyeLog.write(level, message, dyeKey)});
      this.dayLoggers.set(key, logger);
    }
    return logger;
  }

  /**
   * A named local log rolled by size as the main one (TarsGo `GetLogger(name)`): `<logpath>/<App>/<Server>/
   * <App>.<Server>_<name>.log`, rolled at `logsize` keeping `lognum` files, at the level of {@link logger} (which
   * `tars.setloglevel` changes for all of them); stderr without a logpath. `''` is {@link logger} itself. The same
   * name gives the same logger. Throws for a name with `/`, `\\` or `..`.
   */
  rollLogger(name: string): Logger {
    checkLogName(name);
    if (name === '') return this.logger;
    let logger = this.rollLoggers.get(name);
    if (logger === undefined) {
      const c = this.config;
      logger = new Logger(this.logger.level, this.localLogs
        ? fileSink(path.join(c.logpath, c.app, c.server), `${c.app}.${c.server}_${name}`,
          {maxSize: c.logsize, maxFiles: c.lognum})
        : stderrSink);
      logger.setDyeHook((level, message, key) => this.dyeLog.write(level, `[${name}] ${message}`, key));
      this.rollLoggers.set(name, logger);
    }
    return logger;
  }

  /** Counters of the remote log (lines sent, dropped, buffered); undefined without `<server> log`. */
  get remoteLogStats(): RemoteLogStats | undefined {
    return this.remote?.stats;
  }

  /** Counters of the notify reports; undefined without `<server> notify`. */
  get notifyStats(): NotifierStats | undefined {
    return this.notifier?.stats;
  }

  /** Lines written to the dye log so far. */
  get dyeLines(): number {
    return this.dyeLog.written;
  }

  /**
   * A business alert to the notify daemon (`<server> notify`): NotifyF.reportNotifyInfo with eType NOTIFY and the
   * level (`normal`, `warn`, `error`), as TarsCpp's TARS_NOTIFY_* and @tars/notify's notify() send it. Never blocks or
   * throws; a report the daemon does not take is counted in {@link notifyStats}. Without `notify` it is logged only.
   */
  notify(level: NotifyLevel, message: string): void {
    this.logger.info(`notify [${level}] ${message}`);
    this.notifier?.notify(level, message);
  }

  /** A free-text report to the notify daemon (eType REPORT: the daemon reads "[alarm]", "[error]"... in the text). */
  report(message: string): void {
    this.notifier?.report(message);
  }

  /** `App.Server`. */
  get name(): string {
    return `${this.config.app}.${this.config.server}`;
  }

  /**
   * Hosts `servant` under `name` on the adapter whose `servant` key is that name. Fails when no adapter of the
   * config serves it (the hint lists those that do).
   */
  addServant(servant: Servant, name: string): this {
    const adapter = this.config.adapters.find((a) => a.servant === name);
    if (!adapter) {
      throw new TarsError('CONFIG_INVALID', `no adapter in ${this.config.file} serves ${name} (adapters serve: ` +
        `${this.config.adapters.map((a) => a.servant).join(', ') || 'nothing'})`);
    }
    if (this.dispatcher.has(name)) throw new TarsError('CONFIG_INVALID', `${name} is already added`);
    this.dispatcher.add(name, servant);
    return this;
  }

  /**
   * Adds an interceptor around every servant call of this application (stat, tracing, authentication...); the first
   * added runs outermost. AdminObj's calls are not intercepted. See core/src/rpc/interceptors.ts.
   */
  use(interceptor: ServerInterceptor): this {
    this.dispatcher.use(interceptor);
    return this;
  }

  /** Registers an admin command answered through AdminObj.notify (`tars server notify ... <name> <params>`). */
  addAdminCommand(name: string, handler: AdminCommand, help = ''): this {
    this.commands.set(name, {handler, help});
    return this;
  }

  /** Adapter by name, once started. */
  adapter(name: string): ServantAdapter | undefined {
    return this.adapters.find((a) => a.name === name);
  }

  /** Every started adapter (the admin adapter excluded). */
  get servantAdapters(): readonly ServantAdapter[] {
    return this.adapters;
  }

  /** The admin adapter, when a `local` endpoint is configured. */
  get admin(): ServantAdapter | undefined {
    return this.adminAdapter;
  }

  /**
   * Binds every adapter that has a servant (adapters without one are reported and skipped) and the admin endpoint.
   * Resolves when all listen. When one cannot listen, the ones already bound (the admin adapter included) are closed
   * again before it rejects, so nothing is left listening; the error is a one-line TarsError (LISTEN_ADDRESS_IN_USE
   * and friends) naming the adapter, the endpoint and the fix. The application is then not started: start may be
   * called again, or close to release the rest. Calling start after close rejects with CLOSED.
   *
   * When the config names a node (`<server> node = tars.tarsnode.ServerObj@...`), the node hears keepActiving before
   * the adapters bind, then reportVersion and keepAlive once they listen, then a keepAlive per live adapter every
   * `mainloopticker` ms until close (see {@link NodeReporter}); a node that is away never delays or fails the start.
   */
  async start(): Promise<void> {
    if (this.closing) throw new TarsError('CLOSED', `${this.name} is closed; create a new Application to start again`);
    if (this.started) return;
    this.started = true;
    // As TarsCpp: the node hears keepActiving before the adapters bind, so it knows the process is starting.
    const reporter = this.reporter();
    reporter?.activating();
    try {
      await this.listenAll();
    } catch (error) {
      this.started = false;
      // Not started after all: no beats; a later start begins again with keepActiving.
      reporter?.stop();
      this.nodeReporter = undefined;
      const opened = [...this.adapters, ...(this.adminAdapter ? [this.adminAdapter] : [])];
      this.adapters.length = 0;
      this.adminAdapter = undefined;
      await Promise.all(opened.map((a) => a.close(0)));
      throw error;
    }
    if (this.options.handleSignals) {
      // Stays installed while closing: a second Ctrl-C (or an npm wrapper passing the signal on) must not kill the
      // process in the middle of the graceful stop.
      this.signalHandler = () => {
        void this.close();
      };
      process.on('SIGINT', this.signalHandler);
      process.on('SIGTERM', this.signalHandler);
    }
    reporter?.started(() => this.beatingAdapters());
    // As TarsCpp and TarsGo: the notify daemon hears "restart" once the server serves.
    this.notifier?.report('restart');
    this.logger.info(`${this.name} started`);
  }

  /**
   * What the node heard from this server, when the config names one (`<server> node`); undefined otherwise or
   * before start. See {@link NodeReporter} for what is sent when.
   */
  get nodeReports(): NodeReportStats | undefined {
    return this.nodeReporter?.stats;
  }

  /** The reporter to the node of the config, made at the first start; none without `node`. */
  private reporter(): NodeReporter | undefined {
    const obj = this.config.node;
    if (!obj) return undefined;
    this.nodeReporter ??= new NodeReporter(this.communicator.stringToProxy(ServerFProxy, obj), {
      obj, app: this.config.app, server: this.config.server, logger: this.logger, version: RUNTIME_VERSION,
      intervalMs: this.config.mainloopticker,
    });
    return this.nodeReporter;
  }

  /**
   * The adapter names each keepAlive round names: those that listen, the admin one as `AdminAdapter`, and the
   * non-tars ones the application serves itself (TarsGo beats those always, having no way to see them live). A tars
   * adapter left without a servant does not listen, so it does not beat and the node sees it as down.
   */
  private beatingAdapters(): string[] {
    const names = this.adapters.map((a) => a.name);
    for (const config of this.config.adapters) {
      if (config.protocol !== 'tars' && !names.includes(config.name)) names.push(config.name);
    }
    if (this.adminAdapter) names.push(ADMIN_ADAPTER_NAME);
    return names;
  }

  /** Where an endpoint comes from, for the fix of a listen error: the config file's key, or the option. */
  private originOf(key: 'endpoint' | 'local'): string {
    const what = key === 'local' ? 'local' : 'its endpoint';
    return this.config.file === OPTIONS_SOURCE ? what : `${what} in ${this.config.file}`;
  }

  private async listenAll(): Promise<void> {
    for (const config of this.config.adapters) {
      if (!this.dispatcher.has(config.servant)) {
        // A not_tars adapter (HTTP and the like) is served by the application's own code, not by a servant.
        if (config.protocol === 'tars') {
          this.logger.warn(`adapter ${config.name}: no servant added for ${config.servant}; not listening`);
        } else {
          this.logger.debug(`adapter ${config.name}: protocol ${config.protocol}, left to the application`);
        }
        continue;
      }
      // ssl: the certificate of the adapter's domain, else of <server>; a missing or bad file fails the start here.
      const tls = config.endpoint.protocol === 'ssl' ? serverTlsOf(this.config, config.name) : undefined;
      const adapter = new ServantAdapter(config, this.dispatcher, {logger: this.logger,
        maxPacket: this.communicator.properties.maxPacketSize, endpointOrigin: this.originOf('endpoint'),
        ...(tls ? {tls} : {})});
      await adapter.listen();
      this.adapters.push(adapter);
      this.logger.info(`listening: ${adapter}`);
    }
    if (this.config.local) {
      const adminConfig: AdapterConfig = {name: ADMIN_ADAPTER_NAME, endpoint: this.config.local, servant: 'AdminObj',
        ...ADAPTER_DEFAULTS, queuecap: 10240, queuetimeout: 60000, allow: [], protocol: 'tars'};
      const tls = this.config.local.protocol === 'ssl' ? serverTlsOf(this.config, ADMIN_ADAPTER_NAME) : undefined;
      const admin = new ServantAdapter(adminConfig, this.adminDispatcher, {logger: this.logger,
        endpointOrigin: this.originOf('local'), ...(tls ? {tls} : {})});
      await admin.listen();
      this.adminAdapter = admin;
      this.logger.info(`listening: ${admin}`);
    }
  }

  /**
   * Adds a hook to run when the application closes: once, after every adapter (AdminObj's included) has stopped and
   * before the communicator closes (so a hook may still call other servers, e.g. to deregister). Hooks run one
   * after the other in the order added, each awaited; a hook that throws or rejects is logged and the next one
   * still runs. A hook added once close has finished is never run.
   */
  onClose(hook: CloseHook): this {
    this.closeHooks.push(hook);
    return this;
  }

  /**
   * Graceful stop: adapters stop accepting, requests in flight finish (up to graceMs), connections close, the
   * onClose hooks run, the last stat and property reports are sent (up to 1 s), the communicator closes, signal
   * handlers are removed. Idempotent; every call returns the same promise. Never exits the process.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.logger.info(`${this.name} stopping`);
      // First: a stopping server must not tell the node it lives (TarsGo stops beating once shutdown begins).
      this.nodeReporter?.stop();
      await Promise.all(this.adapters.map((a) => a.close(this.options.graceMs ?? 5000)));
      await this.adminAdapter?.close(1000);
      // Indexed, not iterated over a copy: a hook may add another, which then runs too.
      for (let i = 0; i < this.closeHooks.length; i++) {
        try {
          await this.closeHooks[i]();
        } catch (error) {
          this.logger.error(`${this.name}: close hook ${i + 1} failed: ${(error as Error)?.message ?? String(error)}`);
        }
      }
      // What was counted since the last report goes now (bounded: a stat daemon that hangs cannot hold the stop).
      let giveUp: NodeJS.Timeout | undefined;
      // "stop" to the notify daemon (only when the server had started: TarsGo's and TarsCpp's order), the last
      // remote log lines and the last spans for the OpenTelemetry collector, all bounded.
      if (this.started) this.notifier?.report('stop');
      await Promise.race([Promise.all([this.communicator.flushReports(), this.notifier?.flush(FINAL_LOG_MS),
        this.remote?.close(FINAL_LOG_MS), this.otlpSink?.close(FINAL_LOG_MS)]),
      new Promise((resolve) => (giveUp = setTimeout(resolve, FINAL_REPORT_MS)))]);
      clearTimeout(giveUp);
      this.notifier?.close();
      for (const logger of this.dayLoggers.values()) logger.close();
      for (const logger of this.rollLoggers.values()) logger.close();
      this.dyeLog.close();
      this.communicator.close();
      if (this.signalHandler) {
        process.off('SIGINT', this.signalHandler);
        process.off('SIGTERM', this.signalHandler);
      }
      this.logger.info(`${this.name} stopped`);
      // A logger of our own making closes with us (its log file); one given in the options is its owner's.
      if (!this.options.logger) this.logger.close();
    })();
    return this.closing;
  }

  // ---- admin commands ---------------------------------------------------------------------------------------------

  /** Runs an admin command line (`tars.viewstatus`, `tars.setloglevel DEBUG`, ...) and returns the reply. */
  async runAdminCommand(line: string): Promise<string> {
    const trimmed = line.trim();
    const space = trimmed.search(/\s/);
    const name = space < 0 ? trimmed : trimmed.slice(0, space);
    const params = space < 0 ? '' : trimmed.slice(space + 1).trim();
    const command = this.commands.get(name);
    if (!command) return `unknown command "${name}"; tars.help lists the commands`;
    try {
      return await command.handler(params, this);
    } catch (error) {
      return `error: ${(error as Error).message}`;
    }
  }

  private registerBuiltinCommands(): void {
    this.addAdminCommand('tars.help', () => [...this.commands].map(([n, c]) => `${n}${c.help ? `  ${c.help}` : ''}`)
      .join('\n'), 'list the commands');
    this.addAdminCommand('tars.viewversion', () => `$${RUNTIME_VERSION}$`, 'the runtime version');
    this.addAdminCommand('tars.viewstatus', () => this.status(), 'client and server configuration, adapters');
    this.addAdminCommand('tars.setloglevel', (params) => (this.setLogLevel(params)
      ? `set log level [${params.trim().toUpperCase()}] ok`
      : `set log level [${params}] error: use NONE, ERROR, WARN, INFO or DEBUG`), 'NONE|ERROR|WARN|INFO|DEBUG');
    this.addAdminCommand('tars.connection', () => this.connections(), 'the connections of each adapter');
    this.addAdminCommand('tars.viewproxy', (params) => this.viewProxy(params),
      '[--json] [OBJ]: the endpoints each client proxy knows, their state and since when a blocked one is blocked');
    this.addAdminCommand('tars.loadconfig', (params) => this.remoteConfig.reload(params),
      'FILE: fetch FILE from the config center again (addConfig listeners are called)');
  }

  /**
   * `tars.viewproxy [--json] [OBJ]`: each client proxy of this server's communicator (whose object name contains OBJ)
   * with its endpoints' health as the runtime sees it: state, consecutive failures, the window's calls and failures,
   * since when an unusable endpoint is unusable and why, when it is probed again. Times are ISO in the text, ms in JSON.
   */
  viewProxy(params: string): string {
    const words = params.split(/\s+/).filter(Boolean);
    const json = words.includes('--json');
    const filter = words.find((w) => w !== '--json') ?? '';
    const proxies = this.communicator.proxyHealth(filter).map((p) => ({obj: p.obj, endpoints: p.endpoints.map((e) => ({
      endpoint: formatEndpoint(e.endpoint), state: e.state, consecutiveFailures: e.consecutiveFailures,
      windowCalls: e.windowCalls, windowFailures: e.windowFailures,
      ...(e.unusableSince !== undefined ? {unusableSince: e.unusableSince, reason: e.reason} : {}),
      ...(e.blockedUntil !== undefined ? {blockedUntil: e.blockedUntil} : {}),
      ...(e.lastSuccessAt !== undefined ? {lastSuccessAt: e.lastSuccessAt} : {}),
    }))}));
    if (json) return JSON.stringify({now: Date.now(), proxies});
    if (proxies.length === 0) return filter ? `no client proxy of an object containing "${filter}"` : 'no client proxy';
    const iso = (ms: number | undefined) => ms === undefined ? '' : new Date(ms).toISOString();
    return proxies.flatMap((p) => [`[proxy ${p.obj}]`, ...p.endpoints.map((e) => `${e.endpoint}  ${e.state}` +
      `  failures ${e.consecutiveFailures} (window ${e.windowFailures}/${e.windowCalls})` +
      (e.unusableSince !== undefined ? `  since ${iso(e.unusableSince)} (${e.reason})  next probe ${iso(e.blockedUntil)}` : ''))])
      .join('\n');
  }

  /** Sets the level of {@link logger} and of every {@link rollLogger} (day logs follow it); false for a bad name. */
  setLogLevel(name: string): boolean {
    if (!this.logger.setLevel(name)) return false;
    for (const logger of this.rollLoggers.values()) logger.setLevel(name);
    return true;
  }

  /** `tars.viewstatus`: client properties, server keys, and each adapter with its live counters. */
  status(): string {
    const c = this.config;
    const p = this.communicator.properties;
    const lines = [
      '[proxy config]',
      `locator:                   ${p.locator ?? ''}`,
      `sync-invoke-timeout:       ${p.syncInvokeTimeout}`,
      `async-invoke-timeout:      ${p.asyncInvokeTimeout}`,
      `refresh-endpoint-interval: ${p.refreshEndpointInterval}`,
      `stat:                      ${p.stat ?? ''}`,
      `property:                  ${p.property ?? ''}`,
      `report-interval:           ${p.reportInterval}`,
      `keep-alive-interval:       ${p.keepAliveInterval}`,
      `modulename:                ${p.modulename ?? this.name}`,
      `stat reports:              ${this.reportLine('stat')}`,
      `property reports:          ${this.reportLine('property')}`,
      `enableset:                 ${c.enableset ? 'y' : 'n'}`,
      `setdivision:               ${c.setdivision ?? ''}`,
      '[server config]',
      `app:                       ${c.app}`,
      `server:                    ${c.server}`,
      `localip:                   ${c.localip}`,
      `local:                     ${c.local ? formatEndpoint(this.adminAdapter?.endpoint ?? c.local) : ''}`,
      `node:                      ${c.node ?? ''}`,
      `nodename:                  ${c.nodename}`,
      `mainloopticker:            ${c.mainloopticker}`,
      `node reports:              ${this.nodeReportLine()}`,
      `basepath:                  ${c.basepath}`,
      `datapath:                  ${c.datapath}`,
      `logpath:                   ${c.logpath}`,
      `loglevel:                  ${this.logger.level}`,
      `config:                    ${c.config ?? ''}`,
      `notify:                    ${c.notify ?? ''}`,
      `log:                       ${c.log ?? ''}`,
      `remote log:                ${this.remoteLine()}`,
      `notify reports:            ${this.notifyLine()}`,
      `logsize / lognum:          ${c.logsize} / ${c.lognum}`,
      `started:                   ${this.startedAt.toISOString()}`,
      `pid:                       ${process.pid}`,
    ];
    for (const a of [...this.adapters, ...(this.adminAdapter ? [this.adminAdapter] : [])]) {
      const s = a.stats;
      lines.push(`[adapter ${a.name}]`,
        `servant:      ${a.config.servant}`,
        `endpoint:     ${formatEndpoint(a.endpoint)}`,
        `maxconns:     ${a.config.maxconns}`,
        `queuecap:     ${a.config.queuecap}`,
        `queuetimeout: ${a.config.queuetimeout}`,
        `threads:      ${a.config.threads}`,
        `concurrency:  ${a.config.concurrency}`,
        `allow:        ${a.config.allow.join(';')}`,
        `protocol:     ${a.config.protocol}`,
        `connections:  ${s.connections}`,
        `requests:     ${s.requests}`,
        `in flight:    ${s.inFlight}`,
        `queue length: ${s.queued}`,
        `running:      ${s.running}`,
        `rejected (-9 overload):      ${s.rejected}`,
        `expired (-6 queue timeout):  ${s.expired}`,
        `max queue wait ms:           ${s.maxWaitMs}`,
        `refused connections: ${s.refusedConnections}`,
        `bad frames:   ${s.badFrames}`);
    }
    return lines.join('\n');
  }

  /** One line of counters of the stat or property reporter, for tars.viewstatus. */
  private reportLine(which: 'stat' | 'property'): string {
    const r = this.communicator.stats()[which];
    if (!r) return `none (no ${which} object configured)`;
    const unit = which === 'stat' ? 'calls' : 'properties';
    return `reported ${r.reported} ${unit}, dropped ${r.dropped}, RPCs sent ${r.sent}, failed ${r.failed}, ` +
      `skipped ${r.skipped}${which === 'stat' ? `, keys ${(r as {keys: number}).keys}` : ''}` +
      (r.lastError ? `, last error: ${r.lastError}` : '');
  }

  private remoteLine(): string {
    const r = this.remote?.stats;
    if (!r) return 'none (no log object configured)';
    return `sent ${r.sent} lines in ${r.batches} calls (${r.failedBatches} failed), dropped ${r.dropped}, buffered ` +
      `${r.buffered}${r.lastError ? `, last error: ${r.lastError}` : ''}`;
  }

  private notifyLine(): string {
    const r = this.notifier?.stats;
    if (!r) return 'none (no notify object configured)';
    return `sent ${r.sent}, failed ${r.failed}, dropped ${r.dropped}${r.lastError ? `, last error: ${r.lastError}` : ''}`;
  }

  private nodeReportLine(): string {
    const r = this.nodeReporter?.stats;
    if (!r) return this.config.node ? 'none yet' : 'none (no node configured)';
    return `sent ${r.sent}, failed ${r.failed}, skipped rounds ${r.skipped}, last answered ` +
      `${r.lastOk?.toISOString() ?? 'never'}`;
  }

  private connections(): string {
    const lines: string[] = [];
    for (const a of this.adapters) {
      const list = a.connectionList();
      lines.push(`[adapter ${a.name}] ${list.length} connection(s)`);
      for (const c of list) {
        lines.push(`${c.remote}  since ${c.since.toISOString()}  requests ${c.requests}  in flight ${c.inFlight}`);
      }
    }
    return lines.join('\n');
  }

  private remoteConfigOf?: RemoteConfig;

  /** The config files this server takes from the config center (`<server> config`). */
  private get remoteConfig(): RemoteConfig {
    this.remoteConfigOf ??= new RemoteConfig({communicator: this.communicator, app: this.config.app,
      server: this.config.server, basepath: this.config.basepath, logger: this.logger,
      ...(this.config.nodename && this.config.nodename !== this.config.localip ? {nodeName: this.config.nodename} : {}),
      ...(this.config.config ? {configObj: this.config.config} : {}),
      ...(this.config.enableset && this.config.setdivision ? {setdivision: this.config.setdivision} : {})});
    return this.remoteConfigOf;
  }

  /**
   * TarsGo's `AddConfig`: fetches the file `name` from the config center into the base path (the previous content
   * kept as `name.1.bak` ... `name.5.bak`), and again on every `tars.loadconfig name`, calling `listener` with the
   * content each time (also now). When the config center is away or has no such file, the local copy is used (a
   * warning); with no local copy either, it rejects with a CONFIG_INVALID TarsError. Resolves with the content.
   */
  async addConfig(name: string, listener?: ConfigListener): Promise<string> {
    return (await this.remoteConfig.add(name, listener)).content;
  }
}

/** AdminObj (AdminF): shutdown, notify (admin commands) and getPid. */
class AdminServant extends AdminFServant {
  constructor(private readonly app: Application) {
    super();
  }

  shutdown(ctx: CallContext): void {
    this.app.logger.info(`shutdown requested by ${ctx.remote?.host ?? 'a client'}`);
    // Answer first, then stop (as TarsCpp, which flushes replies before exiting). The process then ends by itself,
    // or by an onClose hook of whoever owns it; the runtime never exits it.
    setTimeout(() => void this.app.close(), 100);
  }

  async notify(command: string): Promise<AdminF$Results['notify']> {
    return {ret: await this.app.runAdminCommand(command)};
  }

  getPid(): AdminF$Results['getPid'] {
    return {ret: BigInt(process.pid)};
  }
}
