// The servers one node runs, as the registry assigns them (framework.md 2.2): each one's config file, package and
// ServerProcess, the check loop over all of them, their state reports to the registry, and the deploy steps the
// node's servants expose (stage a package, activate it with rollback, start, stop, destroy, notify, read logs).
// The registry is the source of truth for what runs here; this node's files are the truth for how (its package).
import {randomInt} from 'node:crypto';
import {mkdir, open, readdir, readFile, rename, rm, stat, writeFile} from 'node:fs/promises';
import path from 'node:path';

import {type Communicator, type Logger, type Notifier, parseEndpoint, parseTarsConfig} from '@tars-ts/core';
import {AdminF, NodeDescriptor, type Registry, type RegistryDescriptor} from '@tars-ts/core/framework';
import {ADMIN_TOKEN_ENV, UserError, portFree} from '@tars-ts/kit';

import {type ServerLayout, inside, serverLayout} from './layout.js';
import {type PackageInfo, stagePackage} from './package.js';
import {type NodeFacts, localEndpointOf, serverConfigText, writeServerConfig} from './server-config-file.js';
import {
  type Clock, ExecaLauncher, type ProcessLauncher, type RestartLimits, ServerProcess, ServerState, type ServerTimeouts,
  communicatorShutdown, serverStateName, systemClock,
} from './supervisor/index.js';

/** How often the check loop runs, ms (official monitorInterval: 2 s; 1 s here so discovery drops a dead server sooner). */
export const DEFAULT_CHECK_INTERVAL_MS = 1000;
/** How often every server's state is pushed to the registry in one batch, ms (official synStatInterval: 60 s). */
export const DEFAULT_SYNC_INTERVAL_MS = 10_000;
/** Node-local facts of an installed package: `<server>/deploy.json`. */
const RECORD = 'deploy.json';
/** The running process, to adopt it after a node restart: `<server>/run.json`. */
const RUN = 'run.json';
/** How many log lines a failure report carries. */
const FAILURE_LINES = 15;

/** A package's facts as the node keeps them next to it. */
interface PackageRecord extends PackageInfo {
  readonly source: string;
  readonly stagedAt: number;
  /** The patch version, when it came from the patch server. */
  readonly version?: string;
}

/** One managed server: its process and what it was built from. */
interface Managed {
  readonly process: ServerProcess;
  readonly layout: ServerLayout;
  readonly descriptor: RegistryDescriptor.ServerDescriptor;
  readonly local: string;
  readonly record: PackageRecord;
}

/** What {@link NodeServers} needs. */
export interface NodeServersOptions {
  readonly dataDir: string;
  readonly nodeName: string;
  /** The registry's RegistryObj (getServers, updateServerBatch, reportVersion). */
  readonly registry: Registry.RegistryProxy;
  /** Calls to the servers' AdminObj go through it. */
  readonly communicator: Communicator;
  readonly logger: Logger;
  readonly checkIntervalMs?: number;
  readonly syncIntervalMs?: number;
  readonly launcher?: ProcessLauncher;
  readonly clock?: Clock;
  readonly limits?: Partial<RestartLimits>;
  /** Overrides of every server's timeouts (tests); otherwise each comes from its config file. */
  readonly timeouts?: Partial<ServerTimeouts>;
  /**
   * Where crashes, restarts after a crash and flap-limit blocks are reported (NotifyF, `tars.tarsnotify.NotifyObj`
   * through the locator): see {@link NodeServers.alarm}. None: they are only logged.
   */
  readonly notifier?: Notifier;
  /**
   * The cluster's admin token: passed (TARS_ADMIN_TOKEN) to the framework's own servers (application `tars`), whose
   * admin objects ask for it; never to business servers.
   */
  readonly adminToken?: string;
}

/** Where a package to stage comes from: the node's disk, or the patch server. */
export interface StageSource {
  readonly application: string;
  readonly serverName: string;
  /** Absolute path on this host ('' with patchFile). */
  readonly packagePath: string;
  readonly command: string;
  readonly patchObj?: string;
  readonly patchFile?: string;
  readonly md5?: string;
  readonly version?: string;
}

/** The patch server's object, resolved through the node's locator when a request names none. */
export const PATCH_OBJ = 'tars.tarspatch.PatchObj';

/** An answer of the node's servants: 0, or -1 with a text naming the problem. */
export interface Outcome {
  readonly ret: 0 | -1;
  readonly result: string;
}

const ok = (result: string): Outcome => ({ret: 0, result});
const failed = (result: string): Outcome => ({ret: -1, result});

/** Splits a command line as a POSIX shell would split words: quotes and backslashes, no expansion. */
export function splitCommand(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1]!)) word += line[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) throw new UserError(`command line ${JSON.stringify(line)} has an unclosed ${quote}`, {code: 'BAD_ARGUMENT'});
  if (inWord) words.push(word);
  return words;
}

/** The environment of a config file's `env` key (`K=V` items separated by `;` or `|`, as the official node reads it). */
export function envOf(configText: string): Record<string, string> {
  const env: Record<string, string> = {};
  const value = parseTarsConfig(configText).get('/tars/application/server<env>') ?? '';
  for (const item of value.split(/[;|]/)) {
    const eq = item.indexOf('=');
    if (eq > 0) env[item.slice(0, eq).trim()] = item.slice(eq + 1);
  }
  return env;
}

/** A server's timeouts from its config file (ms keys of `<server>`), where given. */
function timeoutsOf(configText: string): Partial<ServerTimeouts> {
  const server = parseTarsConfig(configText);
  const ms = (key: string): number | undefined => {
    const v = Number(server.get(`/tars/application/server<${key}>`));
    return Number.isFinite(v) && v > 0 ? v : undefined;
  };
  const heart = ms('hearttimeout');
  const activating = ms('activating-timeout');
  const deactivating = ms('deactivating-timeout');
  return {...(heart ? {heartTimeoutMs: heart} : {}), ...(activating ? {activatingTimeoutMs: activating} : {}),
    ...(deactivating ? {deactivatingTimeoutMs: deactivating} : {})};
}

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

/** The last `lines` lines of a file (reading at most `maxBytes` from its end), '' when it cannot be read. */
export async function lastLines(file: string, lines: number, maxBytes = 64 * 1024): Promise<string> {
  let handle;
  try {
    handle = await open(file, 'r');
    const {size} = await handle.stat();
    // One byte more than the window: when it is a newline, the window starts on a whole line.
    const start = Math.max(0, size - maxBytes - 1);
    const buffer = Buffer.alloc(size - start);
    await handle.read(buffer, 0, buffer.length, start);
    let text = buffer.toString('utf8');
    if (start > 0) text = text.slice(text.indexOf('\n') + 1);
    const all = text.replace(/\n$/, '').split('\n');
    return all.slice(-lines).join('\n');
  } catch {
    return '';
  } finally {
    await handle?.close();
  }
}

/** The journal of a switch under way (see {@link recoverSwitch}). */
const SWITCH_JOURNAL = 'switch.json';

/** Writes `text` to `file` and flushes it to the disk before resolving. */
async function writeFileDurably(file: string, text: string): Promise<void> {
  const handle = await open(file, 'w');
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * A node killed in the middle of a switch (activation renames bin -> bin.prev, bin.staged -> bin, the package
 * record -> .prev and the staged record -> record, with a journal written first) comes back on a complete version:
 * the previous one when there was one (the new one goes back to staging), else the new one completed. Never a
 * package with another version's record. Returns what it did.
 */
export async function recoverSwitch(layout: ServerLayout): Promise<'none' | 'restored-previous' | 'completed-new'> {
  const journal = path.join(layout.root, SWITCH_JOURNAL);
  if (!await exists(journal)) return 'none';
  const record = path.join(layout.root, RECORD);
  const staged = `${layout.bin}.staged`;
  const prev = `${layout.bin}.prev`;
  let done: 'restored-previous' | 'completed-new';
  const hadPackage = (await readJson<{hadPackage?: boolean}>(journal))?.hadPackage !== false;
  if (hadPackage && !await exists(prev)) {
    // Killed before the first rename: the previous version is still in place, the new one still staged.
    done = 'restored-previous';
  } else if (await exists(prev)) {
    if (await exists(layout.bin)) {
      await rm(staged, {recursive: true, force: true});
      await rename(layout.bin, staged);
    }
    await rename(prev, layout.bin);
    if (await exists(`${record}.prev`)) {
      if (await exists(record)) await rename(record, `${staged}.json`);
      await rename(`${record}.prev`, record);
    }
    done = 'restored-previous';
  } else {
    if (!await exists(layout.bin) && await exists(staged)) await rename(staged, layout.bin);
    if (!await exists(record) && await exists(`${staged}.json`)) await rename(`${staged}.json`, record);
    done = 'completed-new';
  }
  await rm(journal, {force: true});
  return done;
}

/**
 * The servers of one node. {@link load} takes what the registry assigns (adopting processes still running from a
 * previous node), {@link startLoop} runs the check loop (every server's {@link ServerProcess.check}) and the state
 * sync; every state change is pushed to the registry at once (updateServerBatch, retried with the next change or
 * sync), so QueryF stops returning a server within about one check interval of its death.
 */
export class NodeServers {
  private readonly byId = new Map<string, Managed>();
  /** Servers a deploy, start or stop is working on: the check loop leaves them alone. */
  private readonly busy = new Set<string>();
  private readonly launcher: ProcessLauncher;
  private readonly clock: Clock;
  private readonly pending = new Map<string, NodeDescriptor.ServerStateInfo>();
  private readonly patchProgress = new Map<string, {percent: number; status: string; version: string}>();
  private flushing?: Promise<void>;
  private loaded = false;
  private lastLoadAttempt = -Infinity;
  private checkTimer?: NodeJS.Timeout;
  private syncTimer?: NodeJS.Timeout;
  private facts?: NodeFacts;
  private closed = false;

  constructor(private readonly options: NodeServersOptions) {
    this.launcher = options.launcher ?? new ExecaLauncher();
    this.clock = options.clock ?? systemClock;
  }

  private get nodeName(): string {
    return this.options.nodeName;
  }

  /** The node's own endpoints and locator, known once its servants are bound. */
  setFacts(facts: NodeFacts): void {
    this.facts = facts;
  }

  /** The process of a managed server. */
  get(application: string, serverName: string): ServerProcess | undefined {
    return this.byId.get(`${application}.${serverName}`)?.process;
  }

  /** Every managed server's process, by name. */
  all(): ServerProcess[] {
    return [...this.byId.values()].map((m) => m.process).sort((a, b) => a.id.localeCompare(b.id));
  }

  /** ServerF.reportVersion: passed on to the registry (it is not waited for). */
  versionReported(application: string, serverName: string, version: string): void {
    this.options.registry.reportVersion(application, serverName, this.nodeName, version)
      .catch((error: unknown) => this.options.logger.warn(`reportVersion of ${application}.${serverName}: ` +
        `${(error as Error).message}`));
  }

  /**
   * Takes every server the registry assigns to this node whose package is installed here: writes its config file
   * and adopts its process when the one recorded still runs (same pid and start time); the check loop starts the
   * others that should run. Throws when the registry cannot be asked (the loop tries again).
   */
  async load(): Promise<void> {
    this.lastLoadAttempt = this.clock.now();
    const {ret: descriptors} = await this.options.registry.getServers('', '', this.nodeName);
    for (const d of descriptors) {
      try {
        await this.apply(d, true);
      } catch (error) {
        this.options.logger.error(`${d.application}.${d.serverName}: ${(error as Error).message}`);
      }
    }
    this.loaded = true;
    this.syncAll();
  }

  /** Starts the check loop and the periodic state sync (unref'd timers). */
  startLoop(): void {
    const check = this.options.checkIntervalMs ?? DEFAULT_CHECK_INTERVAL_MS;
    this.checkTimer = setInterval(() => void this.tick(), check);
    this.checkTimer.unref();
    this.syncTimer = setInterval(() => this.syncAll(), this.options.syncIntervalMs ?? DEFAULT_SYNC_INTERVAL_MS);
    this.syncTimer.unref();
  }

  private ticking = false;

  private async tick(): Promise<void> {
    if (this.ticking || this.closed) return;
    this.ticking = true;
    try {
      if (!this.loaded) {
        if (this.clock.now() - this.lastLoadAttempt < 5000) return;
        await this.load().catch((error: unknown) => this.options.logger.warn(`getServers: ${(error as Error).message}` +
          ' (trying again)'));
        return;
      }
      for (const [id, m] of this.byId) {
        if (this.busy.has(id)) continue;
        const action = await m.process.check().catch(() => 'none' as const);
        if (action === 'limited') this.warnLimited(m);
      }
    } finally {
      this.ticking = false;
    }
  }

  private limitedWarned = new Set<string>();

  private warnLimited(m: Managed): void {
    if (this.limitedWarned.has(m.process.id)) return;
    this.limitedWarned.add(m.process.id);
    const until = m.process.snapshot().limiter.blockedUntil;
    const text = 'auto-start held back by the flap limit' + (until ? ` until ${new Date(until).toISOString()}` : '');
    this.options.logger.warn(`${m.process.id}: ${text}; start it by hand once it is fixed`);
    this.alarm(m, `[alarm] ${text}`);
  }

  /**
   * The node's reports to the notify daemon about one of its servers (issue 15; the one place they are made, from
   * {@link watch} and {@link warnLimited}): eType REPORT with the server's app and name and this node's name, texts
   * starting with "[alarm]" as tarsnode's do, so the daemon files them as alarms. The notifier never blocks: a
   * daemon that is away or slow costs a counter (its queue is bounded), never a check round.
   */
  private alarm(m: Managed, message: string): void {
    this.options.notifier?.report(message, {app: m.descriptor.application, server: m.descriptor.serverName,
      nodeName: this.nodeName, setdivision: m.descriptor.setId || undefined});
  }

  /** Stops the loop and lets go of every server (the processes keep running: a node started again adopts them). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.checkTimer) clearInterval(this.checkTimer);
    if (this.syncTimer) clearInterval(this.syncTimer);
    await this.flush().catch(() => undefined);
    for (const m of this.byId.values()) m.process.close();
  }

  // ----- state reports -------------------------------------------------------------------------------------------

  private stateInfo(m: Managed): NodeDescriptor.ServerStateInfo {
    const snap = m.process.snapshot();
    return NodeDescriptor.ServerStateInfo.create({serverState: snap.state, processId: snap.pid,
      nodeName: this.nodeName, application: snap.application, serverName: snap.serverName,
      settingState: snap.autoStart ? ServerState.Active : ServerState.Inactive});
  }

  private report(m: Managed): void {
    this.pending.set(m.process.id, this.stateInfo(m));
    void this.flush();
  }

  private syncAll(): void {
    for (const m of this.byId.values()) this.pending.set(m.process.id, this.stateInfo(m));
    void this.flush();
  }

  /** Sends what is pending in one updateServerBatch; what fails stays pending (unless newer news replaced it). */
  private flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    if (this.pending.size === 0) return Promise.resolve();
    this.flushing = (async () => {
      while (this.pending.size > 0) {
        const batch = new Map(this.pending);
        this.pending.clear();
        try {
          await this.options.registry.updateServerBatch([...batch.values()]);
        } catch (error) {
          for (const [id, info] of batch) if (!this.pending.has(id)) this.pending.set(id, info);
          this.options.logger.warn(`updateServerBatch: ${(error as Error).message} (sent again later)`);
          break;
        }
      }
    })().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  // ----- building a server from its descriptor -------------------------------------------------------------------

  private async pickLocal(layout: ServerLayout): Promise<string> {
    const previous = localEndpointOf(await readFile(layout.configFile, 'utf8').catch(() => undefined));
    if (previous) return previous;
    for (let i = 0; i < 50; i++) {
      const port = randomInt(30_000, 45_000);
      if (await portFree('127.0.0.1', port)) return `tcp -h 127.0.0.1 -p ${port} -t 10000`;
    }
    throw new Error('no free port for the admin endpoint in 30000-44999');
  }

  /** The command line of a server: its deploy command (`{config}` replaced, else `--config=FILE` added) or none. */
  private commandOf(d: RegistryDescriptor.ServerDescriptor, layout: ServerLayout): string[] | undefined {
    if (d.startScript.trim() === '') return undefined;
    const words = splitCommand(d.startScript);
    let replaced = false;
    const argv = words.map((w) => {
      if (!w.includes('{config}')) return w;
      replaced = true;
      return w.replaceAll('{config}', layout.configFile);
    });
    if (!replaced) argv.push(`--config=${layout.configFile}`);
    if (argv[0]!.includes('/') && !path.isAbsolute(argv[0]!)) argv[0] = inside(layout.bin, argv[0]!);
    return argv;
  }

  /**
   * Builds (or rebuilds) the managed server of `d` when its package is installed: config file written (only when it
   * changed), a new ServerProcess taking over the process of the one it replaces, or (when `adopt`) the one recorded
   * in run.json. Returns it, or undefined when no package is installed.
   */
  private async apply(d: RegistryDescriptor.ServerDescriptor, adopt: boolean): Promise<Managed | undefined> {
    const layout = serverLayout(this.options.dataDir, d.application, d.serverName);
    await recoverSwitch(layout);
    const record = await readJson<PackageRecord>(path.join(layout.root, RECORD));
    if (!record) return undefined;
    if (!this.facts) throw new Error('the node is not bound yet');
    const local = await this.pickLocal(layout);
    const text = serverConfigText({descriptor: d, node: this.facts, layout, local});
    await writeServerConfig(layout.configFile, text);
    // What the config names must exist before the server starts (as tarsnode makes them): TarsGo writes its
    // endpoint cache into datapath and its log under logpath/App/Server.
    await mkdir(layout.data, {recursive: true});
    await mkdir(path.join(layout.log, d.application, d.serverName), {recursive: true});
    const id = `${d.application}.${d.serverName}`;
    const command = this.commandOf(d, layout);
    const old = this.byId.get(id);
    const oldSnap = old?.process.snapshot();
    const process = new ServerProcess({startsSoFar: oldSnap?.starts ?? 0, application: d.application, serverName: d.serverName, layout,
      ...(command ? {command} : {entry: record.entry}),
      env: {...envOf(text), ...(d.application === 'tars' && this.options.adminToken !== undefined
        ? {[ADMIN_TOKEN_ENV]: this.options.adminToken} : {})},
      adapters: [...d.adapters.keys()].filter((k) => k !== ''), autoStart: d.settingState === 'active',
      localEndpoint: local, timeouts: {...timeoutsOf(text), ...this.options.timeouts},
      ...(this.options.limits ? {limits: this.options.limits} : {}), launcher: this.launcher, clock: this.clock,
      admin: communicatorShutdown(this.options.communicator)});
    const m: Managed = {process, layout, descriptor: d, local, record};
    old?.process.close();
    if (oldSnap && oldSnap.pid > 0 && oldSnap.startTime !== undefined) {
      process.adopt(oldSnap.pid, oldSnap.startTime);
    } else if (adopt) {
      const run = await readJson<{pid: number; startTime: number}>(path.join(layout.root, RUN));
      if (run && process.adopt(run.pid, run.startTime)) {
        this.options.logger.info(`${id}: adopted the running process ${run.pid}`);
      }
    }
    this.watch(m);
    this.byId.set(id, m);
    this.report(m);
    return m;
  }

  private watch(m: Managed): void {
    const {process, layout} = m;
    let lastPid = process.snapshot().pid;
    /** The pid that exited, until the next launch (which is then a restart after a crash). */
    let crashed: number | undefined;
    process.onLaunch((pid, startTime) => {
      if (crashed !== undefined) this.alarm(m, `[alarm] restarted after pid ${crashed} exited, new pid ${pid}`);
      crashed = undefined;
      lastPid = pid;
      void writeFile(path.join(layout.root, RUN), JSON.stringify({pid, startTime: startTime ?? null}))
        .catch(() => undefined);
      this.limitedWarned.delete(process.id);
    });
    process.onStateChange((change) => {
      this.report(m);
      if (change.to === ServerState.Inactive && change.reason === 'exited') {
        const died = lastPid; // before the restart this change leads to replaces it
        crashed = died;
        this.alarm(m, `[alarm] down, server is inactive (pid ${died} exited)`);
        void lastLines(process.log.file, 5).then((tail) => this.options.logger.warn(`${process.id}: pid ${died} ` +
          `exited${tail ? `; its last lines:\n${tail}` : ''}`));
      } else if (change.reason !== 'heartbeat' && change.reason !== 'activating') {
        this.options.logger.info(`${process.id}: ${serverStateName(change.from)} -> ${serverStateName(change.to)} ` +
          `(${change.reason}${change.pid ? `, pid ${change.pid}` : ''})`);
      }
    });
  }

  /** The registry's descriptor of one server on this node, or a UserError-style failure. */
  private async descriptorOf(application: string, serverName: string):
    Promise<RegistryDescriptor.ServerDescriptor | Outcome> {
    let descriptors: RegistryDescriptor.ServerDescriptor[];
    try {
      ({ret: descriptors} = await this.options.registry.getServers(application, serverName, this.nodeName));
    } catch (error) {
      return failed(`the registry could not be asked for ${application}.${serverName}: ${(error as Error).message}`);
    }
    const d = descriptors.find((x) => x.application === application && x.serverName === serverName);
    return d ?? failed(`${application}.${serverName} is not deployed on node ${this.nodeName} in the registry`);
  }

  /** Runs `work` with the server marked busy (the check loop leaves it alone). */
  private async exclusive<T>(id: string, work: () => Promise<T>): Promise<T> {
    if (this.busy.has(id)) throw new UserError(`${id} is busy with another deploy, start or stop`, {code: 'FAILURE'});
    this.busy.add(id);
    try {
      return await work();
    } finally {
      this.busy.delete(id);
    }
  }

  // ----- what the servants ask -----------------------------------------------------------------------------------

  /** NodeCtl.stagePackage: the package copied or unpacked into `<server>/bin.staged`, with what it holds. */
  async stage(req: StageSource): Promise<{outcome: Outcome; info?: PackageInfo}> {
    const {application, serverName, command} = req;
    let layout: ServerLayout;
    try {
      layout = serverLayout(this.options.dataDir, application, serverName);
    } catch (error) {
      return {outcome: failed((error as Error).message)};
    }
    const id = `${application}.${serverName}`;
    try {
      return await this.exclusive(id, async () => {
        const staged = `${layout.bin}.staged`;
        let source = req.packagePath;
        if (req.patchFile) {
          // From the patch server: downloaded (resuming a .part left by an earlier attempt), md5 checked.
          const dir = path.join(layout.root, 'patch');
          await mkdir(dir, {recursive: true});
          source = path.join(dir, `${application}.${serverName}_${req.version || 'package'}.tgz`);
          const {downloadPatch} = await import('./patch-download.js');
          this.patchProgress.set(id, {percent: 0, status: 'downloading', version: req.version ?? ''});
          // A package downloaded before is used again when it is whole (its md5).
          if (await exists(source) && req.md5) {
            const {md5Of} = await import('./patch-download.js');
            if (await md5Of(source) !== req.md5.toLowerCase()) await rm(source, {force: true});
          }
          if (!await exists(source)) {
            await downloadPatch({communicator: this.options.communicator, patchObj: req.patchObj || PATCH_OBJ,
              file: req.patchFile, md5: req.md5 ?? '', dest: source, onProgress: (done, total) => {
                this.patchProgress.set(id, {percent: total > 0 ? Math.floor(done * 100 / total) : 100,
                  status: 'downloading', version: req.version ?? ''});
              }});
          }
          this.patchProgress.set(id, {percent: 100, status: 'unpacking', version: req.version ?? ''});
        }
        const info = await stagePackage(source, staged, command);
        await writeFile(`${staged}.json`, JSON.stringify({...info, source, stagedAt: this.clock.now(),
          ...(req.version ? {version: req.version} : {})}));
        this.patchProgress.set(id, {percent: 100, status: 'staged', version: req.version ?? ''});
        return {outcome: ok(`staged ${info.files} files (${info.bytes} bytes) from ${req.patchFile
          ? `version ${req.version} of the patch server` : source}`), info};
      });
    } catch (error) {
      this.patchProgress.set(id, {percent: 0, status: `failed: ${(error as Error).message}`, version: req.version ?? ''});
      // A server that never had a package here leaves no directory behind.
      if (!this.byId.has(id) && !await exists(path.join(layout.root, RECORD))) {
        await rm(layout.root, {recursive: true, force: true});
      }
      const hint = error instanceof UserError && error.hint ? `\nhint: ${error.hint}` : '';
      return {outcome: failed(`${(error as Error).message}${hint}`)};
    }
  }

  /** Node.getPatchPercent: where the last staging from the patch server of a server is. */
  patchPercent(application: string, serverName: string): {percent: number; status: string; version: string} | undefined {
    return this.patchProgress.get(`${application}.${serverName}`);
  }

  /**
   * NodeCtl.activateServer: the registry's rows and the staged package (if any) become what runs, with the previous
   * package, config and process put back on any failure. See NodeCtl.tars.
   */
  async activate(application: string, serverName: string, waitMs: number): Promise<Outcome> {
    const d = await this.descriptorOf(application, serverName);
    if ('ret' in d) return d;
    const id = `${application}.${serverName}`;
    try {
      return await this.exclusive(id, () => this.activateLocked(d, waitMs));
    } catch (error) {
      return failed((error as Error).message);
    }
  }

  private async activateLocked(d: RegistryDescriptor.ServerDescriptor, waitMs: number): Promise<Outcome> {
    const id = `${d.application}.${d.serverName}`;
    const layout = serverLayout(this.options.dataDir, d.application, d.serverName);
    const staged = `${layout.bin}.staged`;
    const hasStaged = await exists(staged);
    const hadPackage = await exists(path.join(layout.root, RECORD));
    if (!hasStaged && !hadPackage) {
      return failed(`${id} has no package on node ${this.nodeName}: stage one first (tars server deploy --package)`);
    }
    const old = this.byId.get(id);
    const oldSnap = old?.process.snapshot();
    const wasRunning = oldSnap !== undefined && oldSnap.pid > 0 && this.launcher.isAlive(oldSnap.pid, oldSnap.startTime);
    // Ports: every adapter's must be free, unless the running copy holds it (it is about to let go).
    const held = new Set<number>();
    if (wasRunning) for (const a of old!.descriptor.adapters.values()) held.add(portOf(a.endpoint));
    for (const [name, a] of d.adapters) {
      let ep;
      try {
        ep = parseEndpoint(a.endpoint);
      } catch (error) {
        return this.abandon(layout, hadPackage, `adapter ${name}: endpoint "${a.endpoint}": ${(error as Error).message}`);
      }
      if (ep.protocol === 'udp' || held.has(ep.port)) continue;
      if (!await portFree(ep.host, ep.port)) {
        return this.abandon(layout, hadPackage, `adapter ${name}: port ${ep.port} on ${ep.host} is in use by another process\nhint: free it, ` +
          `or deploy with --adapter ${a.servant.split('.').pop()}="tcp -h ${ep.host} -p OTHER_PORT"`);
      }
    }
    const previousConfig = await readFile(layout.configFile, 'utf8').catch(() => undefined);
    if (wasRunning) await old!.process.stop();
    const prev = `${layout.bin}.prev`;
    if (hasStaged) {
      // A journal first: a node killed between these renames finds it at its next start and puts the previous
      // version back whole (recoverSwitch), never a package with another's record.
      const journal = path.join(layout.root, SWITCH_JOURNAL);
      await writeFileDurably(journal, JSON.stringify({startedAt: this.clock.now(), hadPackage}));
      await rm(prev, {recursive: true, force: true});
      if (await exists(layout.bin)) await rename(layout.bin, prev);
      await rename(staged, layout.bin);
      const recordFile = path.join(layout.root, RECORD);
      if (hadPackage) await rename(recordFile, `${recordFile}.prev`);
      await rename(`${staged}.json`, recordFile);
      await rm(journal, {force: true});
    }
    let failure: string | undefined;
    let m: Managed | undefined;
    try {
      m = await this.apply(d, false);
      if (!m) throw new Error('the package record is missing');
      if (d.settingState === 'active') failure = await this.startAndWait(m, waitMs);
    } catch (error) {
      failure = (error as Error).message;
    }
    if (failure === undefined) {
      await rm(prev, {recursive: true, force: true});
      await rm(path.join(layout.root, `${RECORD}.prev`), {force: true});
      if (hasStaged && m!.record.version) await this.recordPatch(d, m!.record.version);
      const snap = m!.process.snapshot();
      return ok(d.settingState === 'active' ? `${id} is active, pid ${snap.pid}` : `${id} is installed (not started: ` +
        'its setting state is inactive)');
    }
    await this.rollback(d, layout, {hasStaged, hadPackage, wasRunning, previousConfig, old, failed: m});
    return failed(failure);
  }

  /** Registry.updatePatchResult: the version this node now runs (what `tars server rollback` goes back from). */
  private async recordPatch(d: RegistryDescriptor.ServerDescriptor, version: string): Promise<void> {
    const {Registry} = await import('@tars-ts/core/framework');
    await this.options.registry.updatePatchResult(Registry.PatchResult.create({sApplication: d.application,
      sServerName: d.serverName, sNodeName: this.nodeName, sVersion: version, sUserName: 'tars'}))
      .catch((error: unknown) => this.options.logger.warn(`${d.application}.${d.serverName}: updatePatchResult: ` +
        `${(error as Error).message}`));
  }

  /**
   * A deploy given up before anything changed: its staged package goes, and a server that had no package here
   * leaves no directory at all. Returns the failure.
   */
  private async abandon(layout: ServerLayout, hadPackage: boolean, why: string): Promise<Outcome> {
    if (hadPackage) {
      await rm(`${layout.bin}.staged`, {recursive: true, force: true});
      await rm(`${layout.bin}.staged.json`, {force: true});
    } else {
      await rm(layout.root, {recursive: true, force: true});
    }
    return failed(why);
  }

  /** Starts `m` and waits for its first keepAlive; undefined when Active, else why not (with its last log lines). */
  private async startAndWait(m: Managed, waitMs: number): Promise<string | undefined> {
    const {process} = m;
    process.setAutoStart(true);
    await process.start();
    const deadline = this.clock.now() + waitMs;
    for (;;) {
      const snap = process.snapshot();
      if (snap.state === ServerState.Active) return undefined;
      const gone = !(snap.pid > 0 && this.launcher.isAlive(snap.pid, snap.startTime));
      if (gone || this.clock.now() >= deadline) {
        const tail = await lastLines(process.log.file, FAILURE_LINES);
        const what = gone ? `${process.id} exited at once` : `${process.id} did not report in within ${waitMs} ms ` +
          '(no keepAlive to the node: is `node` in its config read?)';
        return `${what}${tail ? `; its last lines:\n${tail}` : ' (it wrote nothing)'}`;
      }
      await this.clock.sleep(50);
    }
  }

  private async rollback(d: RegistryDescriptor.ServerDescriptor, layout: ServerLayout, was: {hasStaged: boolean;
    hadPackage: boolean; wasRunning: boolean; previousConfig: string | undefined; old: Managed | undefined;
    failed: Managed | undefined}): Promise<void> {
    const id = `${d.application}.${d.serverName}`;
    if (was.failed) {
      was.failed.process.setAutoStart(false);
      await was.failed.process.stop().catch(() => false);
      was.failed.process.close();
    }
    this.byId.delete(id);
    if (!was.hadPackage) {
      // Nothing ran here before: nothing of the attempt stays.
      await rm(layout.root, {recursive: true, force: true});
      this.pending.delete(id);
      return;
    }
    if (was.hasStaged) {
      await rm(layout.bin, {recursive: true, force: true});
      await rename(`${layout.bin}.prev`, layout.bin).catch(() => undefined);
      const recordFile = path.join(layout.root, RECORD);
      await rename(`${recordFile}.prev`, recordFile).catch(() => undefined);
    }
    if (was.previousConfig !== undefined) await writeServerConfig(layout.configFile, was.previousConfig);
    if (was.old) {
      const restored = await this.apply(was.old.descriptor, false).catch(() => undefined);
      if (restored && was.wasRunning) {
        // The deploy answers once the previous version serves again (or could not: the check loop goes on).
        const failure = await this.startAndWait(restored, 15_000).catch((error: unknown) => (error as Error).message);
        if (failure) this.options.logger.warn(`${id}: the previous version did not come back: ${failure}`);
      }
    }
  }

  /**
   * The registry's current rows for the server applied (config file written when it changed, the process taken
   * over), then `act` on it, the server marked busy; a server not in the registry for this node, or with no package
   * here, is a failure saying so.
   */
  private async withApplied(application: string, serverName: string,
    act: (m: Managed, id: string) => Promise<Outcome>): Promise<Outcome> {
    const d = await this.descriptorOf(application, serverName);
    if ('ret' in d) return d;
    const id = `${application}.${serverName}`;
    try {
      return await this.exclusive(id, async () => {
        const m = await this.apply(d, false);
        return m ? act(m, id) : failed(`${id} has no package on node ${this.nodeName}: deploy it (tars server deploy)`);
      });
    } catch (error) {
      return failed((error as Error).message);
    }
  }

  /**
   * Node.startServer: the registry's current rows applied, auto-start on, the process started, then up to `waitMs`
   * for it to report Active (an exit within that time is a failure with its last lines).
   */
  start(application: string, serverName: string, waitMs: number): Promise<Outcome> {
    return this.withApplied(application, serverName, async (m, id) => {
      const snap = m.process.snapshot();
      if (snap.pid > 0 && this.launcher.isAlive(snap.pid, snap.startTime)) {
        m.process.setAutoStart(true);
        return ok(`${id} is already running, pid ${snap.pid}`);
      }
      const failure = await this.startAndWait(m, waitMs);
      return failure === undefined ? ok(`${id} is active, pid ${m.process.snapshot().pid}`) : failed(failure);
    });
  }

  /** Node.stopServer: auto-start off, then the graceful stop (AdminF.shutdown, then SIGKILL). */
  async stop(application: string, serverName: string): Promise<Outcome> {
    const id = `${application}.${serverName}`;
    const m = this.byId.get(id);
    if (!m) return failed(`${id} is not deployed on node ${this.nodeName}`);
    try {
      return await this.exclusive(id, async () => {
        m.process.setAutoStart(false);
        const gone = await m.process.stop();
        this.report(m);
        return gone ? ok(`${id} stopped`) : failed(`${id} did not stop (it survived SIGKILL)`);
      });
    } catch (error) {
      return failed((error as Error).message);
    }
  }

  /** Node.destroyServer: the process stopped for good and the server's directory removed. */
  async destroy(application: string, serverName: string): Promise<Outcome> {
    const id = `${application}.${serverName}`;
    let layout: ServerLayout;
    try {
      layout = serverLayout(this.options.dataDir, application, serverName);
    } catch (error) {
      return failed((error as Error).message);
    }
    const m = this.byId.get(id);
    if (!m && !await exists(layout.root)) return failed(`${id} is not deployed on node ${this.nodeName}`);
    try {
      return await this.exclusive(id, async () => {
        if (m) {
          const gone = await m.process.destroy();
          m.process.close();
          if (!gone) return failed(`${id} did not stop (it survived SIGKILL): not removed`);
        }
        this.byId.delete(id);
        this.pending.delete(id);
        await rm(layout.root, {recursive: true, force: true});
        return ok(`${id} removed from node ${this.nodeName}`);
      });
    } catch (error) {
      return failed((error as Error).message);
    }
  }

  /** Node.loadServer: the registry's rows applied again (config file rewritten when it changed), nothing restarted. */
  reload(application: string, serverName: string): Promise<Outcome> {
    return this.withApplied(application, serverName, async (m, id) => ok(`${id}: config written to ${m.layout.configFile}`));
  }

  /** Node.notifyServer: `command` to the server's AdminObj; refused while it is not running (as officially). */
  async notify(application: string, serverName: string, command: string): Promise<Outcome> {
    const id = `${application}.${serverName}`;
    const m = this.byId.get(id);
    if (!m) return failed(`${id} is not deployed on node ${this.nodeName}`);
    const state = m.process.snapshot().state;
    if (state === ServerState.Inactive || state === ServerState.Destroying || state === ServerState.Destroyed) {
      return failed(`${id} is ${serverStateName(state)}: start it first`);
    }
    try {
      const proxy = this.options.communicator.stringToProxy(AdminF.AdminFProxy, `AdminObj@${m.local}`);
      const {ret} = await proxy.notify(command, {timeout: 5000});
      return ok(ret);
    } catch (error) {
      return failed(`${id} did not answer ${command}: ${(error as Error).message}`);
    }
  }

  /** The log directory of a managed (or at least installed) server, and the file `file` ('' = stdout log) in it. */
  private logFile(application: string, serverName: string, file: string): {dir: string; path: string} | Outcome {
    const id = `${application}.${serverName}`;
    let layout: ServerLayout;
    try {
      layout = serverLayout(this.options.dataDir, application, serverName);
    } catch (error) {
      return failed((error as Error).message);
    }
    if (!this.byId.has(id)) return failed(`${id} is not deployed on node ${this.nodeName}`);
    if (file === '') return {dir: layout.log, path: path.join(layout.log, `${id}.stdout.log`)};
    try {
      return {dir: layout.log, path: inside(layout.log, file)};
    } catch {
      return failed(`"${file}" is not a file of ${id}'s log directory`);
    }
  }

  /** The files of a server's log directory, by name. */
  async logFiles(application: string, serverName: string): Promise<string[] | Outcome> {
    const where = this.logFile(application, serverName, '');
    if ('ret' in where) return where;
    return (await readdir(where.dir, {withFileTypes: true, recursive: true}).catch(() => [])).filter((e) => e.isFile())
      .map((e) => path.relative(where.dir, path.join(e.parentPath, e.name))).sort();
  }

  /** NodeCtl.readLog: see NodeCtl.tars. */
  async readLog(application: string, serverName: string, file: string, offset: number, lines: number,
    maxBytes: number): Promise<{outcome: Outcome; chunk?: {file: string; offset: number; nextOffset: number;
      size: number; data: string}}> {
    const where = this.logFile(application, serverName, file);
    if ('ret' in where) return {outcome: where};
    const cap = Math.min(Math.max(maxBytes, 1024), 1024 * 1024);
    let handle;
    try {
      handle = await open(where.path, 'r');
    } catch {
      const files = await this.logFiles(application, serverName);
      return {outcome: failed(`${application}.${serverName} has no log file ${path.relative(where.dir, where.path)}` +
        (Array.isArray(files) && files.length > 0 ? `; it has: ${files.join(', ')}` : ' yet'))};
    }
    try {
      const {size} = await handle.stat();
      // For lines: one byte more than the cap, so a window starting on a whole line keeps it (see lastLines).
      let start = lines > 0 ? Math.max(0, size - cap - 1) : Math.max(0, offset);
      if (start > size) start = 0; // the file was rotated: read the new one from its beginning
      const buffer = Buffer.alloc(lines > 0 ? size - start : Math.min(cap, size - start));
      const {bytesRead} = await handle.read(buffer, 0, buffer.length, start);
      let bytes = buffer.subarray(0, bytesRead);
      if (lines > 0) {
        let text = bytes.toString('utf8');
        if (start > 0) text = text.slice(text.indexOf('\n') + 1);
        const all = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
        const data = text === '' ? '' : `${all.slice(-lines).join('\n')}\n`;
        return {outcome: ok(''), chunk: {file: path.relative(where.dir, where.path), offset: size - Buffer.byteLength(data),
          nextOffset: size, size, data}};
      }
      // Whole lines only, unless one line is longer than the cap.
      const lastNewline = bytes.lastIndexOf(0x0a);
      if (lastNewline >= 0) bytes = bytes.subarray(0, lastNewline + 1);
      else if (bytes.length < cap) bytes = bytes.subarray(0, 0);
      return {outcome: ok(''), chunk: {file: path.relative(where.dir, where.path), offset: start, nextOffset: start + bytes.length,
        size, data: bytes.toString('utf8')}};
    } finally {
      await handle.close();
    }
  }

  /** NodeCtl.listManaged: every managed server's state, by name. */
  list(): {process: ServerProcess; command: string}[] {
    return [...this.byId.values()].sort((a, b) => a.process.id.localeCompare(b.process.id))
      .map((m) => ({process: m.process, command: m.process.commandLine().join(' ')}));
  }
}

function portOf(endpoint: string): number {
  try {
    return parseEndpoint(endpoint).port;
  } catch {
    return -1;
  }
}
