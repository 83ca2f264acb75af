import {MAINLOOPTICKER_DEFAULT} from '../../config/server-config.js';
import type {ServerFProxy, ServerInfo} from '../../framework/NodeFTars.js';
import type {Logger} from '../logger.js';

/** ms between keepActiving calls while the server starts: TarsCpp repeats it every 5 s until initialize returns. */
export const NODE_ACTIVATING_INTERVAL = 5000;

/** The name both official runtimes give the admin (`local`) adapter in its keepAlive. */
export const ADMIN_ADAPTER_NAME = 'AdminAdapter';

/** ms a call to the node may take: TarsGo's default sync-invoke-timeout, the runtime that awaits these calls. */
const CALL_TIMEOUT = 3000;

/** Most one line about an unreachable node per this many ms: a node that is away must not flood the log. */
const FAILURE_LOG_INTERVAL = 60000;

/** What a {@link NodeReporter} needs besides the node's proxy. */
export interface NodeReporterOptions {
  /** The node's object (`tars.tarsnode.ServerObj@tcp -h ... -p 19386`), for log lines. */
  obj: string;
  app: string;
  server: string;
  logger: Logger;
  /** What reportVersion sends (the runtime version, as `tars.viewversion` shows it). */
  version: string;
  /**
   * ms between keepAlive rounds; default {@link MAINLOOPTICKER_DEFAULT} (10 s: TarsCpp's HEART_BEAT_INTERVAL, TarsGo's
   * MainLoopTicker).
   */
  intervalMs?: number;
  /** ms between keepActiving calls while starting; default {@link NODE_ACTIVATING_INTERVAL}. */
  activatingIntervalMs?: number;
  /** Process id sent in ServerInfo; default process.pid (tarsnode ignores beats with pid <= 0). */
  pid?: number;
}

/** Counters of a {@link NodeReporter}, for tars.viewstatus and tests. */
export interface NodeReportStats {
  /** Calls made to the node (keepActiving, reportVersion, keepAlive). */
  sent: number;
  /** Calls that failed (no answer, connection refused) or that the node answered with a non-zero ret. */
  failed: number;
  /** keepAlive rounds left out because the previous round had not settled yet (a node that answers slowly). */
  skipped: number;
  /** When the node last answered 0, if ever. */
  lastOk?: Date;
}

/**
 * Tells tarsnode (ServerF at the config's `node`) that this server lives, as TarsCpp and TarsGo do (framework.md
 * 3.1): keepActiving while starting, then once started reportVersion and a keepAlive with adapter "" (which the node
 * takes for every adapter), then every interval one keepAlive per live adapter, `AdminAdapter` included.
 *
 * Nothing here may hold up or break the server: every call is fire-and-forget with a short timeout (TarsCpp sends
 * them async with no callback), a round is left out while the previous one is still unanswered (so a node that
 * accepts but never answers cannot pile calls up), failures are logged at most once a minute with a count (and one line when the node answers again), the
 * timers are unref'd (they never keep the process alive), and {@link stop} ends them for good.
 */
export class NodeReporter {
  private readonly info: ServerInfo;
  private readonly intervalMs: number;
  private readonly activatingIntervalMs: number;
  private activatingTimer?: NodeJS.Timeout;
  private beatTimer?: NodeJS.Timeout;
  private stopped = false;
  private roundInFlight = false;
  private readonly counters: NodeReportStats = {sent: 0, failed: 0, skipped: 0};
  /** Failures not yet reported in a log line, and when the last line about them was written. */
  private unlogged = 0;
  private lastFailureLogAt = -Infinity;
  /** Whether a line about failures was written since the node last answered. */
  private failureLogged = false;
  private lastError = '';

  constructor(private readonly node: ServerFProxy, private readonly options: NodeReporterOptions) {
    this.info = {application: options.app, serverName: options.server, pid: options.pid ?? process.pid, adapter: ''};
    this.intervalMs = Math.max(1, options.intervalMs ?? MAINLOOPTICKER_DEFAULT);
    this.activatingIntervalMs = Math.max(1, options.activatingIntervalMs ?? NODE_ACTIVATING_INTERVAL);
  }

  /** A copy of the counters. */
  get stats(): NodeReportStats {
    return {...this.counters};
  }

  /**
   * The server is starting: keepActiving now and again every activating interval until {@link started} or
   * {@link stop}, so the node keeps the server Activating rather than timing it out during a long start.
   */
  activating(): void {
    if (this.stopped || this.activatingTimer) return;
    void this.send('keepActiving', () => this.node.keepActiving(this.info, {timeout: CALL_TIMEOUT}));
    this.activatingTimer = setInterval(() => {
      void this.send('keepActiving', () => this.node.keepActiving(this.info, {timeout: CALL_TIMEOUT}));
    }, this.activatingIntervalMs).unref();
  }

  /**
   * The server listens: reportVersion and keepAlive("") once, then a keepAlive round every interval, one call per
   * name `adapters()` gives at that time (the adapters that serve, so a closed one stops beating).
   */
  started(adapters: () => readonly string[]): void {
    this.stopActivating();
    if (this.stopped || this.beatTimer) return;
    void this.send('reportVersion', () => this.node.reportVersion(this.info.application, this.info.serverName,
      this.options.version, {timeout: CALL_TIMEOUT}));
    void this.send('keepAlive', () => this.node.keepAlive(this.info, {timeout: CALL_TIMEOUT}));
    this.beatTimer = setInterval(() => this.round(adapters()), this.intervalMs).unref();
  }

  /** Ends every timer; nothing is sent afterwards (calls already sent settle by themselves). Idempotent. */
  stop(): void {
    this.stopped = true;
    this.stopActivating();
    clearInterval(this.beatTimer);
    this.beatTimer = undefined;
    if (this.unlogged > 0) this.logFailures('since the last line, up to the stop');
  }

  private stopActivating(): void {
    clearInterval(this.activatingTimer);
    this.activatingTimer = undefined;
  }

  private round(adapters: readonly string[]): void {
    if (this.stopped) return;
    if (this.roundInFlight) {
      this.counters.skipped++;
      return;
    }
    this.roundInFlight = true;
    const calls = adapters.map((adapter) => this.send('keepAlive',
      () => this.node.keepAlive({...this.info, adapter}, {timeout: CALL_TIMEOUT})));
    void Promise.all(calls).finally(() => {
      this.roundInFlight = false;
    });
  }

  /** Makes one call; resolves (never rejects) once it has settled and been counted. */
  private async send(what: string, call: () => Promise<{ret: number}>): Promise<void> {
    if (this.stopped) return;
    this.counters.sent++;
    try {
      const {ret} = await call();
      if (ret !== 0) throw new Error(`the node answered ${ret} (it does not know ${this.serverId})`);
      this.counters.lastOk = new Date();
      // Said once per line about failures, so a node that answers only now and then still costs few lines.
      if (this.failureLogged && !this.stopped) {
        this.failureLogged = false;
        this.options.logger.info(`node ${this.options.obj}: answers again` +
          (this.unlogged > 0 ? ` (${this.unlogged} more call(s) failed before)` : ''));
        this.unlogged = 0;
      }
    } catch (error) {
      this.counters.failed++;
      this.unlogged++;
      this.lastError = `${what}: ${(error as Error)?.message ?? String(error)}`;
      // Once stopped, calls still out fail as the communicator closes: expected, and the log may be closed too.
      if (!this.stopped && Date.now() - this.lastFailureLogAt >= FAILURE_LOG_INTERVAL) this.logFailures('');
    }
  }

  private get serverId(): string {
    return `${this.info.application}.${this.info.serverName}`;
  }

  private logFailures(when: string): void {
    const more = this.stopped ? '' : ' (heartbeats go on; this is logged at most once a minute)';
    this.options.logger.warn(`node ${this.options.obj}: ${this.unlogged} call(s) failed${when ? ` ${when}` : ''}, ` +
      `latest ${this.lastError}${more}`);
    this.unlogged = 0;
    this.lastFailureLogAt = Date.now();
    this.failureLogged = true;
  }
}
