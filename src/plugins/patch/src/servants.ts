// tars.tarspatch servants: PatchObj (the official Patch interface: what nodes download from and what uploads go
// through) and PatchCtlObj (this toolkit's PatchCtl: versions). Both over one PatchBackend: PatchService (files in
// the data directory) or SharedPatchService (files in a store several instances share).
import {Patch, PatchCtl} from '@tars-ts/core/framework';

import {type PatchBackend, PatchRefused} from './patch-service.js';
import type {VersionRow} from './repository.js';

/** The official object name of the Patch servant. */
export const PATCH_OBJ = 'tars.tarspatch.PatchObj';
/** This toolkit's control servant, next to it. */
export const PATCH_CTL_OBJ = 'tars.tarspatch.PatchCtlObj';

type P = Patch.Patch$Results;
type C = PatchCtl.PatchCtl$Results;

export class PatchObjServant extends Patch.PatchServant {
  constructor(private readonly service: PatchBackend) {
    super();
  }

  async listFileInfo(path: string): Promise<P['listFileInfo']> {
    const {ret, files} = await this.service.listFileInfo(path);
    return {ret, vf: files.map((f) => Patch.FileInfo.create(f))};
  }

  async download(file: string, pos: number): Promise<P['download']> {
    const {ret, bytes} = await this.service.download(file, pos);
    return {ret, vb: bytes};
  }

  preparePatchFile(app: string, serverName: string, patchFile: string): Promise<P['preparePatchFile']> {
    return this.service.preparePatchFile(app, serverName, patchFile);
  }

  async deletePatchFile(app: string, serverName: string, patchFile: string): Promise<P['deletePatchFile']> {
    return {ret: await this.service.deleteUpload(app, serverName, patchFile)};
  }

  async upload(app: string, serverName: string, content: Patch.FileContent): Promise<P['upload']> {
    return {ret: await this.service.upload(app, serverName, content)};
  }
}

/** A version as PatchCtl sends it. */
export function wireVersion(v: VersionRow): PatchCtl.PatchVersion {
  return PatchCtl.PatchVersion.create({application: v.app, serverName: v.server, version: String(v.version), md5: v.md5,
    size: BigInt(v.size), file: v.file, uploader: v.uploader, uploadedAt: BigInt(v.uploadedAt), comment: v.comment,
    tarsFiles: [...v.tarsFiles.keys()], files: v.files, unpackedBytes: BigInt(v.unpackedBytes)});
}

/** A refusal's message for `result` (ret -1); anything else is a real failure and propagates. */
async function refusing<T extends {ret: number; result: string}>(empty: Omit<T, 'ret' | 'result'>,
  work: () => Promise<Omit<T, 'ret' | 'result'>>): Promise<T> {
  try {
    return {ret: 0, result: '', ...await work()} as T;
  } catch (error) {
    if (error instanceof PatchRefused) return {ret: -1, result: error.message, ...empty} as T;
    throw error;
  }
}

export class PatchCtlServant extends PatchCtl.PatchCtlServant {
  constructor(private readonly service: PatchBackend) {
    super();
  }

  commitUpload(application: string, serverName: string, name: string, comment: string, uploader: string):
    Promise<C['commitUpload']> {
    return refusing<C['commitUpload']>({version: PatchCtl.PatchVersion.create()}, async () =>
      ({version: wireVersion(await this.service.commit(application, serverName, name, comment, uploader))}));
  }

  async listVersions(application: string, serverName: string): Promise<C['listVersions']> {
    return {ret: 0, versions: (await this.service.list(application, serverName)).map(wireVersion)};
  }

  getVersion(application: string, serverName: string, version: string): Promise<C['getVersion']> {
    return refusing<C['getVersion']>({v: PatchCtl.PatchVersion.create()}, async () =>
      ({v: wireVersion(await this.service.version(application, serverName, version))}));
  }

  removeVersion(application: string, serverName: string, version: string): Promise<C['removeVersion']> {
    return refusing<C['removeVersion']>({}, async () => {
      await this.service.remove(application, serverName, version);
      return {};
    });
  }

  getInterface(application: string, serverName: string, version: string): Promise<C['getInterface']> {
    return refusing<C['getInterface']>({files: new Map()}, async () =>
      ({files: new Map((await this.service.version(application, serverName, version)).tarsFiles)}));
  }
}
