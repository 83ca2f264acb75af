// The config center as a real process (`tars config start` through bin/dev.js) and `tars config` against it: a
// kill -9 in the middle of pushes never leaves half a version, and the commands' JSON and errors.
import {expect} from 'chai';
import type {ChildProcess} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {Communicator} from '@tars-ts/core';
import {ConfigCtl} from '@tars-ts/core/framework';

import {endpointOf, exited, killChildren, startCliDaemon, tars} from '../../../../test/support/cli-daemon.js';


/** `tars config start` in a child process, once it is READY, with its ConfigCtlObj and ConfigObj endpoints. */
async function startConfig(data: string, extra: string[] = []): Promise<{child: ChildProcess; ctl: string; obj: string}> {
  const {child, out} = await startCliDaemon(['config', 'start', '--port', '0', '--data', data, ...extra]);
  return {child, ctl: endpointOf(out, 'tars.tarsconfig.ConfigCtlObj'), obj: endpointOf(out, 'tars.tarsconfig.ConfigObj')};
}

/** The content of version `v` of file `f`: big enough that a write takes a while, checkable whole. */
const body = (f: number, v: number) => `file=${f}\nversion=${v}\n${'x'.repeat(200_000)}\nend=${f}.${v}\n`;

describe('tars config as a process', function () {
  this.timeout(120_000);
  let dir: string;
  const children: ChildProcess[] = [];
  const comms: Communicator[] = [];

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tars-config-proc-'));
  });

  afterEach(async () => {
    for (const c of comms.splice(0)) c.close();
    await killChildren(children);
    rmSync(dir, {recursive: true, force: true});
  });

  it('kill -9 during pushes: every acknowledged version is there, whole, and no version is half there', async () => {
    const data = path.join(dir, 'config');
    const first = await startConfig(data);
    children.push(first.child);
    const comm = new Communicator();
    comms.push(comm);
    const ctl = comm.stringToProxy(ConfigCtl.ConfigCtlProxy, `tars.tarsconfig.ConfigCtlObj@${first.ctl}`,
      {timeout: 5000});
    const key = (f: number) => ConfigCtl.ConfigFileKey.create({app: 'Kill', server: 'Test', name: `f${f}.conf`});
    const acked = new Map<number, number>();
    const sent = new Map<number, number>();
    // Three writers; the daemon is killed once 30 pushes are acknowledged, with pushes in flight.
    let killed = false;
    const writer = async (f: number) => {
      for (let v = 1; v <= 200 && !killed; v++) {
        sent.set(f, v);
        try {
          const r = await ctl.push(key(f), body(f, v), 'test', `push ${v}`);
          if (r.ret !== 0) throw new Error(r.result);
          expect(r.version).to.equal(v);
          acked.set(f, v);
        } catch {
          return;
        }
        if (!killed && [...acked.values()].reduce((a, b) => a + b, 0) >= 30) {
          killed = true;
          first.child.kill('SIGKILL');
        }
      }
    };
    await Promise.all([writer(1), writer(2), writer(3)]);
    expect(killed).to.equal(true);
    await exited(first.child);

    const second = await startConfig(data);
    children.push(second.child);
    const ctl2 = comm.stringToProxy(ConfigCtl.ConfigCtlProxy, `tars.tarsconfig.ConfigCtlObj@${second.ctl}`,
      {timeout: 5000});
    const {files} = await ctl2.list('Kill', '');
    expect(files.map((f) => f.file.name)).to.deep.equal(['f1.conf', 'f2.conf', 'f3.conf']);
    for (const f of [1, 2, 3]) {
      const {ret, versions} = await ctl2.history(key(f));
      expect(ret).to.equal(0);
      const n = versions.length;
      // Every acknowledged version survived; at most the one in flight was also committed.
      expect(n).to.be.within(acked.get(f) ?? 0, sent.get(f) ?? 0);
      expect(versions.map((v) => v.version)).to.deep.equal(Array.from({length: n}, (_, i) => i + 1));
      expect(files[f - 1]!.current.version).to.equal(n);
      for (const v of versions) {
        const got = await ctl2.get(key(f), v.version);
        expect(got.v.content === body(f, v.version), `f${f} version ${v.version} whole`).to.equal(true);
      }
    }
  });

  it('the commands: push, list, get, history, diff, ref, rollback with --json, and bad input', async () => {
    const data = path.join(dir, 'config');
    const daemon = await startConfig(data, ['--max-size', '100']);
    children.push(daemon.child);
    const at = ['--config-data', data];
    const file = path.join(dir, 'app.conf');
    writeFileSync(file, 'a=1\nb=2\n');
    const p1 = await tars(['config', 'push', 'A.S', file, '-m', 'first', '--user', 'ann', '--json', ...at]);
    expect(p1.exit, p1.stderr).to.equal(0);
    expect(JSON.parse(p1.stdout)).to.deep.include({version: 1, bytes: 8, author: 'ann', comment: 'first', dryRun: false,
      file: {app: 'A', server: 'S', node: '', set: '', name: 'app.conf'}});
    writeFileSync(file, 'a=1\nb=3\n');
    expect((await tars(['config', 'push', 'A.S', file, ...at])).stdout).to.match(/stored A\.S\/app\.conf version 2/);
    writeFileSync(path.join(dir, 'common.conf'), 'c=1\n');
    expect((await tars(['config', 'push', 'A', path.join(dir, 'common.conf'), ...at])).exit).to.equal(0);
    expect((await tars(['config', 'ref', 'add', 'A.S', 'app.conf', 'A', '--target-name', 'common.conf', ...at])).exit)
      .to.equal(0);

    const list = JSON.parse((await tars(['config', 'list', '--json', ...at])).stdout);
    expect(list.files.map((f: {name: string; level: string; version: number; references: {name: string}[]}) =>
      [f.name, f.level, f.version, f.references.map((r) => r.name)])).to.deep.equal([
      ['common.conf', 'app', 1, []], ['app.conf', 'server', 2, ['common.conf']]]);

    expect((await tars(['config', 'get', 'A.S', 'app.conf', '--version', '1', ...at])).stdout).to.equal('a=1\nb=2\n');
    const history = JSON.parse((await tars(['config', 'history', 'A.S', 'app.conf', '--json', ...at])).stdout);
    expect(history.versions.map((v: {version: number; author: string}) => v.version)).to.deep.equal([1, 2]);
    expect(history.versions[0].author).to.equal('ann');

    const diff = await tars(['config', 'diff', 'A.S', 'app.conf', ...at]);
    expect(diff.stdout).to.equal('--- app.conf version 1\n+++ app.conf version 2\n@@ -1,2 +1,2 @@\n a=1\n-b=2\n+b=3\n');
    writeFileSync(file, 'a=1\nb=3\n');
    const same = JSON.parse((await tars(['config', 'diff', 'A.S', 'app.conf', '--local', file, '--json', ...at])).stdout);
    expect(same).to.deep.include({changed: false, diff: '', from: {version: 2}});

    const rb = JSON.parse((await tars(['config', 'rollback', 'A.S', 'app.conf', '1', '--json', ...at])).stdout);
    expect(rb).to.deep.include({restored: 1, version: 3});
    expect((await tars(['config', 'get', 'A.S', 'app.conf', ...at])).stdout).to.equal('a=1\nb=2\n');

    // Bad input: one error line (and a hint), the right exit code, nothing stored.
    const bad = async (args: string[], exit: number, pattern: RegExp) => {
      const r = await tars([...args, ...at]);
      expect(r.exit, `${args.join(' ')}: ${r.stderr}`).to.equal(exit);
      const lines = r.stderr.trim().split('\n');
      expect(lines[0]).to.match(pattern);
      expect(lines.length).to.be.at.most(2);
      expect(r.stderr).not.to.match(/\n\s+at /);
    };
    await bad(['config', 'push', 'A.S', file, '--name', '../x.conf'], 2, /^error: file name "\.\.\/x\.conf" contains a path separator/);
    await bad(['config', 'push', 'A.S', file, '--name', 'a\\b'], 2, /path separator/);
    writeFileSync(path.join(dir, 'big.conf'), 'x'.repeat(101));
    await bad(['config', 'push', 'A.S', path.join(dir, 'big.conf')], 1, /^error: A\.S\/big\.conf: the file is 101 bytes, over the limit of 100 bytes/);
    await bad(['config', 'rollback', 'A.S', 'app.conf', '9'], 1, /^error: A\.S\/app\.conf has no version 9 \(versions 1\.\.3\)/);
    await bad(['config', 'ref', 'add', 'A', 'common.conf', 'A.S', '--target-name', 'app.conf'], 1, /would make a cycle/);
    await bad(['config', 'get', 'A.S', 'nope.conf'], 1, /^error: no file A\.S\/nope\.conf/);
    const after = JSON.parse((await tars(['config', 'list', '--json', ...at])).stdout);
    expect(after.files.map((f: {name: string; version: number}) => [f.name, f.version])).to.deep.equal(
      [['common.conf', 1], ['app.conf', 3]]);
    const refs = after.files[1].references;
    expect(refs).to.have.length(1);
    expect((await tars(['config', 'ref', 'rm', 'A.S', 'app.conf', 'A', '--target-name', 'common.conf', ...at])).stdout)
      .to.match(/no longer references A\/common\.conf/);
  });

  it('no config center anywhere: one line and a hint, exit 2', async () => {
    const r = await tars(['config', 'list', '--config-data', path.join(dir, 'none'), '--data', path.join(dir, 'noreg')]);
    expect(r.exit).to.equal(2);
    expect(r.stderr).to.match(/^error: no config center to ask/);
  });
});
