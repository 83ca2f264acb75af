// The base commands of every daemon's topic: `tars <name> start|stop|status`, and the base of the topic's client
// commands (`tars registry list`, ...). A plugin's command is a subclass that names its DaemonSpec and a summary;
// the logic is in ./host.ts, imported when a command runs.
import {fstatSync, statSync} from 'node:fs';
import path from 'node:path';

import {Flags} from '@oclif/core';
import type {Communicator, ServantProxy, ServantProxyClass} from '@tars-ts/core';

import {TarsCommand, targetFlags} from '../command.js';
import {ExitCode, ReportedFailure, UserError} from '../errors.js';
import type {ResolvedTarget} from '../target.js';
import type {DaemonInfo} from './lock.js';
import {DEFAULT_DAEMON_HOST, type DaemonSpec, dataDirOf} from './spec.js';

/** What `start --json` (once READY) and `status --json` print for a running daemon. */
export interface DaemonStatusJson {
  name: string;
  running: true;
  pid: number;
  /** ISO time the daemon started. */
  startedAt: string;
  uptimeMs: number;
  dataDir: string;
  /** Each servant in the spec's order with the endpoint it is bound to. */
  endpoints: {obj: string; endpoint: string}[];
  /** AdminObj's endpoint. */
  admin?: string;
  /** Where the daemon keeps its data, as the daemon says. */
  store?: string;
  /** The log of a detached daemon. */
  log?: string;
}

/** What `stop --json` prints. */
export interface DaemonStopJson {
  name: string;
  dataDir: string;
  /** false: it was not running (exit 0 all the same). */
  stopped: boolean;
  pid?: number;
  /** It did not end within --timeout after SIGTERM and was killed with SIGKILL. */
  forced?: boolean;
  ms?: number;
  /** The pid of a stale daemon.pid that was removed (never signalled). */
  stalePid?: number;
}

/** The DaemonSpec a daemon command subclass declares, or a clear error for a plugin author who forgot it. */
function specOf(command: object): DaemonSpec {
  const spec = (command.constructor as {daemon?: DaemonSpec}).daemon;
  if (!spec) throw new Error(`${command.constructor.name}: set \`static override daemon = <its DaemonSpec>\``);
  return spec;
}

const dataFlag = Flags.string({summary: 'The daemon\'s data directory (default ./.tars/<daemon>/).', helpValue: 'DIR'});

function statusJson(info: DaemonInfo): DaemonStatusJson {
  return {name: info.name, running: true, pid: info.pid, startedAt: info.startedAt,
    uptimeMs: Math.max(0, Date.now() - Date.parse(info.startedAt)), dataDir: info.dataDir, endpoints: info.endpoints,
    ...(info.admin ? {admin: info.admin} : {}), ...(info.store ? {store: info.store} : {}),
    ...(info.log ? {log: info.log} : {})};
}

/** `registry: pid 1234, data DIR` then each servant and its endpoint. */
function listeningLines(info: DaemonInfo): string[] {
  const width = Math.max(...info.endpoints.map((e) => e.obj.length));
  return [`${info.name}: pid ${info.pid}, data ${info.dataDir}${info.log ? `, log ${info.log}` : ''}`,
    ...info.endpoints.map((e) => `  ${e.obj.padEnd(width)}  ${e.endpoint}`)];
}

/**
 * `tars <daemon> start [--host H] [--port P] [--data DIR] [--detach] [--locator OBJ] [--db URL]` (spec/cli.md).
 * `--db postgres://...` (daemons with a store): the store in that PostgreSQL database, else SQLite in DIR; a URL
 * that is not one is a USAGE error (exit 2), a server that cannot be reached STORE_OPEN_FAILED (exit 1).
 *
 * Foreground: prints where each servant listens, then `READY` once every one accepts calls (with `--json`, the
 * {@link DaemonStatusJson} document instead); SIGINT/SIGTERM stop it gracefully and it exits 0. `--detach`: runs
 * the same command in the background (output in DIR/daemon.log, pid in DIR/daemon.pid), and returns with the same
 * lines and `READY` once the daemon answers tars_ping. Exit 1 when a daemon already holds the data directory
 * (DAEMON_RUNNING, naming its pid), when a port cannot be bound (LISTEN_*, one line), or when a detached daemon
 * does not come up (DAEMON_START_FAILED, with the log's last lines on stderr, and nothing left running).
 *
 * ```ts
 * export default class RegistryStart extends DaemonStartCommand {
 *   static override daemon = registryDaemon;
 *   static override summary = 'Start the registry (QueryObj, RegistryObj, AdminRegObj).';
 * }
 * ```
 */
export abstract class DaemonStartCommand extends TarsCommand {
  /** The daemon this command starts; every subclass sets it. */
  static daemon?: DaemonSpec;

  static override description = `Without --port, each servant listens on its official TARS port; --port P gives the first servant P
and the next ones P+1, P+2, ... in the order the daemon's README lists them (--port 0: every servant on a free
port). Only one daemon runs on a data directory: it holds a lock there, released when it ends (even by kill -9).
In the foreground, Ctrl-C (SIGINT) or SIGTERM stops it gracefully. With --detach it runs in the background, its
output in DIR/daemon.log and its pid in DIR/daemon.pid; the command returns once it answers tars_ping.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --detach --data ./data',
    '<%= config.bin %> <%= command.id %> --host 0.0.0.0 --port 27000 --locator "tars.tarsregistry.QueryObj@tcp -h 10.0.0.1 -p 17890"',
  ];

  static override baseFlags = {
    host: Flags.string({summary: 'Address every servant binds.', default: DEFAULT_DAEMON_HOST, helpValue: 'HOST'}),
    port: Flags.integer({summary: 'Port of the first servant; the next ones take the following ports.', min: 0,
      max: 65_535, helpValue: 'P'}),
    data: dataFlag,
    detach: Flags.boolean({summary: 'Run in the background; return once it answers (READY).'}),
    locator: Flags.string({summary: 'Registry to use (tars.tarsregistry.QueryObj@tcp -h HOST -p 17890).',
      helpValue: 'OBJ', exclusive: ['config']}),
    config: Flags.string({summary: 'Run as a server of a node: the config file the node wrote (adapters, data ' +
      'path, locator, heart-beats); what tars cluster start deploys.', helpValue: 'FILE', exclusive: ['port']}),
    db: Flags.string({summary: 'Keep the store in this PostgreSQL database (in the schema tars_<daemon>) instead of ' +
      'SQLite in the data directory; daemons that keep a store only.', helpValue: 'postgres://USER@HOST:5432/DB'}),
  };

  async run(): Promise<DaemonStatusJson | undefined> {
    const spec = specOf(this);
    const {flags} = await this.parse() as unknown as {flags: {host: string; port?: number; data?: string;
      detach: boolean; locator?: string; config?: string; db?: string} & Record<string, unknown>};
    const host = await import('./host.js');
    // The daemon's own flags (a subclass's `static flags`) go to its factory as settings.
    const common = new Set([...Object.keys(DaemonStartCommand.baseFlags), 'json']);
    const settings = Object.fromEntries(Object.entries(flags).filter(([k]) => !common.has(k)));
    const {adminToken} = await import('../admin-token.js');
    const token = adminToken(this.settings);
    const options = {host: flags.host, port: flags.port, data: flags.data, locator: flags.locator, config: flags.config,
      db: flags.db, bin: this.config.bin, settings, adminToken: token};
    // Checked here too: a detached start must not leave a child only to have it refuse.
    if (!flags.config) host.checkAdminToken(spec, flags.host ?? DEFAULT_DAEMON_HOST, token, this.config.bin);
    if (flags.detach) {
      let info: DaemonInfo;
      try {
        info = await host.startDetached(spec, {...options, entry: cliEntry(), args: this.childArgs()});
      } catch (error) {
        if (error instanceof host.DaemonStartError && !this.jsonEnabled() && error.logTail.length > 0) {
          process.stderr.write(`last lines of ${error.logFile}:\n${error.logTail.map((l) => `  ${l}`).join('\n')}\n`);
        }
        throw error;
      }
      for (const line of listeningLines(info)) this.log(line);
      this.log('READY');
      return statusJson(info);
    }
    const log = detachedLog(dataDirOf(spec, flags.data));
    const daemon = await host.startDaemon(spec, {...options, handleSignals: true, ...(log ? {log} : {})});
    if (this.jsonEnabled()) this.logJson(statusJson(daemon.info));
    for (const line of listeningLines(daemon.info)) this.log(line);
    this.log('READY');
    await daemon.closed;
    // Stopped and unlocked: nothing of ours is left. Whatever a daemon's library may still hold open must not keep
    // a stopped daemon's process alive.
    setTimeout(() => process.exit(0), 2000).unref();
    return undefined;
  }

  /** The arguments that run this command again in the background: its id and flags, minus --detach and --json. */
  protected childArgs(): string[] {
    return [...this.id!.split(':'), ...this.argv.filter((a) => a !== '--detach' && a !== '--json')];
  }
}

/** Node's own arguments (a loader, conditions; not the inspector's) and the CLI's entry script. */
export function cliEntry(): string[] {
  return [...process.execArgv.filter((a) => !a.startsWith('--inspect')), process.argv[1]];
}

/** DIR/daemon.log when this process's stdout is that file: it is the daemon `start --detach` started. */
function detachedLog(dataDir: string): string | undefined {
  const file = path.join(dataDir, 'daemon.log');
  try {
    const out = fstatSync(1);
    const log = statSync(file);
    return out.dev === log.dev && out.ino === log.ino ? file : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `tars <daemon> stop [--data DIR] [--timeout MS]`: SIGTERM to the daemon holding the data directory's lock (the
 * pid it gives on its lock socket, never one read from a file), waits for it to end, and SIGKILLs it after
 * `--timeout` (default 10000 ms). Exit 0 when it stopped, and also when it was not running (the output says so; a
 * stale daemon.pid is removed and its pid never signalled). Exit 1 (DAEMON_STOP_FAILED) when the lock's holder
 * does not answer or cannot be signalled.
 */
export abstract class DaemonStopCommand extends TarsCommand {
  /** The daemon this command stops; every subclass sets it. */
  static daemon?: DaemonSpec;

  static override description = `Stops the daemon that holds the data directory's lock: SIGTERM (a graceful stop: calls in flight
finish), then SIGKILL if it has not ended after --timeout. The pid comes from the daemon itself, over its lock,
never from daemon.pid alone, so a stale pid file can never make it signal an unrelated process. Stopping a daemon
that is not running is no error: it says so and exits 0.`;

  static override examples = ['<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --data ./data --timeout 30000'];

  static override baseFlags = {
    data: dataFlag,
    timeout: Flags.integer({summary: 'How long to wait after SIGTERM before SIGKILL, ms.', default: 10_000, min: 0,
      helpValue: 'MS'}),
  };

  async run(): Promise<DaemonStopJson> {
    const spec = specOf(this);
    const {flags} = await this.parse() as unknown as {flags: {data?: string; timeout: number}};
    const {stopDaemon} = await import('./host.js');
    const r = await stopDaemon(spec, {data: flags.data, timeoutMs: flags.timeout});
    if (r.stopped) {
      this.log(`${spec.name} stopped (pid ${r.pid}, ${r.forced ? `killed with SIGKILL after ${flags.timeout} ms`
        : 'graceful'}, ${(r.ms / 1000).toFixed(1)} s)`);
      return {name: spec.name, dataDir: r.dataDir, stopped: true, pid: r.pid, forced: r.forced, ms: r.ms};
    }
    this.log(`${spec.name} is not running (data directory ${r.dataDir})`);
    if (r.stalePid !== undefined) this.logToStderr(`removed a stale daemon.pid (pid ${r.stalePid}, not signalled)`);
    return {name: spec.name, dataDir: r.dataDir, stopped: false,
      ...(r.stalePid !== undefined ? {stalePid: r.stalePid} : {})};
  }
}

/**
 * `tars <daemon> status [--data DIR]`: the running daemon's pid, uptime, endpoints, data directory and store, as
 * it answers on its lock. Exit 0 when running; exit 4 (DAEMON_NOT_RUNNING: nothing answers for that directory)
 * when not, with `{name, running: false, dataDir, error}` under `--json`; exit 1 when the lock's holder does not
 * answer.
 */
export abstract class DaemonStatusCommand extends TarsCommand {
  /** The daemon this command reports on; every subclass sets it. */
  static daemon?: DaemonSpec;

  static override description = `Asks the daemon holding the data directory's lock for its status: pid, uptime, where each servant
listens, the data directory and its store. Exit 0 when it runs, 4 when nothing runs there.`;

  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json'];

  static override baseFlags = {data: dataFlag};

  async run(): Promise<DaemonStatusJson> {
    const spec = specOf(this);
    const {flags} = await this.parse() as unknown as {flags: {data?: string}};
    const {daemonStatus} = await import('./host.js');
    const r = await daemonStatus(spec, {data: flags.data});
    if (!r.running) {
      const message = `${spec.name} is not running (data directory ${r.dataDir})`;
      const stale = r.stalePid === undefined ? '' : `; its daemon.pid (pid ${r.stalePid}) is stale`;
      const hint = `start it: ${this.config.bin} ${spec.name} start --detach${flags.data ? ` --data ${flags.data}` : ''}`;
      throw new ReportedFailure(message + stale, ExitCode.NO_ANSWER, {name: spec.name, running: false,
        dataDir: r.dataDir, ...(r.stalePid === undefined ? {} : {stalePid: r.stalePid}),
        error: {code: 'DAEMON_NOT_RUNNING', message: message + stale, hint}}, hint);
    }
    const json = statusJson(r.info);
    const width = Math.max(5, ...json.endpoints.map((e) => e.obj.length));
    this.log(`${spec.name} is ${r.info.state}: pid ${json.pid}, up ${duration(json.uptimeMs)} (since ${json.startedAt})`);
    this.log(`  ${'data'.padEnd(width)}  ${json.dataDir}`);
    if (json.store) this.log(`  ${'store'.padEnd(width)}  ${json.store}`);
    if (json.log) this.log(`  ${'log'.padEnd(width)}  ${json.log}`);
    for (const e of json.endpoints) this.log(`  ${e.obj.padEnd(width)}  ${e.endpoint}`);
    if (json.admin) this.log(`  ${'admin'.padEnd(width)}  ${json.admin}`);
    return json;
  }
}

/** `1h 2m 3s`, `4m 5s`, `6s`. */
function duration(ms: number): string {
  const s = Math.floor(ms / 1000);
  const parts = [[Math.floor(s / 86_400), 'd'], [Math.floor(s / 3600) % 24, 'h'], [Math.floor(s / 60) % 60, 'm'],
    [s % 60, 's']] as const;
  const first = parts.findIndex(([n]) => n > 0);
  return first < 0 ? '0s' : parts.slice(first).map(([n, u]) => `${n}${u}`).join(' ');
}

/** The flags of a {@link DaemonClientCommand}. */
export interface DaemonClientFlags {
  endpoint?: string | undefined;
  locator?: string | undefined;
  timeout?: number | undefined;
  data?: string | undefined;
}

/**
 * The base of a daemon topic's client commands (`tars stat query`, `tars log tail`, `tars patch upload`, ...):
 * `-e/--endpoint`, `--locator`, `--timeout` (the kit's {@link targetFlags}) and `--data`, and {@link connect}, which
 * finds one of the daemon's objects (its {@link DaemonClientCommand.endpointObj} unless told) and returns a typed
 * proxy whose communicator closes when the command ends. Where the object is, in this order: `-e` (the endpoint of
 * `endpointObj`), `--locator` (the object by name: a daemon started with --locator lists its servants there), the
 * daemon running here with `--data DIR` (through its lock), the saved locator (`tars settings set locator ...`),
 * the daemon running here with its default data directory. With none of these, a NO_ENDPOINT usage error saying
 * how to start one or where to point.
 *
 * ```ts
 * export default class StatQuery extends DaemonClientCommand {
 *   static override daemon = statDaemon;
 *   static override endpointObj = 'tars.tarsstat.StatQueryObj';
 *   async run() {
 *     const {flags} = await this.parse(StatQuery);
 *     const query = await this.connect(StatQueryProxy, flags);
 *     ...
 *   }
 * }
 * ```
 */
export abstract class DaemonClientCommand extends TarsCommand {
  /** The daemon whose servants this command calls; every subclass sets it. */
  static daemon?: DaemonSpec;
  /** The object `-e` names and {@link connect} calls by default; default the daemon's first servant. */
  static endpointObj?: string;

  static override baseFlags = {
    ...targetFlags,
    data: Flags.string({summary: 'Data directory of the local daemon to ask (found through its lock).',
      helpValue: 'DIR'}),
  };

  private communicator?: Communicator;

  /** The object `-e` names. */
  protected get endpointObj(): string {
    return (this.constructor as typeof DaemonClientCommand).endpointObj ?? specOf(this).servants[0].obj;
  }

  /**
   * Where calls to `obj` (default {@link endpointObj}) go; see the class. `endpoint` is the endpoint to use for
   * `obj` when `-e` is given and names another object (a daemon's servants on consecutive ports, say).
   */
  protected async target(flags: DaemonClientFlags, obj = this.endpointObj, endpoint?: string): Promise<ResolvedTarget> {
    const spec = specOf(this);
    if (flags.endpoint) {
      const at = obj === this.endpointObj ? flags.endpoint : endpoint;
      if (at === undefined) {
        throw new UserError(`-e names ${this.endpointObj}, not ${obj}`, {code: 'USAGE',
          hint: 'give --locator (the registry resolves every servant by name) or --data DIR of the local daemon'});
      }
      return {proxy: `${obj}@${at}`, obj, via: 'endpoint'};
    }
    const byName = (locator: string): ResolvedTarget => ({proxy: obj, obj, via: 'locator',
      locator: locator.includes('@') ? locator : `tars.tarsregistry.QueryObj@${locator}`});
    if (flags.locator) return byName(flags.locator);
    const local = async (): Promise<ResolvedTarget | undefined> => {
      const {daemonStatus} = await import('./host.js');
      const status = await daemonStatus(spec, {data: flags.data});
      const at = status.running ? status.info.endpoints.find((e) => e.obj === obj)?.endpoint : undefined;
      return at ? {proxy: `${obj}@${at}`, obj, via: 'endpoint'} : undefined;
    };
    if (flags.data) {
      const found = await local();
      if (found) return found;
      throw this.noDaemon(obj, flags.data);
    }
    const saved = this.settings.get('locator');
    if (saved) return byName(saved);
    const found = await local();
    if (found) return found;
    throw this.noDaemon(obj, undefined);
  }

  private noDaemon(obj: string, data: string | undefined): UserError {
    const spec = specOf(this);
    const first = spec.servants.find((s) => s.obj === this.endpointObj) ?? spec.servants[0];
    return new UserError(`no ${spec.name} daemon to ask for ${obj}: no -e, no --locator, no saved locator, and no ` +
      `${spec.name} daemon runs in ${data ?? `./.tars/${spec.name}`}`, {code: 'NO_ENDPOINT',
      hint: `start one (${this.config.bin} ${spec.name} start --detach), or give -e 'tcp -h 127.0.0.1 -p ` +
        `${first.port}' or --data DIR of a running one, or ${this.config.bin} settings set locator ` +
        '"tars.tarsregistry.QueryObj@tcp -h HOST -p 17890"'});
  }

  /**
   * A typed proxy of `obj` (default: the daemon's first servant), its calls timing out after `--timeout` (else the
   * saved setting, else 3000 ms). Every proxy of the command shares one communicator, closed when the command ends.
   */
  protected async connect<P extends ServantProxy>(proxyClass: ServantProxyClass<P>, flags: DaemonClientFlags,
    obj?: string, endpoint?: string): Promise<P> {
    const target = await this.target(flags, obj, endpoint);
    return (await this.communicatorOf(target)).stringToProxy(proxyClass, target.proxy,
      {timeout: this.settings.timeout(flags.timeout)});
  }

  /** The command's one communicator, made for the first target. */
  private async communicatorOf(target: ResolvedTarget): Promise<Communicator> {
    const {communicatorFor} = await import('../target.js');
    this.communicator ??= await communicatorFor(target, {cacheDir: this.config.cacheDir,
      token: (await import('../admin-token.js')).adminToken(this.settings)});
    return this.communicator;
  }

  /**
   * One typed proxy per live instance of `obj` (default {@link endpointObj}), for a query that gathers from every
   * instance of a base service deployed several times (each instance keeps its own live window, log files, ...):
   * through a locator, every endpoint the registry lists as active, each proxy bound to its endpoint; through `-e`
   * or a local daemon, that one. An object with no active endpoint is the NO_ENDPOINT error {@link connect}'s
   * calls would give, said before any call.
   */
  protected async connectEach<P extends ServantProxy>(proxyClass: ServantProxyClass<P>, flags: DaemonClientFlags,
    obj = this.endpointObj): Promise<{endpoint: string; proxy: P}[]> {
    const target = await this.target(flags, obj);
    const comm = await this.communicatorOf(target);
    const timeout = this.settings.timeout(flags.timeout);
    if (target.via !== 'locator') {
      return [{endpoint: target.proxy.slice(target.proxy.indexOf('@') + 1),
        proxy: comm.stringToProxy(proxyClass, target.proxy, {timeout})}];
    }
    const {activeProxies} = await import('../target.js');
    const each = await activeProxies(comm, proxyClass, target.proxy, timeout).catch((error: Error) => {
      throw new UserError(`cannot resolve ${obj} through the registry (${target.locator}): ${error.message}`,
        {code: 'NO_ENDPOINT', hint: 'is the registry running? tars registry find ' + obj});
    });
    if (each.length === 0) {
      throw new UserError(`the registry lists no active endpoint of ${obj}`, {code: 'NO_ENDPOINT',
        hint: `is the ${specOf(this).name} service running? tars registry find ${obj} --all shows every endpoint`});
    }
    return each;
  }

  protected override async finally(err: Error | undefined): Promise<unknown> {
    this.communicator?.close();
    return super.finally(err);
  }
}
