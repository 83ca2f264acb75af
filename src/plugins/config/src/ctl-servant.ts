// tars.tarsconfig.ConfigCtlObj: this toolkit's control interface of the config center (core/framework/idl/
// ConfigCtl.tars), what `tars config push|get|list|history|diff|rollback|ref` call. A refused write answers -1
// with one line saying what is wrong; nothing is stored.
import {ConfigCtl} from '@tars-ts/core/framework';

import {ConfigRefused, type ConfigService} from './config-service.js';
import {type FileKey, type FileRow, type VersionRow, keyProblem, splitSet} from './rows.js';

type R = ConfigCtl.ConfigCtl$Results;

/** The official-style object name of the control servant. */
export const CONFIG_CTL_OBJ = 'tars.tarsconfig.ConfigCtlObj';

function keyOf(k: ConfigCtl.ConfigFileKey): FileKey {
  return {app: k.app, server: k.server, node: k.node, setId: k.setId, name: k.name};
}

function wireKey(k: FileKey): ConfigCtl.ConfigFileKey {
  return ConfigCtl.ConfigFileKey.create({app: k.app, server: k.server, node: k.node, setId: k.setId, name: k.name});
}

function wireVersion(v: VersionRow, withContent: boolean): ConfigCtl.ConfigVersion {
  return ConfigCtl.ConfigVersion.create({version: v.version, author: v.author, time: BigInt(v.time),
    comment: v.comment, size: Buffer.byteLength(v.content, 'utf8'), content: withContent ? v.content : ''});
}

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** A refusal's message for `result`; anything else is a real failure and propagates. */
async function refusing<T extends {ret: number; result: string}>(empty: Omit<T, 'ret' | 'result'>,
  work: () => Promise<Omit<T, 'ret' | 'result'>>): Promise<T> {
  try {
    return {ret: 0, result: '', ...await work()} as T;
  } catch (error) {
    if (error instanceof ConfigRefused) return {ret: -1, result: error.message, ...empty} as T;
    throw error;
  }
}

export class ConfigCtlServant extends ConfigCtl.ConfigCtlServant {
  constructor(private readonly service: ConfigService) {
    super();
  }

  push(file: ConfigCtl.ConfigFileKey, content: string, author: string, comment: string): Promise<R['push']> {
    return refusing<R['push']>({version: 0}, async () =>
      ({version: await this.service.push(keyOf(file), content, author, comment)}));
  }

  get(file: ConfigCtl.ConfigFileKey, version: number): Promise<R['get']> {
    return refusing<R['get']>({v: ConfigCtl.ConfigVersion.create()}, async () =>
      ({v: wireVersion(await this.service.version(keyOf(file), version), true)}));
  }

  async list(app: string, server: string): Promise<R['list']> {
    const snap = await this.service.fresh();
    const entry = (f: FileRow) => ConfigCtl.ConfigFileEntry.create({file: wireKey(f.key), level: f.level,
      current: wireVersion(f, false), references: snap.referencesOf(f.id).map((r) => wireKey(r.key))});
    const files = snap.files.filter((f) => (app === '' || f.key.app === app) && (server === '' || f.key.server === server))
      .slice().sort((a, b) => byText(a.key.app, b.key.app) || byText(a.key.server, b.key.server) ||
        byText(a.key.node, b.key.node) || byText(a.key.setId, b.key.setId) || byText(a.key.name, b.key.name));
    return {ret: 0, files: files.map(entry)};
  }

  history(file: ConfigCtl.ConfigFileKey): Promise<R['history']> {
    return refusing<R['history']>({versions: []}, async () =>
      ({versions: (await this.service.history(keyOf(file))).map((v) => wireVersion(v, false))}));
  }

  rollback(file: ConfigCtl.ConfigFileKey, version: number, author: string, comment: string): Promise<R['rollback']> {
    return refusing<R['rollback']>({newVersion: 0}, async () =>
      ({newVersion: await this.service.rollback(keyOf(file), version, author, comment)}));
  }

  addReference(file: ConfigCtl.ConfigFileKey, target: ConfigCtl.ConfigFileKey): Promise<R['addReference']> {
    return refusing<R['addReference']>({}, async () => {
      await this.service.addReference(keyOf(file), keyOf(target));
      return {};
    });
  }

  removeReference(file: ConfigCtl.ConfigFileKey, target: ConfigCtl.ConfigFileKey): Promise<R['removeReference']> {
    return refusing<R['removeReference']>({removed: false}, async () =>
      ({removed: await this.service.removeReference(keyOf(file), keyOf(target))}));
  }

  async resolve(app: string, server: string, node: string, setId: string, name: string,
    pending: ConfigCtl.ConfigFileKey, pendingContent: string): Promise<R['resolve']> {
    const probe: FileKey = {app, server, node: '', setId, name};
    const problem = keyProblem(probe) ?? (setId !== '' && !splitSet(setId) ? `set "${setId}" is not name.area.group` : undefined);
    if (problem) return {ret: -1, config: '', result: problem};
    let snap = await this.service.fresh();
    if (pending.name !== '') snap = snap.withContent(keyOf(pending), pendingContent);
    const r = server === '' ? snap.appByInfo(app, name, setId) : snap.hostByInfo(app, server, name, node, setId);
    return {ret: r.ret, config: r.config, result: ''};
  }
}
