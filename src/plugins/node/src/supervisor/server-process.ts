// One server managed by the node: starts it, watches it from the node's check loop, stops it gracefully, and takes
// in its heart-beats (framework.md 2.2 and 3.1; TarsFramework NodeServer ServerObject, Activator, CommandStop).
import fs from 'node:fs';
import path from 'node:path';

import {Communicator} from '@tars-ts/core';
import {AdminF, NodeDescriptor} from '@tars-ts/core/framework';

import type {ServerLayout} from '../layout.js';
import {type Clock, systemClock} from './clock.js';
import {ExecaLauncher, type ProcessLauncher} from './process-launcher.js';
import {RestartLimiter, type RestartLimiterSnapshot, type RestartLimits, DEFAULT_RESTART_LIMITS} from './restart-limiter.js';
import {type LogRotation, RotatedLog} from './rotated-log.js';

/** The registry's server states (NodeDescriptor.tars `ServerState`): what the node reports. */
export const ServerState = NodeDescriptor.ServerState;
export type ServerState = NodeDescriptor.ServerState;

/** The name of a state, as the registry and `tars server status` print it. */
export function serverStateName(state: ServerState): string {
  return (Object.keys(ServerState) as (keyof typeof ServerState)[]).find((k) => ServerState[k] === state) ?? String(state);
}

/** Why a state changed (also the alarm text the node may send to tarsnotify). */
export type StateReason =
  | 'start' | 'heartbeat' | 'activating' | 'stop' | 'stopped' | 'exited' | 'killed' | 'start-failed' | 'adopted'
  | 'destroy';

/** One state change, as given to listeners. */
export interface StateChange {
  readonly from: ServerState;
  readonly to: ServerState;
  readonly reason: StateReason;
  /** The pid at the change (0 when none). */
  readonly pid: number;
  readonly at: number;
}

/** Asks a server to stop through its AdminObj (AdminF.shutdown on the `local` endpoint). */
export interface AdminShutdown {
  /** Sends shutdown to `AdminObj@<endpoint>`; resolves when sent/answered, rejects when it could not be. */
  shutdown(endpoint: string): Promise<void>;
}

/** AdminF.shutdown through a core Communicator (one the node owns; it is not closed here). */
export function communicatorShutdown(communicator: Communicator, timeoutMs = 3000): AdminShutdown {
  return {
    async shutdown(endpoint) {
      await communicator.stringToProxy(AdminF.AdminFProxy, `AdminObj@${endpoint}`).shutdown({timeout: timeoutMs});
    },
  };
}

/** Timeouts of one server, ms. */
export interface ServerTimeouts {
  /**
   * No keepAlive (from the whole server or any adapter it declared) for this long while Active: the server is a
   * zombie and is stopped (then restarted by auto-start). `hearttimeout` of the server's config. Default 45000:
   * the framework template's value, taken as ms. The official node compares it with a difference in seconds
   * (framework.md 2.2), so there it almost never fires; here it does what the template means.
   */
  readonly heartTimeoutMs: number;
  /** Still Activating this long after the start and the last keepActiving: stopped. `activating-timeout`; template 60000 (code fallback 30000). */
  readonly activatingTimeoutMs: number;
  /**
   * After AdminF.shutdown, how long the process gets to exit before SIGKILL. `deactivating-timeout`; the official
   * node clamps it to 2..60 s, and so does this one. Default 2000 (the official STOP_WAIT_INTERVAL).
   */
  readonly deactivatingTimeoutMs: number;
  /** After a start, checks leave the server alone this long (official: 5 s) so it can come up and report in. */
  readonly startGraceMs: number;
  /** After SIGKILL, how long to wait for the pid to vanish (official: STOP_WAIT_INTERVAL, 2 s). */
  readonly killWaitMs: number;
  /** Poll period while waiting for a pid to vanish (official: 100 ms). */
  readonly pollMs: number;
}

export const DEFAULT_SERVER_TIMEOUTS: ServerTimeouts = {
  heartTimeoutMs: 45_000, activatingTimeoutMs: 60_000, deactivatingTimeoutMs: 2000, startGraceMs: 5000,
  killWaitMs: 2000, pollMs: 100,
};

/** How one server is run and watched. */
export interface ServerProcessOptions {
  readonly application: string;
  readonly serverName: string;
  /** Its directories (see serverLayout): cwd is `bin`, output goes to `log`, `--config` is `configFile`. */
  readonly layout: ServerLayout;
  /**
   * The command line, argv[0] first (a command given at deploy time). Default: `node <entry> --config=<configFile>`
   * with `entry` resolved by the caller inside bin (see `inside`).
   */
  readonly command?: readonly string[];
  /** The entry script for the default command, relative to bin or absolute. */
  readonly entry?: string;
  /** Environment additions. */
  readonly env?: Readonly<Record<string, string>>;
  /** The adapters the server declares (e.g. `App.Server.HelloObjAdapter`); each must keep beating. AdminAdapter is added. */
  readonly adapters?: readonly string[];
  /** Whether the check loop starts it when it is down (setting_state active). Default true. */
  readonly autoStart?: boolean;
  /** The admin `local` endpoint (`tcp -h 127.0.0.1 -p N`), read at each stop; none means no graceful stop. */
  readonly localEndpoint?: string | (() => string | undefined);
  readonly timeouts?: Partial<ServerTimeouts>;
  readonly limits?: Partial<RestartLimits>;
  readonly logRotation?: Partial<LogRotation>;
  /** Starts counted before this supervisor (by the one it replaces): where {@link ServerProcessSnapshot.starts} begins. */
  readonly startsSoFar?: number;
  /** Default: an {@link ExecaLauncher}. */
  readonly launcher?: ProcessLauncher;
  /** Default: AdminF.shutdown through a Communicator of its own (closed by {@link ServerProcess.close}). */
  readonly admin?: AdminShutdown;
  readonly clock?: Clock;
}

/** What a ServerProcess knows, frozen at one moment (for status output and the registry). */
export interface ServerProcessSnapshot {
  readonly application: string;
  readonly serverName: string;
  readonly state: ServerState;
  readonly pid: number;
  readonly startTime?: number;
  readonly startedAt?: number;
  readonly lastHeartbeatAt?: number;
  readonly version?: string;
  readonly autoStart: boolean;
  readonly limiter: RestartLimiterSnapshot;
  /** How many times this supervisor launched the process. */
  readonly starts: number;
  /** Why the process last stopped running (the reason of the last change to Inactive), if it has. */
  readonly lastExit?: StateReason;
}

/**
 * What {@link ServerProcess.check} found: the cause when there was one (the server was then also restarted when
 * auto-start allowed it), `started` when it was simply down, `limited` when the flap limit held a start back,
 * `start-failed` when the spawn failed, `skipped` when a start/stop was under way or within the start grace.
 */
export type CheckAction = 'none' | 'skipped' | 'exited' | 'activating-timeout' | 'heartbeat-timeout' | 'started' | 'start-failed' |
  'limited';

const ADMIN_ADAPTER = 'AdminAdapter';

/**
 * One managed server process. Not re-entrant by design: start, stop and the check run one at a time (a check while a
 * start or stop is under way does nothing), so two copies of a server are never started.
 *
 * States (ServerState): Inactive -start-> Activating -first keepAlive-> Active; Active/Activating -stop->
 * Deactivating -> Inactive; any running state -> Inactive when the pid is gone; destroy -> Destroying -> Destroyed
 * (final: nothing starts it again). keepAlive moves any state but a transitional one (Deactivating, Destroying) to
 * Active; keepActiving moves Inactive/Active to Activating.
 */
export class ServerProcess {
  readonly id: string;
  readonly log: RotatedLog;
  private readonly launcher: ProcessLauncher;
  private readonly clock: Clock;
  private readonly timeouts: ServerTimeouts;
  private readonly limiter: RestartLimiter;
  private readonly listeners = new Set<(change: StateChange) => void>();
  private readonly launchListeners = new Set<(pid: number, startTime: number | undefined) => void>();
  private starts = 0;
  private lastExit?: StateReason;
  private admin?: AdminShutdown;
  private ownCommunicator?: Communicator;
  private state: ServerState = ServerState.Inactive;
  private pid = 0;
  private startTime?: number;
  private startedAt?: number;
  private lastBeat?: number;
  private readonly adapterBeats = new Map<string, number>();
  private version?: string;
  private autoStart: boolean;
  private busy = false;

  constructor(private readonly options: ServerProcessOptions) {
    this.id = `${options.application}.${options.serverName}`;
    this.launcher = options.launcher ?? new ExecaLauncher();
    this.clock = options.clock ?? systemClock;
    this.timeouts = {...DEFAULT_SERVER_TIMEOUTS, ...options.timeouts};
    this.limiter = new RestartLimiter({...DEFAULT_RESTART_LIMITS, ...options.limits});
    this.autoStart = options.autoStart ?? true;
    this.starts = options.startsSoFar ?? 0;
    this.log = new RotatedLog(path.join(options.layout.log, `${this.id}.stdout.log`), options.logRotation);
    this.admin = options.admin;
    if (!options.command && !options.entry) throw new TypeError(`${this.id}: a command or an entry script is needed`);
  }

  /** Subscribes to state changes (in order, synchronously after each change); returns the unsubscribe function. */
  onStateChange(listener: (change: StateChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Subscribes to launches: called with the new process's pid and start time once the OS gave them (the node records
   * them to adopt the process after its own restart). Returns the unsubscribe function.
   */
  onLaunch(listener: (pid: number, startTime: number | undefined) => void): () => void {
    this.launchListeners.add(listener);
    return () => this.launchListeners.delete(listener);
  }

  /** The current state and bookkeeping, immutable. */
  snapshot(): ServerProcessSnapshot {
    return Object.freeze({
      application: this.options.application, serverName: this.options.serverName, state: this.state, pid: this.pid,
      ...(this.startTime !== undefined ? {startTime: this.startTime} : {}),
      ...(this.startedAt !== undefined ? {startedAt: this.startedAt} : {}),
      ...(this.lastBeat !== undefined ? {lastHeartbeatAt: this.lastBeat} : {}),
      ...(this.version !== undefined ? {version: this.version} : {}),
      autoStart: this.autoStart, limiter: this.limiter.snapshot(this.clock.now()), starts: this.starts,
      ...(this.lastExit !== undefined ? {lastExit: this.lastExit} : {}),
    });
  }

  /** Turns auto-start on or off (the registry's setting_state). */
  setAutoStart(on: boolean): void {
    this.autoStart = on;
  }

  /** The argv the server is started with. */
  commandLine(): string[] {
    if (this.options.command) return [...this.options.command];
    const entry = path.resolve(this.options.layout.bin, this.options.entry!);
    return [process.execPath, entry, `--config=${this.options.layout.configFile}`];
  }

  /**
   * Starts the process unless one is running (then resolves false). Records the start for the flap limit (manual
   * starts count too, as in the official node, but are never refused by it). State: Activating with the new pid;
   * on a spawn failure Inactive again and the error is thrown.
   */
  async start(): Promise<boolean> {
    if (this.busy || this.finished()) return false;
    if (this.pid > 0 && this.launcher.isAlive(this.pid, this.startTime)) return false;
    this.busy = true;
    try {
      return await this.launch('start');
    } finally {
      this.busy = false;
    }
  }

  private async launch(reason: StateReason): Promise<boolean> {
    const now = this.clock.now();
    this.limiter.record(now);
    this.startedAt = now;
    this.resetBeats(now);
    this.setState(ServerState.Activating, reason);
    this.log.rotate();
    const fd = this.log.open();
    const [command, ...args] = this.commandLine();
    try {
      const launched = await this.launcher.launch({command: command!, args, cwd: this.options.layout.bin,
        env: {...this.options.env}, outputFd: fd});
      this.pid = launched.pid;
      this.startTime = launched.startTime;
      this.starts++;
      for (const listener of [...this.launchListeners]) {
        try {
          listener(launched.pid, launched.startTime);
        } catch {
          // A failing record must not break supervision.
        }
      }
      return true;
    } catch (error) {
      this.pid = 0;
      this.startTime = undefined;
      this.setState(ServerState.Inactive, 'start-failed');
      throw error;
    } finally {
      // The child has its own copy of the descriptor now.
      fs.closeSync(fd);
    }
  }

  /**
   * Takes over a process that was running before the node restarted: when `pid` runs and has `startTime` (as
   * recorded when it was started), it becomes this server's process (state Active, heart-beat clock reset so it
   * has a full heartTimeout to report in) and true is returned. A pid that is gone or now names another process
   * (different start time) is refused: false, nothing changes, and the check loop starts a fresh copy later.
   * Never starts anything itself, and refuses when a process of its own is already running.
   */
  adopt(pid: number, startTime: number): boolean {
    if (this.busy || this.finished()) return false;
    if (this.pid > 0 && this.launcher.isAlive(this.pid, this.startTime)) return this.pid === pid && this.startTime === startTime;
    if (!this.launcher.isAlive(pid, startTime) || this.launcher.startTimeOf(pid) !== startTime) return false;
    const now = this.clock.now();
    this.pid = pid;
    this.startTime = startTime;
    this.startedAt = now;
    this.resetBeats(now);
    this.setState(ServerState.Active, 'adopted');
    return true;
  }

  /**
   * ServerF.keepAlive: the server (or its adapter `adapter`; "" = all of it) is alive. Sets the pid when the server
   * was not Active (it may report a pid we did not start, e.g. through a start script) and moves it to Active unless
   * a stop or destroy is under way. Returns false when the server is gone for good (Destroyed) or pid <= 0 was given.
   */
  heartbeat(adapter = '', pid?: number): boolean {
    if (this.finished() || (pid !== undefined && pid <= 0)) return false;
    const now = this.clock.now();
    this.lastBeat = now;
    if (adapter === '') {
      for (const name of this.adapterBeats.keys()) this.adapterBeats.set(name, now);
    } else if (this.adapterBeats.has(adapter)) {
      this.adapterBeats.set(adapter, now);
    }
    if (this.state !== ServerState.Active && pid !== undefined) this.takePid(pid);
    if (this.state === ServerState.Deactivating || this.state === ServerState.Destroying) return true;
    this.setState(ServerState.Active, 'heartbeat');
    return true;
  }

  /** ServerF.keepActiving: the server is still initialising; it stays Activating and its activating timeout restarts. */
  activating(pid?: number): boolean {
    if (this.finished() || (pid !== undefined && pid <= 0)) return false;
    this.lastBeat = this.clock.now();
    if (pid !== undefined) this.takePid(pid);
    if (this.state === ServerState.Inactive || this.state === ServerState.Active) {
      this.setState(ServerState.Activating, 'activating');
    }
    return true;
  }

  /** ServerF.reportVersion: the framework version the server runs (the node forwards it to the registry). */
  reportVersion(version: string): void {
    this.version = version;
  }

  private takePid(pid: number): void {
    if (pid === this.pid) return;
    this.pid = pid;
    this.startTime = this.launcher.startTimeOf(pid);
  }

  /**
   * One pass of the node's check loop for this server (official ServerObject::checkServer), at `now`:
   * - nothing while a start or stop runs, within startGraceMs of a start, or when Inactive without auto-start;
   * - the pid is gone: Inactive (reported to listeners);
   * - still Activating past activatingTimeoutMs (since the start and the last keepActiving): stopped;
   * - Active with no keepAlive (server or any declared adapter) for heartTimeoutMs: stopped as a zombie;
   * - then, when Inactive and auto-start is on and the flap limit allows: started.
   * The live stdout log is also rotated here. Never throws: a failed start leaves the server Inactive for the next
   * pass (and counts towards the flap limit).
   */
  async check(now = this.clock.now()): Promise<CheckAction> {
    if (this.busy || this.finished()) return 'skipped';
    this.rotateQuietly();
    if (this.state === ServerState.Inactive && !this.autoStart) return 'none';
    if (this.startedAt !== undefined && now < this.startedAt + this.timeouts.startGraceMs && this.state !== ServerState.Inactive) {
      return 'skipped';
    }
    this.busy = true;
    try {
      let action: CheckAction = 'none';
      const alive = this.pid > 0 && this.launcher.isAlive(this.pid, this.startTime);
      if (!alive && this.state !== ServerState.Inactive) {
        // Divergence: the official node leaves an unexpired Activating server alone even when its pid is gone,
        // because its pid may be a start script's. Ours is the server's own pid: gone means down.
        this.pid = 0;
        this.startTime = undefined;
        this.setState(ServerState.Inactive, 'exited');
        action = 'exited';
      } else if (alive && this.state === ServerState.Activating && this.activatingExpired(now)) {
        await this.stopProcess(true);
        action = 'activating-timeout';
      } else if (alive && this.state === ServerState.Active && this.heartbeatExpired(now)) {
        await this.stopProcess(true);
        action = 'heartbeat-timeout';
      }
      if (this.state === ServerState.Inactive && this.autoStart) {
        if (this.limiter.blocked(this.clock.now())) return 'limited';
        try {
          await this.launch('start');
        } catch {
          return 'start-failed';
        }
        return action === 'none' ? 'started' : action;
      }
      return action;
    } finally {
      this.busy = false;
    }
  }

  private activatingExpired(now: number): boolean {
    const t = this.timeouts.activatingTimeoutMs;
    return now - (this.startedAt ?? now) >= t && now - (this.lastBeat ?? this.startedAt ?? now) >= t;
  }

  private heartbeatExpired(now: number): boolean {
    const t = this.timeouts.heartTimeoutMs;
    if (now - (this.lastBeat ?? now) > t) return true;
    for (const at of this.adapterBeats.values()) if (now - at > t) return true;
    return false;
  }

  private resetBeats(now: number): void {
    this.lastBeat = now;
    this.adapterBeats.clear();
    for (const name of [...(this.options.adapters ?? []), ADMIN_ADAPTER]) this.adapterBeats.set(name, now);
  }

  /**
   * Graceful stop (the registry's stopServer, `tars server stop`): AdminF.shutdown on the local endpoint, up to
   * deactivatingTimeoutMs (clamped to 2..60 s, as officially) for the process to exit, then SIGKILL and up to
   * killWaitMs more; without a local endpoint, or when AdminObj cannot be reached, SIGKILL at once. State:
   * Deactivating, then Inactive once the pid is gone. Resolves true when the process is gone; false when it
   * survived SIGKILL (it stays Deactivating; the check loop settles it once the pid vanishes) or another start/stop
   * was under way. Auto-start is the caller's business: an operator's stop also calls setAutoStart(false), as
   * setting_state inactive does officially.
   */
  async stop(): Promise<boolean> {
    if (this.busy) return false;
    this.busy = true;
    try {
      return await this.stopProcess(true);
    } finally {
      this.busy = false;
    }
  }

  private async stopProcess(track: boolean): Promise<boolean> {
    const pid = this.pid;
    if (!(pid > 0) || !this.launcher.isAlive(pid, this.startTime)) return this.gone(track, 'stopped');
    if (track) this.setState(ServerState.Deactivating, 'stop');
    const endpoint = typeof this.options.localEndpoint === 'function' ? this.options.localEndpoint() : this.options.localEndpoint;
    let asked = false;
    if (endpoint) {
      try {
        await this.adminShutdown().shutdown(endpoint);
        asked = true;
      } catch {
        // Unreachable AdminObj: straight to SIGKILL, as the official node does when shutdown throws.
      }
    }
    if (asked && await this.waitGone(pid, Math.min(60_000, Math.max(2000, this.timeouts.deactivatingTimeoutMs)))) {
      return this.gone(track, 'stopped');
    }
    this.launcher.kill(pid, 'SIGKILL');
    if (await this.waitGone(pid, this.timeouts.killWaitMs)) return this.gone(track, 'killed');
    return false;
  }

  private gone(track: boolean, reason: StateReason): true {
    this.pid = 0;
    this.startTime = undefined;
    if (track) this.setState(ServerState.Inactive, reason);
    return true;
  }

  private async waitGone(pid: number, ms: number): Promise<boolean> {
    const deadline = this.clock.now() + ms;
    for (;;) {
      if (!this.launcher.isAlive(pid, this.startTime)) return true;
      if (this.clock.now() >= deadline) return false;
      await this.clock.sleep(this.timeouts.pollMs);
    }
  }

  private adminShutdown(): AdminShutdown {
    if (!this.admin) {
      this.ownCommunicator = new Communicator();
      this.admin = communicatorShutdown(this.ownCommunicator);
    }
    return this.admin;
  }

  /**
   * Undeploy: Destroying, the process stopped as by {@link stop}, then Destroyed for good: no start, check,
   * heart-beat or adoption does anything afterwards. Waits for a start or stop under way. Resolves whether the
   * process is gone.
   */
  async destroy(): Promise<boolean> {
    if (this.finished()) return true;
    while (this.busy) await this.clock.sleep(this.timeouts.pollMs);
    this.busy = true;
    try {
      this.setState(ServerState.Destroying, 'destroy');
      const gone = await this.stopProcess(false);
      this.setState(ServerState.Destroyed, 'destroy');
      return gone;
    } finally {
      this.busy = false;
    }
  }

  /**
   * Lets go of this supervisor without touching the process (a node that stops leaves its servers running, as the
   * official node does; the next node adopts them). Closes the communicator it made for AdminF. Idempotent.
   */
  close(): void {
    this.ownCommunicator?.close();
    this.ownCommunicator = undefined;
    this.listeners.clear();
    this.launchListeners.clear();
  }

  private finished(): boolean {
    return this.state === ServerState.Destroyed || this.state === ServerState.Destroying;
  }

  private rotateQuietly(): void {
    try {
      this.log.rotate();
    } catch {
      // A full disk or a permission problem must not stop the watch over the process.
    }
  }

  private setState(to: ServerState, reason: StateReason): void {
    const from = this.state;
    if (from === to) return;
    this.state = to;
    if (to === ServerState.Inactive) this.lastExit = reason;
    const change: StateChange = Object.freeze({from, to, reason, pid: this.pid, at: this.clock.now()});
    for (const listener of [...this.listeners]) {
      try {
        listener(change);
      } catch {
        // A listener (the registry report) failing must not break supervision.
      }
    }
  }
}
