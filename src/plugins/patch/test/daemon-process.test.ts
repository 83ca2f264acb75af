// The patch server as a real process (`tars patch start` through bin/dev.js): killed with -9 in the middle of an
// upload, it comes back with the versions it had, the half-uploaded file gone (it never becomes a version) and the
// version numbers going on from where they were; `tars patch status|stop` find it through its data directory.
import {expect} from 'chai';
import type {ChildProcess} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {existsSync, mkdtempSync, readdirSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {Communicator} from '@tars-ts/core';
import {Patch, PatchCtl} from '@tars-ts/core/framework';

import {endpointOf, exited, startCliDaemon, tars} from '../../../../test/support/cli-daemon.js';

import {md5, tgz, uploadBytes} from './fixtures.js';


/** `tars patch start` in a child process, once it is READY, with both servants' endpoints. */
async function startPatch(data: string): Promise<{child: ChildProcess; patch: string; ctl: string}> {
  const {child, out} = await startCliDaemon(['patch', 'start', '--port', '0', '--data', data]);
  return {child, patch: endpointOf(out, 'tars.tarspatch.PatchObj'), ctl: endpointOf(out, 'tars.tarspatch.PatchCtlObj')};
}

describe('tars patch as a process', function () {
  this.timeout(90_000);
  let dir: string;
  const children: ChildProcess[] = [];
  const communicators: Communicator[] = [];

  const connect = (p: {patch: string; ctl: string}) => {
    const c = new Communicator();
    communicators.push(c);
    return {patch: c.stringToProxy(Patch.PatchProxy, `tars.tarspatch.PatchObj@${p.patch}`, {timeout: 10_000}),
      ctl: c.stringToProxy(PatchCtl.PatchCtlProxy, `tars.tarspatch.PatchCtlObj@${p.ctl}`, {timeout: 10_000})};
  };

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tars-patch-proc-'));
  });

  afterEach(async () => {
    for (const c of communicators.splice(0)) c.close();
    for (const child of children.splice(0)) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited(child);
    }
    rmSync(dir, {recursive: true, force: true});
  });

  it('kill -9 mid-upload: the half-uploaded file never becomes a version, the versions it had stay', async () => {
    const first = await startPatch(dir);
    children.push(first.child);
    const a = connect(first);
    const v1 = tgz([{path: 'index.js', content: 'console.log(1)\n'}]);
    await uploadBytes(a.patch, 'TestApp', 'Proc', 'v1.tgz', v1);
    expect((await a.ctl.commitUpload('TestApp', 'Proc', 'v1.tgz', '', 't')).ret).to.equal(0);

    // A large upload, chunk after chunk; killed while chunks are still arriving.
    const big = tgz([{path: 'index.js', content: 'x'}, {path: 'blob.bin', content: randomBytes(2 * 1024 * 1024)}]);
    const chunk = 64 * 1024;
    const sent = await uploadBytes(a.patch, 'TestApp', 'Proc', 'big.tgz', big, {chunk, stopAfter: 10});
    expect(sent).to.deep.equal(Array(10).fill(0));
    const inFlight = a.patch.upload('TestApp', 'Proc', Patch.FileContent.create({md5: md5(big), name: 'big.tgz',
      firstChunk: false, lastChunk: false, content: big.subarray(10 * chunk, 11 * chunk)})).catch((e: Error) => e);
    first.child.kill('SIGKILL');
    await exited(first.child);
    await inFlight;
    expect(readdirSync(path.join(dir, 'uploads', 'TestApp', 'Proc'))).to.include('big.tgz.part');

    const second = await startPatch(dir);
    children.push(second.child);
    const b = connect(second);
    const commit = await b.ctl.commitUpload('TestApp', 'Proc', 'big.tgz', '', 't');
    expect(commit.ret).to.equal(-1);
    expect(commit.result).to.equal('no upload big.tgz of TestApp.Proc: send it with Patch.upload first (tars patch upload)');
    expect(existsSync(path.join(dir, 'uploads', 'TestApp', 'Proc', 'big.tgz.part')), 'swept at start').to.equal(false);
    const {versions} = await b.ctl.listVersions('TestApp', 'Proc');
    expect(versions.map((v) => [v.version, v.md5])).to.deep.equal([['1', md5(v1)]]);
    expect((await b.patch.listFileInfo(versions[0]!.file)).vf[0]?.md5).to.equal(md5(v1));

    // Numbers go on after a restart and are not reused after a removal.
    expect((await b.ctl.removeVersion('TestApp', 'Proc', '1')).ret).to.equal(0);
    await uploadBytes(b.patch, 'TestApp', 'Proc', 'v2.tgz', v1);
    expect((await b.ctl.commitUpload('TestApp', 'Proc', 'v2.tgz', '', 't')).version.version).to.equal('2');

    const status = await tars(['patch', 'status', '--data', dir, '--json']);
    expect(status.exit, status.stderr).to.equal(0);
    expect(JSON.parse(status.stdout)).to.include({name: 'patch', pid: second.child.pid});
    const stop = await tars(['patch', 'stop', '--data', dir]);
    expect(stop.exit, stop.stderr).to.equal(0);
    await exited(second.child);
    expect(second.child.exitCode).to.equal(0);
  });
});
