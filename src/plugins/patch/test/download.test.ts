// Patch.listFileInfo and Patch.download as a node uses them: a version's file listed (ret 1, size and md5), read in
// chunks of at most --chunk-size from any offset (a broken transfer resumes where it stopped), ret 1 at and after
// the end; paths that leave the package root are refused with -1, also through a symbolic link.
import {expect} from 'chai';
import {randomBytes} from 'node:crypto';
import {mkdirSync, symlinkSync, writeFileSync} from 'node:fs';
import path from 'node:path';

import {type TestPatchServer, md5, startPatchServer, tgz, uploadBytes} from './fixtures.js';

const CHUNK = 4096;

for (const on of ['disk', 'postgres'] as const) describe(`patch: listFileInfo and download (${on})`, function () {
  this.timeout(30_000);
  let s: TestPatchServer;
  let bytes: Buffer;
  let file: string;

  before(async () => {
    s = await startPatchServer({'chunk-size': CHUNK}, on);
    bytes = tgz([{path: 'index.js', content: 'console.log(1)\n'}, {path: 'data.bin', content: randomBytes(3 * CHUNK + 123)}]);
    await uploadBytes(s.patch, 'TestApp', 'Dl', 'dl.tgz', bytes, {chunk: 1000});
    const r = await s.ctl.commitUpload('TestApp', 'Dl', 'dl.tgz', '', 'tester');
    expect(r.ret, r.result).to.equal(0);
    file = r.version.file;
  });

  after(async () => {
    await s?.close();
  });

  it('lists a version\'s file: ret 1, its bare name, size and md5', async () => {
    const {ret, vf} = await s.patch.listFileInfo(file);
    expect(ret).to.equal(1);
    expect(vf).to.have.length(1);
    expect(vf[0]).to.include({path: 'TestApp.Dl_1.tgz', size: bytes.length, canExec: false, md5: md5(bytes)});
  });

  it('lists a directory: ret 0, every regular file below it with a path from it', async () => {
    const {ret, vf} = await s.patch.listFileInfo('/TestApp');
    expect(ret).to.equal(0);
    expect(vf.map((f) => [f.path, f.size])).to.deep.equal([['/Dl/TestApp.Dl_1.tgz', bytes.length]]);
  });

  it('downloads in chunks of at most --chunk-size, then ret 1 at the end', async () => {
    const parts: Buffer[] = [];
    let pos = 0;
    for (let calls = 0; calls < 1000; calls++) {
      const {ret, vb} = await s.patch.download(file, pos);
      if (ret === 1) {
        expect(vb.length).to.equal(0);
        break;
      }
      expect(ret).to.equal(0);
      expect(vb.length).to.be.within(1, CHUNK);
      parts.push(Buffer.from(vb));
      pos += vb.length;
    }
    expect(Buffer.concat(parts).equals(bytes)).to.equal(true);
    expect(parts.slice(0, -1).every((p) => p.length === CHUNK)).to.equal(true);
    expect((await s.patch.download(file, bytes.length + 10)).ret, 'after the end').to.equal(1);
  });

  it('resumes from an offset: what a broken transfer had is completed byte for byte', async () => {
    const had = bytes.subarray(0, CHUNK + 77);
    const parts: Buffer[] = [had];
    let pos = had.length;
    for (let calls = 0; calls < 1000; calls++) {
      const {ret, vb} = await s.patch.download(file, pos);
      if (ret === 1) break;
      parts.push(Buffer.from(vb));
      pos += vb.length;
    }
    expect(md5(Buffer.concat(parts))).to.equal(md5(bytes));
  });

  it('refuses paths that leave the package root, a missing file, and a negative offset', async () => {
    for (const bad of ['../patch.db', '/../patch.db', '/TestApp/../../patch.db', '..']) {
      expect((await s.patch.listFileInfo(bad)).ret, bad).to.equal(-1);
      expect((await s.patch.download(bad, 0)).ret, bad).to.equal(-1);
    }
    // An absolute path is taken below the root, as the official does: /etc/passwd is not the system's.
    expect((await s.patch.download('/etc/passwd', 0)).ret).to.equal(-1);
    expect((await s.patch.download('/TestApp/Dl/none.tgz', 0)).ret).to.equal(-1);
    expect((await s.patch.download(file, -1)).ret).to.equal(-2);
  });

  // The data directory's packages/ is the root of a patch server on disk only.
  if (on === 'disk') it('refuses a symbolic link inside the root that points out of it', async () => {
    const outside = path.join(s.dir, 'secret.txt');
    writeFileSync(outside, 'secret');
    mkdirSync(path.join(s.dir, 'packages', 'Evil'), {recursive: true});
    symlinkSync(outside, path.join(s.dir, 'packages', 'Evil', 'link.txt'));
    symlinkSync(s.dir, path.join(s.dir, 'packages', 'Evil', 'dir'));
    expect((await s.patch.download('/Evil/link.txt', 0)).ret).to.equal(-1);
    expect((await s.patch.listFileInfo('/Evil/link.txt')).ret).to.equal(-1);
    expect((await s.patch.download('/Evil/dir/patch.db', 0)).ret).to.equal(-1);
    expect((await s.patch.listFileInfo('/Evil/dir')).ret).to.equal(-1);
  });

  it('getVersion by number or as latest, and a clear result for one that does not exist', async () => {
    expect((await s.ctl.getVersion('TestApp', 'Dl', '1')).v.md5).to.equal(md5(bytes));
    expect((await s.ctl.getVersion('TestApp', 'Dl', '')).v.version).to.equal('1');
    const noInterface = await s.ctl.getInterface('TestApp', 'Dl', '9');
    expect([noInterface.ret, noInterface.files.size]).to.deep.equal([-1, 0]);
    expect((await s.ctl.getInterface('TestApp', 'Dl', '1')).files.size, 'a package without .tars files').to.equal(0);
    const none = await s.ctl.getVersion('TestApp', 'Dl', '9');
    expect([none.ret, none.result]).to.deep.equal([-1, 'TestApp.Dl has no version 9 (tars patch list TestApp.Dl)']);
  });

  it('preparePatchFile copies an upload where the official puts it; deletePatchFile removes an upload', async () => {
    await uploadBytes(s.patch, 'TestApp', 'Dl', 'next.tgz', bytes);
    const r = await s.patch.preparePatchFile('TestApp', 'Dl', 'next.tgz');
    expect([r.ret, r.result]).to.deep.equal([0, '']);
    const listed = await s.patch.listFileInfo('/TARSBatchPatching/TestApp/Dl/TestApp.Dl.tgz');
    expect([listed.ret, listed.vf[0]?.md5]).to.deep.equal([1, md5(bytes)]);
    expect((await s.patch.preparePatchFile('TestApp', 'Dl', 'none.tgz')).ret).to.equal(-1);
    expect((await s.patch.deletePatchFile('TestApp', 'Dl', 'next.tgz')).ret).to.equal(0);
    expect((await s.patch.deletePatchFile('TestApp', 'Dl', 'next.tgz')).ret).to.equal(-1);
  });

  it('the first chunk of a file already uploaded complete with the same md5 answers 1', async () => {
    expect(await uploadBytes(s.patch, 'TestApp', 'Dl', 'again.tgz', bytes, {chunk: bytes.length})).to.deep.equal([0]);
    expect(await uploadBytes(s.patch, 'TestApp', 'Dl', 'again.tgz', bytes, {chunk: 1000, stopAfter: 1}))
      .to.deep.equal([1]);
    expect((await s.patch.deletePatchFile('TestApp', 'Dl', 'again.tgz')).ret).to.equal(0);
  });
});

for (const on of ['disk', 'postgres'] as const) describe(`patch: one upload committed twice at once (${on})`, function () {
  this.timeout(30_000);

  it('becomes one version; the other commit is told there is no upload', async () => {
    const s = await startPatchServer({}, on);
    try {
      const bytes = tgz([{path: 'index.js', content: 'console.log(1)\n'}]);
      await uploadBytes(s.patch, 'TestApp', 'Twice', 'x.tgz', bytes);
      const both = await Promise.all([s.ctl.commitUpload('TestApp', 'Twice', 'x.tgz', '', 'a'),
        s.ctl.commitUpload('TestApp', 'Twice', 'x.tgz', '', 'b')]);
      expect(both.map((r) => r.ret).sort()).to.deep.equal([-1, 0]);
      expect(both.find((r) => r.ret === -1)!.result).to.contain('no upload x.tgz of TestApp.Twice');
      expect((await s.ctl.listVersions('TestApp', 'Twice')).versions).to.have.length(1);
      expect(await s.files()).to.deep.equal(['packages/TestApp/Twice/TestApp.Twice_1.tgz']);
    } finally {
      await s.close();
    }
  });
});
