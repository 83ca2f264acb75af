// Interop: the official Node client (@tars/rpc 2.0.15 over @tars/stream 2.0.3) calling our PatchObj through a
// hand-written proxy in the shape tars2node generates for Patch.tars (tars2node is not on npm): listFileInfo of a
// version's file and its download chunk by chunk, as an official node would, byte for byte and md5 for md5.
/* eslint-disable @typescript-eslint/no-explicit-any */
import {expect} from 'chai';
import {randomBytes} from 'node:crypto';

import {TarsStream, destroyOfficialClient, officialClient} from '../../../../test/support/rpc-oracle.js';
import {type TestPatchServer, md5, startPatchServer, tgz, uploadBytes} from './fixtures.js';

// ---- what tars2node would generate for Patch.tars (module tars): struct FileInfo and PatchProxy ---------------------

/** struct tars::FileInfo, as tars2node writes it. */
class FileInfo {
  static readonly _classname = 'tars.FileInfo';
  _classname = 'tars.FileInfo';
  path = '';
  size = 0;
  canExec = false;
  md5 = '';

  static _write(os: any, tag: number, value: FileInfo): void {
    os.writeStruct(tag, value);
  }

  static _read(is: any, tag: number, def: any): FileInfo {
    return is.readStruct(tag, true, def);
  }

  static _readFrom(is: any): FileInfo {
    const tmp = new FileInfo();
    tmp.path = is.readString(0, true, '');
    tmp.size = is.readInt32(1, true, 0);
    tmp.canExec = is.readBoolean(2, true, false);
    tmp.md5 = is.readString(3, false, '');
    return tmp;
  }

  _writeTo(os: any): void {
    os.writeString(0, this.path);
    os.writeInt32(1, this.size);
    os.writeBoolean(2, this.canExec);
    os.writeString(3, this.md5);
  }

  static new(): FileInfo {
    return new FileInfo();
  }

  static create(is: any): FileInfo {
    return FileInfo._readFrom(is);
  }
}

/** The proxy tars2node generates for Patch (TARS v1). */
class PatchProxy {
  _name: any = undefined;
  _worker: any = undefined;

  private $invoke(func: string, write: (os: any) => void, read: (is: any) => any): Promise<any> {
    const os = new TarsStream.TarsOutputStream();
    write(os);
    return this._worker.tars_invoke(func, os.getBinBuffer()).then((data: any) => {
      const is = new TarsStream.TarsInputStream(data.response.sBuffer);
      return {return: is.readInt32(0, true, 0), arguments: read(is)};
    }, (data: any) => {
      throw Object.assign(new Error(`Call Patch::${func} failed`), {response: {error: data.error}});
    });
  }

  listFileInfo(path: string): Promise<any> {
    return this.$invoke('listFileInfo', (os) => os.writeString(1, path),
      (is) => ({vf: is.readList(2, true, TarsStream.List(FileInfo))}));
  }

  download(file: string, pos: number): Promise<any> {
    return this.$invoke('download', (os) => {
      os.writeString(1, file);
      os.writeInt32(2, pos);
    }, (is) => ({vb: is.readBytes(3, true, TarsStream.BinBuffer)}));
  }
}

describe('patch interop: the official @tars/rpc client downloads from our PatchObj', function () {
  this.timeout(30_000);
  let s: TestPatchServer;
  let comm: any;
  let proxy: PatchProxy;
  let bytes: Buffer;
  let file: string;

  before(async () => {
    s = await startPatchServer({'chunk-size': 10_000});
    bytes = tgz([{path: 'index.js', content: 'console.log(1)\n'}, {path: 'blob.bin', content: randomBytes(35_000)}]);
    await uploadBytes(s.patch, 'TestApp', 'Interop', 'i.tgz', bytes);
    const r = await s.ctl.commitUpload('TestApp', 'Interop', 'i.tgz', '', 'tester');
    expect(r.ret, r.result).to.equal(0);
    file = r.version.file;
    comm = officialClient(5000);
    proxy = comm.stringToProxy(PatchProxy, `tars.tarspatch.PatchObj@${s.endpoint}`);
  });

  after(async () => {
    if (comm) destroyOfficialClient(comm);
    await s?.close();
  });

  it('listFileInfo of a version\'s file: ret 1, its name, size and md5', async () => {
    const r = await proxy.listFileInfo(file);
    expect(r.return).to.equal(1);
    const [info] = r.arguments.vf.toObject() as {path: string; size: number; canExec: boolean; md5: string}[];
    expect(info).to.deep.include({path: 'TestApp.Interop_1.tgz', size: bytes.length, canExec: false, md5: md5(bytes)});
  });

  it('download chunk by chunk until ret 1: the same bytes', async () => {
    const parts: Buffer[] = [];
    let pos = 0;
    for (let calls = 0; calls < 100; calls++) {
      const r = await proxy.download(file, pos);
      if (r.return === 1) break;
      expect(r.return).to.equal(0);
      const chunk = r.arguments.vb.toNodeBuffer() as Buffer;
      expect(chunk.length).to.be.within(1, 10_000);
      parts.push(chunk);
      pos += chunk.length;
    }
    expect(parts.length).to.equal(Math.ceil(bytes.length / 10_000));
    expect(md5(Buffer.concat(parts))).to.equal(md5(bytes));
    expect((await proxy.download('../patch.db', 0)).return).to.equal(-1);
  });
});
