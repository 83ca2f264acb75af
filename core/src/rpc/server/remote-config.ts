// Config files from the config center (framework.md 2.4 "client side", 3.6): `app.addConfig(name)` fetches a file
// into the server's base path at start and again on `tars.loadconfig name`, keeping backups, falling back to the
// local copy when the config center is away, and telling the service's listeners about new content.
import {copyFileSync, existsSync, readFileSync, renameSync, writeFileSync} from 'node:fs';
import path from 'node:path';

import {TarsError} from '../../errors/index.js';
import {ConfigInfo, ConfigProxy} from '../../framework/ConfigFTars.js';
import type {Communicator} from '../client/communicator.js';
import type {Logger} from '../logger.js';

/** How many previous versions of a fetched file are kept (`<file>.1.bak` newest ... `<file>.5.bak`), as TarsCpp. */
export const CONFIG_BACKUPS = 5;
/** Attempts per fetch before falling back to the local copy (TarsCpp: 2). */
const ATTEMPTS = 2;

/** Called with a file's new content once it is written to the base path. */
export type ConfigListener = (content: string, name: string) => void | Promise<void>;

/** Where a file's content came from. */
export type ConfigSource = 'center' | 'local';

/** What {@link RemoteConfig} needs of its server. */
export interface RemoteConfigOptions {
  readonly communicator: Communicator;
  /** `<server> config`: the config center's object, e.g. `tars.tarsconfig.ConfigObj`. */
  readonly configObj?: string;
  readonly app: string;
  readonly server: string;
  /** Where fetched files are written (`<server> basepath`). */
  readonly basepath: string;
  /**
   * The node the server runs on (`<server> node_name`, as TarsGo reads it; the node writes it): sent as the
   * `node_name` context, by which the config center picks node-level files (without it, the caller's IP).
   */
  readonly nodeName?: string;
  /** The server's SET (`name.area.group`) when it runs in one: then files are fetched with loadConfigByInfo. */
  readonly setdivision?: string;
  readonly logger: Logger;
  /** Timeout of each fetch, ms (default 3000). */
  readonly timeoutMs?: number;
}

/** A plain file name (the config center's rule: no path, no `..`). */
function checkName(name: string): string {
  const n = name.trim();
  if (!n || n.includes('/') || n.includes('\\') || n.startsWith('.') || n.includes('\0')) {
    throw new TarsError('CONFIG_INVALID', `"${name}" is not a config file name (a plain name, no path)`);
  }
  return n;
}

/**
 * The config files a server takes from the config center. Each {@link add}ed name is fetched (loadConfig, or
 * loadConfigByInfo with the server's SET), written to `basepath/name` (the previous content kept as
 * `name.1.bak` ... `name.5.bak`, newest first, only when it changed), and its listeners called. When the config
 * center cannot be reached or has no such file, the local copy is used if there is one (a warning), else the call
 * fails. {@link reload} is what `tars.loadconfig name` runs.
 */
export class RemoteConfig {
  private readonly listeners = new Map<string, ConfigListener[]>();

  constructor(private readonly options: RemoteConfigOptions) {}

  /** The names added so far. */
  get names(): string[] {
    return [...this.listeners.keys()];
  }

  /**
   * Fetches `name` now (see the class), remembers it for {@link reload}, and registers `listener` for later
   * reloads (it is also called now with the content). Resolves with the content and where it came from.
   */
  async add(name: string, listener?: ConfigListener): Promise<{content: string; source: ConfigSource}> {
    const n = checkName(name);
    const list = this.listeners.get(n) ?? [];
    if (listener) list.push(listener);
    this.listeners.set(n, list);
    const got = await this.fetch(n);
    if (listener) await listener(got.content, n);
    return got;
  }

  /** `tars.loadconfig name`: fetched again, written, every listener of `name` called; the admin command's answer. */
  async reload(name: string): Promise<string> {
    let n: string;
    try {
      n = checkName(name);
    } catch (error) {
      return `error: ${(error as Error).message}`;
    }
    if (!this.options.configObj) return 'error: no config center is configured (<server> config = tars.tarsconfig.ConfigObj)';
    let got: {content: string; source: ConfigSource; why?: string};
    try {
      got = await this.fetch(n);
    } catch (error) {
      return `error: ${(error as Error).message}`;
    }
    if (got.source === 'local') return `error: the config center did not give ${n} (${got.why}); the local copy stays`;
    const failures: string[] = [];
    for (const listener of this.listeners.get(n) ?? []) {
      try {
        await listener(got.content, n);
      } catch (error) {
        failures.push((error as Error).message);
      }
    }
    const target = path.join(this.options.basepath, n);
    return `loaded config ${n} (${Buffer.byteLength(got.content)} bytes) to ${target}` +
      (failures.length > 0 ? `; a listener failed: ${failures.join('; ')}` : '');
  }

  private async fromCenter(name: string): Promise<string> {
    const {configObj, app, server, setdivision, communicator} = this.options;
    if (!configObj) throw new TarsError('CONFIG_INVALID', 'no config center is configured (<server> config)');
    const proxy = communicator.stringToProxy(ConfigProxy, configObj, {timeout: this.options.timeoutMs ?? 3000});
    const call = this.options.nodeName ? {context: {node_name: this.options.nodeName}} : {};
    let last: unknown;
    for (let i = 0; i < ATTEMPTS; i++) {
      try {
        const {ret, config} = setdivision
          ? await proxy.loadConfigByInfo(ConfigInfo.create({appname: app, servername: server, filename: name,
            setdivision}), call)
          : await proxy.loadConfig(app, server, name, call);
        if (ret !== 0) throw new TarsError('CONFIG_INVALID', `the config center answered ${ret} for ${name}`);
        return config;
      } catch (error) {
        last = error;
      }
    }
    throw last;
  }

  private async fetch(name: string): Promise<{content: string; source: ConfigSource; why?: string}> {
    const target = path.join(this.options.basepath, name);
    let content: string;
    try {
      content = await this.fromCenter(name);
    } catch (error) {
      if (!existsSync(target)) {
        throw new TarsError('CONFIG_INVALID', `${name}: the config center did not give it (${(error as Error).message}) ` +
          'and there is no local copy', {}, {cause: error});
      }
      this.options.logger.warn(`${name}: the config center did not give it (${(error as Error).message}); using the ` +
        `local copy ${target}`);
      return {content: readFileSync(target, 'utf8'), source: 'local', why: (error as Error).message};
    }
    this.write(target, content);
    return {content, source: 'center'};
  }

  /** Writes `content` to `target` (whole or not at all), rotating the backups first when it differs. */
  private write(target: string, content: string): void {
    if (existsSync(target)) {
      if (readFileSync(target, 'utf8') === content) return;
      for (let i = CONFIG_BACKUPS - 1; i >= 1; i--) {
        const from = `${target}.${i}.bak`;
        if (existsSync(from)) renameSync(from, `${target}.${i + 1}.bak`);
      }
      copyFileSync(target, `${target}.1.bak`);
    }
    const temp = `${target}.tmp-${process.pid}`;
    writeFileSync(temp, content);
    renameSync(temp, target);
  }
}
