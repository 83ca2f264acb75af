// The life of a daemon: start in this process (the foreground), start in the background (--detach), stop, status.
// The commands in ./commands.ts are thin renderings of these functions; tests and `tars cluster` may call them
// directly. The runtime (@tars-ts/core) is imported only when a daemon starts or is pinged.
import {type ChildProcess, spawn} from 'node:child_process';
import {closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeFileSync, writeSync}
  from 'node:fs';
import path from 'node:path';

import {TarsError} from '@tars-ts/core/errors';

import {UserError} from '../errors.js';
import {ADMIN_ACCESS_KEY, ADMIN_TOKEN_ENV, adminAuth} from '../admin-token.js';
import {isLoopbackHost, loopbackEndpoint, reachableEndpoint} from '../net.js';
import {type DaemonInfo, DaemonLock, type LockProbe, lockSocketPath, probeLock, removeStaleSocket, runningError}
  from './lock.js';
import {
  DEFAULT_DAEMON_HOST, type DaemonSpec, type DaemonStartOptions, daemonEndpoint, daemonPorts, daemonStoreOptions,
  dataDirOf,
} from './spec.js';

/** The pid file a daemon writes into its data directory: for people and scripts, never trusted by `stop`. */
export const PID_FILE = 'daemon.pid';
/** The output of a detached daemon, in its data directory. */
export const LOG_FILE = 'daemon.log';
/** How long `start --detach` waits for the daemon to answer tars_ping, ms. */
export const DETACH_WAIT_MS = 15_000;
/** How long `stop` waits after SIGTERM before SIGKILL, ms (`--timeout`). */
export const STOP_TIMEOUT_MS = 10_000;


/** A daemon started in this process by {@link startDaemon}. */
export interface RunningDaemon {
  /** What the lock socket answers: pid, endpoints (bound ports), data directory, ... */
  readonly info: DaemonInfo;
  /** Resolves once the daemon has stopped (signal, AdminObj.shutdown, or {@link stop}) and released its lock. */
  readonly closed: Promise<void>;
  /** Graceful stop: servants stop taking calls, calls in flight finish, the factory's onClose runs, the lock goes. */
  stop(): Promise<void>;
}

/** Options of {@link startDaemon}. */
export interface StartDaemonOptions extends DaemonStartOptions {
  /** SIGINT and SIGTERM stop the daemon gracefully (the command's foreground run). Default false. */
  handleSignals?: boolean;
  /** The CLI's name for hints (default `tars`). */
  bin?: string;
  /** The log file a detached daemon writes to, shown by `status`. */
  log?: string;
  /** The daemon's logger; default INFO lines on stderr. */
  logger?: import('@tars-ts/core').Logger;
}

/**
 * A daemon with admin servants bound beyond loopback (`host` not 127.x, ::1 or localhost) needs the admin token:
 * ADMIN_TOKEN_REQUIRED, naming the objects it would expose, when there is none.
 */
export function checkAdminToken(spec: DaemonSpec, host: string, token: string | undefined, bin = 'tars'): void {
  const admins = spec.servants.filter((s) => s.admin).map((s) => s.obj);
  if (token !== undefined || admins.length === 0 || isLoopbackHost(host)) return;
  throw new UserError(`${spec.name} would serve ${admins.join(', ')} on ${host}, beyond this machine, with no admin ` +
    'token', {code: 'ADMIN_TOKEN_REQUIRED', hint: `set one on every machine of the cluster (${bin} login, or ` +
      `${ADMIN_TOKEN_ENV}=...), or bind loopback (--host 127.0.0.1)`});
}

/**
 * Starts a daemon in this process: locks the data directory (DAEMON_RUNNING, naming the holder's pid, when another
 * daemon has it), makes the servants with the spec's factory, binds them (App `tars`, server `tars<name>`, AdminObj
 * on a free local port), writes DIR/daemon.pid, and resolves once every servant listens. A listen failure rejects
 * with the one-line LISTEN_* error and leaves nothing behind (no listener, no lock, the factory's onClose run).
 * Never exits the process.
 */
export async function startDaemon(spec: DaemonSpec, options: StartDaemonOptions = {}): Promise<RunningDaemon> {
  const who = {bin: options.bin ?? 'tars', name: spec.name};
  const core = await import('@tars-ts/core');
  const managed = options.config === undefined ? undefined : managedServer(spec, options.config, core);
  const ports = managed ? [] : daemonPorts(spec, options.port);
  const host = managed?.host ?? options.host ?? DEFAULT_DAEMON_HOST;
  const dataDir = dataDirOf(spec, options.data ?? managed?.dataDir);
  const locator = managed ? managed.config.client.locator : options.locator;
  const store = daemonStoreOptions(spec, dataDir, options.db);
  const token = options.adminToken;
  checkAdminToken(spec, host, token, who.bin);
  const admins = new Set(spec.servants.filter((s) => s.admin).map((s) => s.obj));
  mkdirSync(dataDir, {recursive: true});
  const info: DaemonInfo = {protocol: 1, name: spec.name, state: 'starting', pid: process.pid,
    startedAt: new Date().toISOString(), dataDir, endpoints: [], ...(options.log ? {log: options.log} : {})};
  const lock = await DaemonLock.acquire(dataDir, () => info, who);

  const logger = options.logger ?? new core.Logger('INFO', core.stderrSink);
  // With a token, the admin servants ask for it: `-e 1` in their endpoints (which the registry hands to clients).
  const withAuth = (obj: string, endpoint: string): string => (token !== undefined && admins.has(obj)
    ? core.formatEndpoint({...core.parseEndpoint(endpoint), authType: 1}) : endpoint);
  const endpoints = (managed?.endpoints ??
    spec.servants.map((s, i) => ({obj: s.obj, endpoint: daemonEndpoint(host, ports[i])})))
    .map((e) => ({obj: e.obj, endpoint: withAuth(e.obj, e.endpoint)}));
  const adminKeys = (obj: string): {accesskey?: string; secretkey?: string} => (token !== undefined && admins.has(obj)
    ? {accesskey: ADMIN_ACCESS_KEY, secretkey: token} : {});
  const clientAuth = adminAuth(token);
  let instance: Awaited<ReturnType<DaemonSpec['create']>> | undefined;
  let app: import('@tars-ts/core').Application | undefined;
  // Bound once the daemon runs: a servant may ask for the stop of its own daemon (answered first, then stopped).
  let stopNow: (() => void) | undefined;
  const requestStop = (): void => {
    setTimeout(() => stopNow?.(), 50);
  };
  try {
    instance = await spec.create({name: spec.name, host, endpoints, dataDir, logger, settings: options.settings ?? {},
      requestStop, managed: managed !== undefined, ...(locator ? {locator} : {}), ...(store ? {store} : {}),
      ...(token !== undefined ? {adminToken: token} : {})});
    if (instance.store) info.store = instance.store;
    // Managed: the node's file is the whole configuration (adapters, AdminObj, heart-beats to the node, reports).
    app = managed ? new core.Application(withAdminKeys(managed.config, endpoints, adminKeys, clientAuth, core),
      {logger})
      : core.Application.fromOptions({app: 'tars', server: spec.server ?? `tars${spec.name}`, logger,
        local: daemonEndpoint('127.0.0.1', 0), datapath: dataDir,
        adapters: spec.servants.map((s, i) => ({...s.adapter, servant: s.obj, endpoint: endpoints[i].endpoint,
          ...adminKeys(s.obj)})),
        ...(locator || clientAuth ? {client: {...(locator ? {locator} : {}), ...(clientAuth ? {auth: clientAuth} : {})}}
          : {})});
    for (const s of spec.servants) {
      const servant = instance.servants[s.obj];
      if (!servant) throw new Error(`daemon ${spec.name}: its factory made no servant for ${s.obj}`);
      app.addServant(servant, s.obj);
    }
    await app.start();
    if (instance.onStarted) {
      await instance.onStarted(app.servantAdapters.map((a) => ({obj: a.config.servant,
        endpoint: reachableEndpoint(core.formatEndpoint(a.endpoint))})));
    }
  } catch (error) {
    await app?.close();
    try {
      await instance?.onClose?.();
    } catch (closeError) {
      logger.error(`${spec.name}: closing after a failed start: ${(closeError as Error).message}`);
    }
    await lock.release();
    throw daemonListenError(error, core);
  }

  const started = app;
  info.endpoints = started.servantAdapters.map((a) => ({obj: a.config.servant, endpoint: core.formatEndpoint(a.endpoint)}));
  if (started.admin) info.admin = core.formatEndpoint(started.admin.endpoint);
  const pidFile = path.join(dataDir, PID_FILE);
  writeFileSync(pidFile, `${process.pid}\n`);
  info.state = 'running';

  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => {
    resolveClosed = resolve;
  });
  const onSignal = (): void => {
    void stop();
  };
  // With --locator, a daemon lists its servants in that registry (spec.announce), and takes them out when it stops.
  // A managed one needs not: the registry knows its adapters from its deployment.
  if (options.locator && !managed && spec.announce !== false) {
    const {RegistryAnnouncement} = await import('./announce.js');
    const announcement = new RegistryAnnouncement(started.communicator, info.endpoints, logger, spec.name);
    await announcement.start();
    started.onClose(() => announcement.withdraw());
  }
  if (instance.onClose) started.onClose(() => instance.onClose!());
  // Last: once this runs, another daemon may take the directory.
  started.onClose(async () => {
    if (options.handleSignals) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    if (readPid(pidFile) === process.pid) unlinkQuietly(pidFile);
    await lock.release();
    resolveClosed();
  });
  // The application also closes by itself (AdminObj.shutdown): the status says so from the first moment.
  const stop = (): Promise<void> => {
    info.state = 'stopping';
    return started.close().then(() => closed);
  };
  stopNow = () => void stop();
  if (options.handleSignals) {
    // Stays installed while stopping: a second Ctrl-C must not kill the daemon in the middle of its graceful stop.
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  return {info, closed, stop};
}

/**
 * A node's config file as the daemon runs it with an admin token: each admin servant's adapter asks for the token
 * (its endpoint as `endpoints` says, `-e 1`, and the keys), and the daemon's own calls to admin objects present it.
 */
function withAdminKeys(config: import('@tars-ts/core').ServerConfig, endpoints: readonly {obj: string; endpoint: string}[],
  keys: (obj: string) => {accesskey?: string; secretkey?: string},
  auth: Record<string, {accesskey: string; secretkey: string}> | undefined,
  core: typeof import('@tars-ts/core')): import('@tars-ts/core').ServerConfig {
  if (auth === undefined) return config;
  const adapters = config.adapters.map((a) => {
    const e = endpoints.find((x) => x.obj === a.servant);
    return e ? {...a, endpoint: core.parseEndpoint(e.endpoint), ...keys(a.servant)} : a;
  });
  return {...config, adapters, client: {...config.client, auth: {...config.client.auth, ...auth}}};
}

/** What a node's config file (`start --config FILE`) says of a daemon it runs. */
interface ManagedServer {
  readonly config: import('@tars-ts/core').ServerConfig;
  readonly endpoints: {obj: string; endpoint: string}[];
  readonly host: string;
  /** Its `datapath`, when the file gives one. */
  readonly dataDir?: string;
}

/**
 * Reads the config file a node wrote for the daemon: one adapter for each of the spec's servants (CONFIG_INVALID
 * naming the missing servant and how to deploy it else), the data directory from `datapath`.
 */
function managedServer(spec: DaemonSpec, file: string, core: typeof import('@tars-ts/core')): ManagedServer {
  let config: import('@tars-ts/core').ServerConfig;
  try {
    config = core.loadServerConfig(path.resolve(file));
  } catch (error) {
    throw new UserError(`--config ${file}: ${(error as Error).message}`, {code: 'CONFIG_INVALID',
      hint: 'give the config file the node wrote for this server (conf/<App>.<Server>.config.conf)'});
  }
  const endpoints = spec.servants.map((s) => {
    const adapter = config.adapters.find((a) => a.servant === s.obj);
    if (!adapter) {
      throw new UserError(`--config ${file} has no adapter for ${s.obj}`, {code: 'CONFIG_INVALID',
        hint: `deploy tars.${spec.server ?? `tars${spec.name}`} with one adapter per servant: ` +
          spec.servants.map((x) => x.obj).join(', ')});
    }
    return {obj: s.obj, endpoint: core.formatEndpoint(adapter.endpoint)};
  });
  const host = config.adapters.find((a) => a.servant === spec.servants[0].obj)!.endpoint.host;
  return {config, endpoints, host, ...(config.datapath !== '.' && config.datapath !== '' ? {dataDir: config.datapath} : {})};
}

/**
 * A listen failure names `--port`/`--host` as what to change (the runtime's message says "its endpoint", which a
 * daemon's user never wrote); every other error is returned as it is.
 */
function daemonListenError(error: unknown, core: typeof import('@tars-ts/core')): unknown {
  if (!(error instanceof TarsError) || !error.code.startsWith('LISTEN_')) return error;
  const {adapter, endpoint} = error.details as {adapter?: string; endpoint?: string};
  if (!adapter || !endpoint) return error;
  return core.listenFailure(adapter, core.parseEndpoint(endpoint), error.cause, '--port (or --host)');
}

/** How `start --detach` runs the same command again in the background. */
export interface DetachOptions extends DaemonStartOptions {
  /** Node's arguments up to and including the CLI's entry script: `[...execArgv, process.argv[1]]`. */
  entry: readonly string[];
  /** The command's arguments without `--detach` (and without `--json`): `['registry', 'start', '--port', '17890']`. */
  args: readonly string[];
  /** How long to wait for tars_ping to be answered, ms; default {@link DETACH_WAIT_MS}. */
  waitMs?: number;
  bin?: string;
}

/** The failure of `start --detach`, with the daemon's last log lines (the command prints them). */
export class DaemonStartError extends UserError {
  constructor(message: string, readonly logFile: string, readonly logTail: readonly string[]) {
    super(message, {code: 'DAEMON_START_FAILED', hint: `the daemon's output is in ${logFile}`});
  }
}

/**
 * Starts the daemon in the background: runs `process.execPath entry... args...` detached (its own session, so the
 * terminal's Ctrl-C does not reach it), stdout and stderr appended to DIR/daemon.log, and resolves with its status
 * once it holds the lock, says it is running, and answers tars_ping on its first servant. Fails with
 * DAEMON_RUNNING before spawning anything when a daemon holds the directory; with {@link DaemonStartError} (the
 * log's last lines attached) when the daemon exits or does not answer within `waitMs`, after killing it: nothing is
 * left running.
 */
export async function startDetached(spec: DaemonSpec, options: DetachOptions): Promise<DaemonInfo> {
  const who = {bin: options.bin ?? 'tars', name: spec.name};
  daemonPorts(spec, options.port);
  const dataDir = dataDirOf(spec, options.data);
  daemonStoreOptions(spec, dataDir, options.db);
  mkdirSync(dataDir, {recursive: true});
  const before = await probeLock(dataDir);
  if (before.state === 'held') throw runningError(before.info.pid, dataDir, who);

  const logFile = path.join(dataDir, LOG_FILE);
  const fd = openSync(logFile, 'a');
  const offset = statSync(logFile).size;
  writeSync(fd, `--- ${new Date().toISOString()} ${who.bin} ${options.args.join(' ')}\n`);
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [...options.entry, ...options.args], {detached: true, stdio: ['ignore', fd, fd],
      windowsHide: true});
  } finally {
    closeSync(fd);
  }
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exitCode = code ?? (signal ? -1 : null);
      resolve();
    });
    child.once('error', () => {
      exitCode ??= -1;
      resolve();
    });
  });

  const deadline = Date.now() + (options.waitMs ?? DETACH_WAIT_MS);
  let lastSeen = 'no answer on its lock yet';
  while (Date.now() < deadline && exitCode === undefined) {
    const probe = await probeLock(dataDir, 1000);
    if (probe.state === 'held' && probe.info.pid === child.pid) {
      if (probe.info.state === 'running' && probe.info.endpoints.length > 0) {
        const pinged = await pingEndpoint(probe.info.endpoints[0]);
        if (pinged === undefined) {
          child.unref();
          return probe.info;
        }
        lastSeen = `tars_ping of ${probe.info.endpoints[0].obj}: ${pinged}`;
      } else {
        lastSeen = `it is ${probe.info.state}`;
      }
    }
    await Promise.race([exited, delay(100)]);
  }

  const timedOut = exitCode === undefined;
  if (timedOut && child.pid !== undefined) {
    killGroup(child.pid);
    await Promise.race([exited, delay(5000)]);
  }
  // The daemon may have taken the lock and written its pid before it was killed: leave the directory clean.
  const pidFile = path.join(dataDir, PID_FILE);
  if (child.pid !== undefined && readPid(pidFile) === child.pid) unlinkQuietly(pidFile);
  if ((await probeLock(dataDir)).state === 'stale') await removeStaleSocket(lockSocketPath(dataDir));
  const tail = logTail(logFile, offset);
  const reason = timedOut
    ? `no answer within ${options.waitMs ?? DETACH_WAIT_MS} ms (${lastSeen}); it was killed`
    : lastErrorLine(tail) ?? `it exited with code ${exitCode}`;
  throw new DaemonStartError(`${spec.name} did not start: ${reason}`, logFile, tail);
}

/** What {@link stopDaemon} did. */
export type StopResult =
  | {stopped: true; pid: number; forced: boolean; ms: number; dataDir: string}
  | {stopped: false; dataDir: string; stalePid?: number; staleLock?: boolean};

/**
 * Stops the daemon that holds the lock of the data directory: SIGTERM to the pid the lock's holder gives (only the
 * holder can answer there), then waits up to `timeoutMs` for that process to end, then SIGKILL (only if the same
 * process still holds the lock) and waits up to 5 s more. Not running: resolves `{stopped: false}` after removing
 * a stale DIR/daemon.pid (whose pid is never signalled: it may be an unrelated process now) and a stale lock
 * socket. DAEMON_STOP_FAILED when the holder does not answer (its pid is unknown) or cannot be signalled.
 */
export async function stopDaemon(spec: Pick<DaemonSpec, 'name'>, options: {data?: string | undefined;
  timeoutMs?: number | undefined}): Promise<StopResult> {
  const dataDir = dataDirOf(spec, options.data);
  const probe = await probeLock(dataDir);
  if (probe.state === 'unresponsive') throw unresponsiveError(spec, dataDir, probe, 'DAEMON_STOP_FAILED');
  if (probe.state !== 'held') {
    const stale = cleanStale(dataDir);
    if (probe.state === 'stale') await removeStaleSocket(lockSocketPath(dataDir));
    return {stopped: false, dataDir, ...stale, ...(probe.state === 'stale' ? {staleLock: true} : {})};
  }
  const {pid} = probe.info;
  const begin = Date.now();
  const timeoutMs = options.timeoutMs ?? STOP_TIMEOUT_MS;
  let forced = false;
  // A pid already gone (ESRCH) ended between the probe and the signal: only its leftovers remain to clean.
  if (signal(pid, 'SIGTERM', spec, dataDir) && !(await waitGone(pid, timeoutMs))) {
    // Kill only the process that still holds the lock: a pid that outlived the lock is exiting, or is another's now.
    const again = await probeLock(dataDir);
    if (again.state === 'held' && again.info.pid === pid) {
      forced = true;
      signal(pid, 'SIGKILL', spec, dataDir);
      if (!(await waitGone(pid, 5000))) {
        throw new UserError(`${spec.name} (pid ${pid}) did not end after SIGKILL`, {code: 'DAEMON_STOP_FAILED',
          hint: `is it stuck in the kernel (uninterruptible I/O)? see: ps -o pid,stat,cmd -p ${pid}`});
      }
    }
  }
  const pidFile = path.join(dataDir, PID_FILE);
  if (readPid(pidFile) === pid) unlinkQuietly(pidFile);
  if ((await probeLock(dataDir)).state === 'stale') await removeStaleSocket(lockSocketPath(dataDir));
  return {stopped: true, pid, forced, ms: Date.now() - begin, dataDir};
}

/** What {@link daemonStatus} found. */
export type StatusResult =
  | {running: true; info: DaemonInfo}
  | {running: false; dataDir: string; stalePid?: number};

/**
 * The status of the daemon of a data directory, asked on its lock: the holder's own answer, never a pid file. A
 * pid file without a lock holder is reported as stale (`stalePid`) and left alone (`stop` removes it). A holder
 * that does not answer is a FAILURE {@link UserError} naming the pid file's (unverified) pid.
 */
export async function daemonStatus(spec: Pick<DaemonSpec, 'name'>, options: {data?: string | undefined}):
  Promise<StatusResult> {
  const dataDir = dataDirOf(spec, options.data);
  const probe = await probeLock(dataDir);
  if (probe.state === 'held') return {running: true, info: probe.info};
  if (probe.state === 'unresponsive') throw unresponsiveError(spec, dataDir, probe, 'FAILURE');
  const stalePid = readPid(path.join(dataDir, PID_FILE));
  return {running: false, dataDir, ...(stalePid === undefined ? {} : {stalePid})};
}

function unresponsiveError(spec: Pick<DaemonSpec, 'name'>, dataDir: string, probe: Extract<LockProbe,
  {state: 'unresponsive'}>, code: 'DAEMON_STOP_FAILED' | 'FAILURE'): UserError {
  const pid = readPid(path.join(dataDir, PID_FILE));
  return new UserError(`the lock of ${dataDir} is held by a process that does not answer (${probe.reason})`, {code,
    hint: pid === undefined ? 'is a daemon hung there? find it with: ps -ef | grep tars'
      : `${PID_FILE} says pid ${pid} (not verified): if that is the hung ${spec.name}, kill -9 ${pid}`});
}

/** Removes a pid file that no lock holder backs; returns its pid, which is never signalled. */
function cleanStale(dataDir: string): {stalePid?: number} {
  const pidFile = path.join(dataDir, PID_FILE);
  const stalePid = readPid(pidFile);
  if (existsSync(pidFile)) unlinkQuietly(pidFile);
  return stalePid === undefined ? {} : {stalePid};
}

/** Sends a signal; false when the process is already gone. EPERM: DAEMON_STOP_FAILED. */
function signal(pid: number, name: NodeJS.Signals, spec: Pick<DaemonSpec, 'name'>, dataDir: string): boolean {
  try {
    process.kill(pid, name);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw new UserError(`cannot signal ${spec.name} (pid ${pid}, data directory ${dataDir}): ` +
      `${(error as Error).message}`, {code: 'DAEMON_STOP_FAILED',
      hint: 'it runs as another user: stop it as that user'});
  }
}

/**
 * Whether a process exists and has not ended (EPERM: it exists, as another user's). On Linux, a zombie whose
 * threads have all exited has ended: a daemon whose `start --detach` parent is gone waits for init to reap it,
 * which some container inits do only now and then. (A thread-group leader shows as a zombie while its other threads
 * still exit, holding its files, the lock socket among them: it counts as alive until they are gone.)
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (process.platform !== 'linux') return true;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const state = /^State:\s*(\S)/m.exec(status)?.[1];
    const threads = Number(/^Threads:\s*(\d+)/m.exec(status)?.[1] ?? 1);
    return !(state === 'Z' && threads <= 1);
  } catch {
    return false;
  }
}

async function waitGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (processAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await delay(50);
  }
  return true;
}

/** Kills a detached child and anything it started (it leads its own process group). */
function killGroup(pid: number): void {
  try {
    process.kill(process.platform === 'win32' ? pid : -pid, 'SIGKILL');
  } catch {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
}

/** tars_ping one endpoint; undefined when it answered, else what went wrong. */
export async function pingEndpoint(target: {obj: string; endpoint: string}, token?: string):
  Promise<string | undefined> {
  const {Communicator} = await import('@tars-ts/core');
  const auth = adminAuth(token);
  const comm = new Communicator(auth ? {auth} : {});
  try {
    // A daemon bound to every address answers on the loopback one.
    const results = await comm.objectProxy(`${target.obj}@${loopbackEndpoint(target.endpoint)}`).ping({timeout: 1000});
    const failed = results.find((r) => r.error);
    return failed ? failed.error!.message : undefined;
  } catch (error) {
    return (error as Error).message;
  } finally {
    comm.close();
  }
}

/** The pid in a pid file, or undefined (no file, not a pid). */
export function readPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function unlinkQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Gone already.
  }
}

/** The last lines written to a log since `offset` (this start's own). */
export function logTail(file: string, offset: number, lines = 20): string[] {
  try {
    const text = readFileSync(file).subarray(offset).toString('utf8');
    return text.split('\n').filter((l) => l.trim() !== '').slice(-lines);
  } catch {
    return [];
  }
}

/** The reason a command gave for failing: its last `error: ...` line, without the prefix. */
function lastErrorLine(lines: readonly string[]): string | undefined {
  const line = [...lines].reverse().find((l) => l.startsWith('error: '));
  return line?.slice('error: '.length);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
