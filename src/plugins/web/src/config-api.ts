// A server's config files as the console shows and edits them, asked of the config center over TARS
// (tars.tarsconfig.ConfigCtlObj, resolved by name through the registry; an admin object, so the token's keys apply).
import type {Communicator} from '@tars-ts/core';
import type {ConfigCtl} from '@tars-ts/core/framework';
import {type ConfigReloadJson, reloadConfig, unifiedDiff} from '@tars-ts/kit';

import {ApiError, askService} from './api-error.js';
import {ADMIN_REG_OBJ, REGISTRY_CTL_OBJ, checkServerId} from './cluster-api.js';

const CONFIG_CTL_OBJ = 'tars.tarsconfig.ConfigCtlObj';
const FILE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const SET_ID = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_*-]+\.[A-Za-z0-9_*-]+$/;

/** Which file of a server: its name, and the level (application, server or one node's), and the SET. */
export interface ConfigFileRef {
  readonly name: string;
  /** 'app': the application's file (every server of the app may use it); 'server' (default) or 'node'. */
  readonly level: 'app' | 'server' | 'node';
  /** The node, for level 'node'. */
  readonly node: string;
  /** name.area.group, or ''. */
  readonly setId: string;
}

/** One version's metadata. */
export interface ConfigVersionJson {
  version: number;
  author: string;
  /** ms since the epoch. */
  time: number;
  comment: string;
  size: number;
}

/** GET /api/config/:app/:server: the server's files and its application's. */
export interface ConfigListJson {
  server: string;
  files: (ConfigFileRef & {current: ConfigVersionJson; references: ConfigFileRef[]})[];
}

/** POST .../files/:name/review: what a push of `content` would change, and what each instance would then load. */
export interface ConfigReviewJson {
  server: string;
  file: ConfigFileRef;
  /** The version the diff starts from (0: the file does not exist yet). */
  from: number;
  changed: boolean;
  /** Unified diff from the current version to the content ('' when equal). */
  diff: string;
  /** Each running instance the file reaches, with the merged file it would load (or why not). */
  instances: ConfigReloadJson[];
}

/** POST .../files/:name/reload: each instance's answer to tars.loadconfig. */
export interface ConfigReloadAnswerJson {
  server: string;
  file: ConfigFileRef;
  instances: ConfigReloadJson[];
}

/** POST .../files/:name/references: the file's references afterwards. */
export interface ConfigReferencesJson {
  server: string;
  file: ConfigFileRef;
  /** Whether the call changed anything (false: the reference was there already, or was not there to remove). */
  changed: boolean;
  references: ConfigFileRef[];
}

/** GET /api/config/:app/:server/files/:name: one version's content and the file's history (newest first). */
export interface ConfigFileJson {
  server: string;
  file: ConfigFileRef;
  version: number;
  content: string;
  history: ConfigVersionJson[];
}

/** POST /api/config/:app/:server/files/:name: the version stored. */
export interface ConfigPushJson {
  server: string;
  file: ConfigFileRef;
  version: number;
  author: string;
}

const LEVELS = ['app', 'server', 'node'] as const;

/**
 * The file a request names (400 BAD_REQUEST naming the fix when a part is malformed): `name` from the path, `level`,
 * `node` and `set` from the query or the body.
 */
export function configFileRef(name: string, given: {level?: unknown; node?: unknown; set?: unknown}): ConfigFileRef {
  if (!FILE_NAME.test(name) || name.includes('..')) {
    throw new ApiError(400, 'BAD_REQUEST', `"${name}" is not a config file name`,
      'a file name is letters, digits, _, - and ., e.g. app.conf');
  }
  const level = given.level ?? (given.node ? 'node' : 'server');
  if (typeof level !== 'string' || !(LEVELS as readonly string[]).includes(level)) {
    throw new ApiError(400, 'BAD_REQUEST', `level "${String(level)}" is not app, server or node`,
      'leave it out for the server\'s own file');
  }
  const node = given.node ?? '';
  if (typeof node !== 'string' || (level === 'node') !== (node !== '')) {
    throw new ApiError(400, 'BAD_REQUEST', level === 'node' ? 'a node-level file needs "node"'
      : '"node" goes only with level node', 'give node=NAME (tars node list shows the names) with level node');
  }
  const setId = given.set ?? '';
  if (typeof setId !== 'string' || (setId !== '' && !SET_ID.test(setId))) {
    throw new ApiError(400, 'BAD_REQUEST', `set "${String(setId)}" is not name.area.group`, 'e.g. set=sz.a.1, or leave it out');
  }
  return {name, level: level as ConfigFileRef['level'], node, setId};
}

/** A wire key as the console names a file (its level from which parts are set). */
function refOf(k: ConfigCtl.ConfigFileKey): ConfigFileRef {
  return {name: k.name, level: k.server === '' ? 'app' : k.node === '' ? 'server' : 'node', node: k.node, setId: k.setId};
}

function versionJson(v: ConfigCtl.ConfigVersion): ConfigVersionJson {
  return {version: v.version, author: v.author, time: Number(v.time), comment: v.comment, size: v.size};
}

/** The config center's view of one server's files. Every call without an answer rejects with a 502 ApiError. */
export class ConfigApi {
  /** @param communicator with the registry as its locator; @param timeoutMs each call's timeout */
  constructor(private readonly communicator: Communicator, private readonly timeoutMs: number) {}

  private async ctl(): Promise<ConfigCtl.ConfigCtlProxy> {
    const {ConfigCtl: C} = await import('@tars-ts/core/framework');
    return this.communicator.stringToProxy(C.ConfigCtlProxy, CONFIG_CTL_OBJ, {timeout: this.timeoutMs});
  }

  private ask<T>(call: () => Promise<T>): Promise<T> {
    return askService('the config center (ConfigCtlObj)', call,
      'is it running? tars cluster status (or tars config status) says');
  }


  private static async key(application: string, serverName: string, f: ConfigFileRef): Promise<ConfigCtl.ConfigFileKey> {
    const {ConfigCtl: C} = await import('@tars-ts/core/framework');
    return C.ConfigFileKey.create({app: application, server: f.level === 'app' ? '' : serverName, node: f.node,
      setId: f.setId, name: f.name});
  }

  /** The server's files (server and node level) and its application's (app level), by level then name. */
  async list(application: string, serverName: string): Promise<ConfigListJson> {
    checkServerId(application, serverName);
    const ctl = await this.ctl();
    const {files} = await this.ask(() => ctl.list(application, ''));
    const mine = files.filter((f) => f.file.server === '' || f.file.server === serverName);
    return {server: `${application}.${serverName}`, files: mine.map((f) => ({...refOf(f.file),
      current: versionJson(f.current), references: (f.references ?? []).map(refOf)}))};
  }

  /** One version (the newest when `version` is undefined) and the history; 404 NO_CONFIG when there is no such file. */
  async file(application: string, serverName: string, f: ConfigFileRef, version?: number): Promise<ConfigFileJson> {
    checkServerId(application, serverName);
    const ctl = await this.ctl();
    const key = await ConfigApi.key(application, serverName, f);
    const history = await this.ask(() => ctl.history(key));
    if (history.ret !== 0 || history.versions.length === 0) {
      throw new ApiError(404, 'NO_CONFIG', history.result || `${application}.${serverName} has no config file ${f.name}`,
        `GET /api/config/${application}/${serverName} lists its files`);
    }
    const versions = history.versions.map(versionJson).sort((a, b) => b.version - a.version);
    const wanted = version ?? versions[0]!.version;
    const got = await this.ask(() => ctl.get(key, wanted));
    if (got.ret !== 0) {
      throw new ApiError(404, 'NO_CONFIG', got.result, `the versions are ${versions.map((v) => v.version).join(', ')}`);
    }
    return {server: `${application}.${serverName}`, file: f, version: got.v.version, content: got.v.content,
      history: versions};
  }

  /** Stores `content` as the next version (a new file when there is none); 400 BAD_CONFIG with the refusal. */
  async push(application: string, serverName: string, f: ConfigFileRef, content: string, comment: string,
    author: string): Promise<ConfigPushJson> {
    checkServerId(application, serverName);
    const ctl = await this.ctl();
    const key = await ConfigApi.key(application, serverName, f);
    const {ret, version, result} = await this.ask(() => ctl.push(key, content, author, comment));
    if (ret !== 0) {
      throw new ApiError(400, 'BAD_CONFIG', `the config center refused ${f.name}: ${result}`, 'fix what it names and push again');
    }
    return {server: `${application}.${serverName}`, file: f, version, author};
  }

  private async registryProxies(): Promise<{registryCtl: import('@tars-ts/core/framework').RegistryCtl.RegistryCtlProxy;
    adminReg: import('@tars-ts/core/framework').AdminReg.AdminRegProxy}> {
    const {RegistryCtl, AdminReg} = await import('@tars-ts/core/framework');
    return {registryCtl: this.communicator.stringToProxy(RegistryCtl.RegistryCtlProxy, REGISTRY_CTL_OBJ,
      {timeout: this.timeoutMs}),
    // a server's tars.loadconfig waits for the config center and its own reload: give it the node's time
    adminReg: this.communicator.stringToProxy(AdminReg.AdminRegProxy, ADMIN_REG_OBJ, {timeout: 30_000})};
  }

  /**
   * What pushing `content` would do: the diff from the current version (from version 0, everything added, for a new
   * file) and, for each running instance the file reaches, the merged file it would load. Stores nothing.
   */
  async review(application: string, serverName: string, f: ConfigFileRef, content: string): Promise<ConfigReviewJson> {
    checkServerId(application, serverName);
    const ctl = await this.ctl();
    const key = await ConfigApi.key(application, serverName, f);
    const current = await this.ask(() => ctl.get(key, 0));
    const before = current.ret === 0 ? current.v.content : '';
    const diff = unifiedDiff(before, content, current.ret === 0 ? `${f.name} version ${current.v.version}` : '/dev/null',
      `${f.name} (pushed)`);
    const {registryCtl} = await this.registryProxies();
    const instances = await this.ask(() => reloadConfig({registryCtl, configCtl: ctl}, key, {dryRun: true,
      pending: content}));
    return {server: `${application}.${serverName}`, file: f, from: current.ret === 0 ? current.v.version : 0,
      changed: diff !== '', diff, instances};
  }

  /** Tells every running instance the file reaches to load it again (tars.loadconfig); each one's answer. */
  async reload(application: string, serverName: string, f: ConfigFileRef): Promise<ConfigReloadAnswerJson> {
    checkServerId(application, serverName);
    const key = await ConfigApi.key(application, serverName, f);
    const ctl = await this.ctl();
    const history = await this.ask(() => ctl.history(key));
    if (history.ret !== 0 || history.versions.length === 0) {
      throw new ApiError(404, 'NO_CONFIG', `${application}.${serverName} has no config file ${f.name} to reload`,
        `GET /api/config/${application}/${serverName} lists its files`);
    }
    const {registryCtl, adminReg} = await this.registryProxies();
    const instances = await this.ask(() => reloadConfig({registryCtl, adminReg}, key, {dryRun: false}));
    return {server: `${application}.${serverName}`, file: f, instances};
  }

  /**
   * Adds (or with `remove`, removes) the reference from file `f` to `target` (both of this server or its application);
   * 400 BAD_CONFIG with the config center's refusal (a file that does not exist, a cycle).
   */
  async reference(application: string, serverName: string, f: ConfigFileRef, target: ConfigFileRef,
    remove: boolean): Promise<ConfigReferencesJson> {
    checkServerId(application, serverName);
    const ctl = await this.ctl();
    const [key, targetKey] = await Promise.all([ConfigApi.key(application, serverName, f),
      ConfigApi.key(application, serverName, target)]);
    let changed = true;
    if (remove) {
      const r = await this.ask(() => ctl.removeReference(key, targetKey));
      if (r.ret !== 0) throw new ApiError(400, 'BAD_CONFIG', `the config center refused: ${r.result}`, 'nothing was changed');
      changed = r.removed;
    } else {
      const r = await this.ask(() => ctl.addReference(key, targetKey));
      if (r.ret !== 0) {
        throw new ApiError(400, 'BAD_CONFIG', `the config center refused the reference: ${r.result}`,
          'both files must exist and a reference may not close a cycle');
      }
    }
    const list = await this.list(application, serverName);
    const mine = list.files.find((x) => x.name === f.name && x.level === f.level && x.node === f.node &&
      x.setId === f.setId);
    return {server: list.server, file: f, changed, references: mine?.references ?? []};
  }
}
