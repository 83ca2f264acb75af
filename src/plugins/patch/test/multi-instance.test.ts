// Two patch servers as real processes (`tars patch start --db postgres://...`) on one throwaway PostgreSQL database,
// as TARS runs several instances of a base service behind one object name: a package uploaded through one is
// downloaded through the other with the md5 it was uploaded with (also when the chunks of one upload go to both);
// uploads through both at once each become a whole version, and one upload committed through both becomes one; kill
// -9 of the instance taking an upload, or committing one, leaves no package half visible.
import {expect} from 'chai';
import {type ChildProcess, execFile} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {performance} from 'node:perf_hooks';

import {Communicator} from '@tars-ts/core';
import {Patch, PatchCtl} from '@tars-ts/core/framework';

import {endpointOf, exited, killChildren, startCliDaemon, tarsJson} from '../../../../test/support/cli-daemon.js';
import {freshDatabase} from '../../../../test/support/postgres.js';
import {md5, tgz, uploadBytes} from './fixtures.js';

const OBJ = 'tars.tarspatch.PatchObj';
const CTL = 'tars.tarspatch.PatchCtlObj';
const MiB = 1024 * 1024;

const bin = new URL('../../../../bin/dev.js', import.meta.url).pathname;

/** `tars ...args --json` in a child process (two at once cannot share this process's captured stdout); its JSON. */
function tarsChild<T>(args: string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [bin, ...args, '--json'], {timeout: 120_000, maxBuffer: 16 * MiB},
      (error, stdout, stderr) => {
        if (error) reject(new Error(`tars ${args.join(' ')}: ${error.message}\n${stderr}${stdout}`));
        else resolve(JSON.parse(stdout) as T);
      });
  });
}

interface Instance {
  child: ChildProcess;
  obj: string;
  ctl: string;
  patch: Patch.PatchProxy;
  control: PatchCtl.PatchCtlProxy;
}

describe('patch: two patch servers on one PostgreSQL database (processes)', function () {
  this.timeout(240_000);
  let dir: string;
  let url: string;
  let comm: Communicator;
  const children: ChildProcess[] = [];

  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tars-patch-multi-'));
    url = await freshDatabase('patchmulti');
    comm = new Communicator();
  });

  afterEach(async () => {
    comm.close();
    await killChildren(children);
    rmSync(dir, {recursive: true, force: true});
  });

  const start = async (name: string, extra: string[] = []): Promise<Instance> => {
    const {child, out} = await startCliDaemon(['patch', 'start', '--port', '0', '--data', path.join(dir, name),
      '--db', url, ...extra]);
    children.push(child);
    const obj = endpointOf(out, OBJ);
    const ctl = endpointOf(out, CTL);
    return {child, obj, ctl, patch: comm.stringToProxy(Patch.PatchProxy, `${OBJ}@${obj}`, {timeout: 30_000}),
      control: comm.stringToProxy(PatchCtl.PatchCtlProxy, `${CTL}@${ctl}`, {timeout: 60_000})};
  };

  /** Downloads `file` as a node does (listFileInfo, then download from 0 until ret 1): the bytes and the listed md5. */
  const download = async (patch: Patch.PatchProxy, file: string): Promise<{bytes: Buffer; md5: string}> => {
    const info = await patch.listFileInfo(file);
    expect(info.ret, `listFileInfo ${file}`).to.equal(1);
    const parts: Buffer[] = [];
    let pos = 0;
    for (let calls = 0; calls < 10_000; calls++) {
      const {ret, vb} = await patch.download(file, pos);
      if (ret === 1) break;
      expect(ret, `download ${file} at ${pos}`).to.equal(0);
      parts.push(Buffer.from(vb));
      pos += vb.length;
    }
    const bytes = Buffer.concat(parts);
    expect(bytes.length).to.equal(info.vf[0]!.size);
    return {bytes, md5: info.vf[0]!.md5};
  };

  const pkg = (bytes: number) => tgz([{path: 'index.js', content: 'console.log(1)\n'},
    {path: 'blob.bin', content: randomBytes(bytes)}]);

  it('a package uploaded through one is downloaded through the other with its md5', async () => {
    const [a, b] = [await start('a'), await start('b')];
    const bytes = pkg(16 * MiB);
    const file = path.join(dir, 'pkg.tgz');
    writeFileSync(file, bytes);
    let t = performance.now();
    const up = await tarsJson<{version: string; md5: string; file: string}>(['patch', 'upload', 'TestApp.Multi', file,
      '-e', a.obj, '--ctl-endpoint', a.ctl]);
    const upMs = performance.now() - t;
    expect([up.version, up.md5]).to.deep.equal(['1', md5(bytes)]);
    t = performance.now();
    const got = await download(b.patch, up.file);
    const downMs = performance.now() - t;
    expect([got.md5, md5(got.bytes)]).to.deep.equal([md5(bytes), md5(bytes)]);
    console.log(`      ${(bytes.length / MiB).toFixed(1)} MiB: tars patch upload through A ${upMs.toFixed(0)} ms ` +
      `(${(bytes.length / MiB / upMs * 1000).toFixed(1)} MiB/s, with the commit), download through B ` +
      `${downMs.toFixed(0)} ms (${(bytes.length / MiB / downMs * 1000).toFixed(1)} MiB/s)`);
    // Listing and the version through either; a directory listing through the other.
    const listed = await tarsJson<{versions: {version: string; md5: string}[]}>(['patch', 'list', 'TestApp.Multi',
      '-e', b.obj, '--ctl-endpoint', b.ctl]);
    expect(listed.versions.map((v) => [v.version, v.md5])).to.deep.equal([['1', md5(bytes)]]);
    const dirList = await a.patch.listFileInfo('/TestApp/Multi');
    expect(dirList.vf.map((f) => [f.path, f.size, f.md5])).to.deep.equal(
      [['/TestApp.Multi_1.tgz', bytes.length, md5(bytes)]]);

    // One upload whose chunks go to both (a proxy over both endpoints spreads its calls), committed through B.
    const spread = comm.stringToProxy(Patch.PatchProxy, `${OBJ}@${a.obj}:${b.obj}`, {timeout: 30_000});
    const second = pkg(3 * MiB);
    const rets = await uploadBytes(spread, 'TestApp', 'Multi', 'spread.tgz', second, {chunk: 256 * 1024});
    expect(rets.every((r) => r === 0), `rets ${rets}`).to.equal(true);
    const committed = await b.control.commitUpload('TestApp', 'Multi', 'spread.tgz', '', 'tester');
    expect([committed.ret, committed.version.version, committed.version.md5], committed.result)
      .to.deep.equal([0, '2', md5(second)]);
    expect(md5((await download(a.patch, committed.version.file)).bytes)).to.equal(md5(second));

    // preparePatchFile through one, listed and downloaded through the other; a removal through one is gone in both.
    await uploadBytes(a.patch, 'TestApp', 'Multi', 'prep.tgz', second);
    expect((await b.patch.preparePatchFile('TestApp', 'Multi', 'prep.tgz')).ret).to.equal(0);
    expect(md5((await download(a.patch, '/TARSBatchPatching/TestApp/Multi/TestApp.Multi.tgz')).bytes))
      .to.equal(md5(second));
    expect((await a.control.removeVersion('TestApp', 'Multi', '1')).ret).to.equal(0);
    expect((await b.patch.listFileInfo(up.file)).ret).to.equal(-1);
    expect((await b.patch.download(up.file, 0)).ret).to.equal(-1);
  });

  it('uploads through both at once each become a whole version; one upload committed through both becomes one',
    async () => {
      const [a, b] = [await start('a'), await start('b')];
      const one = pkg(2 * MiB);
      const two = pkg(2 * MiB);
      writeFileSync(path.join(dir, 'one.tgz'), one);
      writeFileSync(path.join(dir, 'two.tgz'), two);
      const both = await Promise.all([
        tarsChild<{version: string; md5: string; file: string}>(['patch', 'upload', 'TestApp.Race',
          path.join(dir, 'one.tgz'), '-e', a.obj, '--ctl-endpoint', a.ctl]),
        tarsChild<{version: string; md5: string; file: string}>(['patch', 'upload', 'TestApp.Race',
          path.join(dir, 'two.tgz'), '-e', b.obj, '--ctl-endpoint', b.ctl])]);
      expect(both.map((v) => v.version).sort()).to.deep.equal(['1', '2']);
      expect(both.map((v) => v.md5)).to.deep.equal([md5(one), md5(two)]);
      for (const v of both) {
        for (const via of [a, b]) expect(md5((await download(via.patch, v.file)).bytes)).to.equal(v.md5);
      }

      // The same upload committed through both at once: one version, the other told there is no such upload.
      await uploadBytes(a.patch, 'TestApp', 'Twice', 'x.tgz', one, {chunk: 256 * 1024});
      const commits = await Promise.all([a.control.commitUpload('TestApp', 'Twice', 'x.tgz', '', 'a'),
        b.control.commitUpload('TestApp', 'Twice', 'x.tgz', '', 'b')]);
      expect(commits.map((r) => r.ret).sort()).to.deep.equal([-1, 0]);
      expect(commits.find((r) => r.ret === -1)!.result).to.contain('no upload x.tgz of TestApp.Twice');
      const versions = (await b.control.listVersions('TestApp', 'Twice')).versions;
      expect(versions.map((v) => [v.version, v.md5])).to.deep.equal([['1', md5(one)]]);
      expect((await a.patch.listFileInfo('/TestApp/Twice')).vf.map((f) => f.path)).to.deep.equal(
        ['/TestApp.Twice_1.tgz']);
    });

  it('kill -9 of the instance taking an upload: nothing of it is visible, and it is swept once idle', async () => {
    const a = await start('a');
    const b = await start('b', ['--upload-idle', '1000']);
    const bytes = pkg(24 * MiB);
    let sent = 0;
    let killedAt = -1;
    const chunk = 256 * 1024;
    for (let pos = 0, n = 0; pos < bytes.length; pos += chunk, n++) {
      if (n === 20) {
        a.child.kill('SIGKILL');
        killedAt = pos;
      }
      try {
        const {ret} = await a.patch.upload('TestApp', 'Killed', Patch.FileContent.create({md5: md5(bytes),
          name: 'big.tgz', firstChunk: n === 0, lastChunk: pos + chunk >= bytes.length,
          content: bytes.subarray(pos, pos + chunk)}));
        expect(ret).to.equal(0);
        sent = pos + chunk;
      } catch {
        break; // the killed instance
      }
    }
    await exited(a.child);
    expect(killedAt).to.be.above(0);
    expect(sent).to.be.below(bytes.length);
    // Nothing in the Patch root, no version, and the upload cannot be committed through the survivor.
    expect((await b.patch.listFileInfo('/')).vf).to.deep.equal([]);
    expect((await b.patch.listFileInfo('/TestApp/Killed')).ret).to.equal(-1);
    expect((await b.control.listVersions('TestApp', 'Killed')).versions).to.deep.equal([]);
    const r = await b.control.commitUpload('TestApp', 'Killed', 'big.tgz', '', 'tester');
    expect([r.ret, r.result]).to.deep.equal([-1,
      'the upload big.tgz of TestApp.Killed did not reach its last chunk: upload it again']);
    // Swept by the survivor once idle (--upload-idle 1000: looked for every second).
    let swept = false;
    for (let i = 0; i < 40 && !swept; i++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      swept = (await b.patch.deletePatchFile('TestApp', 'Killed', 'big.tgz')).ret === -1;
    }
    expect(swept, 'the idle upload removed').to.equal(true);
  });

  it('kill -9 of the instance committing an upload: the version is there whole or not at all', async () => {
    const [a, b] = [await start('a'), await start('b')];
    const bytes = pkg(24 * MiB);
    await uploadBytes(a.patch, 'TestApp', 'Commit', 'c.tgz', bytes, {chunk: MiB});
    const commit = a.control.commitUpload('TestApp', 'Commit', 'c.tgz', '', 'tester').catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 150));
    a.child.kill('SIGKILL');
    const answer = await commit;
    await exited(a.child);
    const versions = (await b.control.listVersions('TestApp', 'Commit')).versions;
    if (versions.length === 1) {
      // Committed before the kill: whole.
      expect(md5((await download(b.patch, versions[0]!.file)).bytes)).to.equal(md5(bytes));
    } else {
      // Not committed: no package, and the upload is still there to commit through the survivor.
      expect(answer?.ret, 'no acknowledged commit').to.not.equal(0);
      expect((await b.patch.listFileInfo('/')).vf).to.deep.equal([]);
      const again = await b.control.commitUpload('TestApp', 'Commit', 'c.tgz', '', 'tester');
      expect([again.ret, again.version.version], again.result).to.deep.equal([0, '1']);
      expect(md5((await download(b.patch, again.version.file)).bytes)).to.equal(md5(bytes));
    }
    console.log(`      kill -9 150 ms into a commit of ${(bytes.length / MiB).toFixed(0)} MiB: ` +
      `${versions.length === 1 ? 'it had committed' : 'it had not committed; committed again through B'}`);
  });
});
