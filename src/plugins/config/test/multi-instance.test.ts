// Two config centers as real processes (`tars config start --db postgres://...`) on one throwaway PostgreSQL
// database, as TARS runs several instances of a base service behind one object name: a push or a rollback through
// one is what the other serves on the very next call (ConfigObj and ConfigCtl, and `tars config` against either);
// pushes through both at once keep every version, numbered without a gap; after kill -9 of one, the other serves
// every version the killed one acknowledged.
import {expect} from 'chai';
import type {ChildProcess} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {performance} from 'node:perf_hooks';

import {Communicator} from '@tars-ts/core';
import {ConfigCtl, ConfigF} from '@tars-ts/core/framework';

import {endpointOf, exited, killChildren, startCliDaemon, tars, tarsJson} from '../../../../test/support/cli-daemon.js';
import {freshDatabase} from '../../../../test/support/postgres.js';

const CTL = 'tars.tarsconfig.ConfigCtlObj';
const OBJ = 'tars.tarsconfig.ConfigObj';

interface Instance {
  child: ChildProcess;
  data: string;
  ctl: ConfigCtl.ConfigCtlProxy;
  obj: ConfigF.ConfigProxy;
  ctlEndpoint: string;
}

describe('config: two config centers on one PostgreSQL database (processes)', function () {
  this.timeout(180_000);
  let dir: string;
  let url: string;
  let comm: Communicator;
  const children: ChildProcess[] = [];

  before(async () => {
    url = await freshDatabase('cfgmulti');
  });

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tars-config-multi-'));
    comm = new Communicator();
  });

  afterEach(async () => {
    comm.close();
    await killChildren(children);
    rmSync(dir, {recursive: true, force: true});
  });

  const start = async (name: string): Promise<Instance> => {
    const data = path.join(dir, name);
    const {child, out} = await startCliDaemon(['config', 'start', '--port', '0', '--data', data, '--db', url,
      '--rate-limit', '0']);
    children.push(child);
    const ctlEndpoint = endpointOf(out, CTL);
    return {child, data, ctlEndpoint,
      ctl: comm.stringToProxy(ConfigCtl.ConfigCtlProxy, `${CTL}@${ctlEndpoint}`, {timeout: 10_000}),
      obj: comm.stringToProxy(ConfigF.ConfigProxy, `${OBJ}@${endpointOf(out, OBJ)}`, {timeout: 10_000})};
  };

  const key = (name: string, server = 'Srv') => ConfigCtl.ConfigFileKey.create({app: 'Multi', server, name});

  it('a push or a rollback through one is what the other serves on the next call', async () => {
    const [a, b] = [await start('a'), await start('b')];
    const rounds = 50;
    const lag: number[] = [];
    for (let i = 1; i <= rounds; i++) {
      const [via, other] = i % 2 === 1 ? [a, b] : [b, a];
      const pushed = await via.ctl.push(key('app.conf'), `round=${i}\n`, 'test', `round ${i}`);
      expect([pushed.ret, pushed.version], pushed.result).to.deep.equal([0, i]);
      const acked = performance.now();
      // The first call after the acknowledgement must see it: no retry loop, no waiting.
      const loaded = await other.obj.loadConfig('Multi', 'Srv', 'app.conf');
      lag.push(performance.now() - acked);
      expect(loaded.config, `round ${i}, served by the other instance`).to.equal(`round=${i}\n`);
      const got = await other.ctl.get(key('app.conf'), 0);
      expect([got.v.version, got.v.content]).to.deep.equal([i, `round=${i}\n`]);
    }
    const rolled = await b.ctl.rollback(key('app.conf'), 7, 'test', '');
    expect(rolled.newVersion).to.equal(rounds + 1);
    expect((await a.obj.loadConfig('Multi', 'Srv', 'app.conf')).config).to.equal('round=7\n');
    lag.sort((x, y) => x - y);
    console.log(`      push on one -> next loadConfig on the other: stale 0 of ${rounds} times; that call took ` +
      `p50 ${lag[Math.floor(rounds / 2)]!.toFixed(1)} ms, max ${lag[rounds - 1]!.toFixed(1)} ms`);

    // `tars config` against either (each found through its data directory) and against both (one proxy, two
    // endpoints, the calls spread over them).
    const file = path.join(dir, 'cli.conf');
    writeFileSync(file, 'cli=1\n');
    const push = await tarsJson<{version: number}>(['config', 'push', 'Multi.Srv', file, '--config-data', a.data]);
    expect(push.version).to.equal(1);
    const got = await tarsJson<{version: number; content: string}>(['config', 'get', 'Multi.Srv', 'cli.conf',
      '--config-data', b.data]);
    expect([got.version, got.content]).to.deep.equal([1, 'cli=1\n']);
    const list = await tarsJson<{files: {name: string; version: number}[]}>(['config', 'list', 'Multi',
      '--config-data', b.data]);
    expect(list.files.map((f) => [f.name, f.version])).to.deep.equal([['app.conf', rounds + 1], ['cli.conf', 1]]);
    const history = await tarsJson<{versions: unknown[]}>(['config', 'history', 'Multi.Srv', 'app.conf',
      '--config-data', a.data]);
    expect(history.versions).to.have.length(rounds + 1);
    const back = await tars(['config', 'rollback', 'Multi.Srv', 'app.conf', '1', '--config-data', b.data]);
    expect(back.exit, back.stderr).to.equal(0);
    expect((await a.obj.loadConfig('Multi', 'Srv', 'app.conf')).config).to.equal('round=1\n');
    const both = comm.stringToProxy(ConfigCtl.ConfigCtlProxy, `${CTL}@${a.ctlEndpoint}:${b.ctlEndpoint}`,
      {timeout: 10_000});
    for (let i = 0; i < 10; i++) {
      const r = await both.push(key('spread.conf'), `s=${i}\n`, 'test', '');
      expect(r.version).to.equal(i + 1);
      expect((await both.get(key('spread.conf'), 0)).v.content).to.equal(`s=${i}\n`);
    }
  });

  it('pushes through both at once to one file: every version kept once, 1..N without a gap, each its content',
    async () => {
      const [a, b] = [await start('a'), await start('b')];
      const perWriter = 25;
      const writer = async (via: Instance, who: string) => {
        const acked: {version: number; content: string}[] = [];
        for (let i = 0; i < perWriter; i++) {
          const content = `writer=${who}\ni=${i}\n`;
          const r = await via.ctl.push(key('race.conf'), content, who, '');
          expect(r.ret, r.result).to.equal(0);
          acked.push({version: r.version, content});
        }
        return acked;
      };
      // Two writers on each instance, all at once.
      const acked = (await Promise.all([writer(a, 'a1'), writer(b, 'b1'), writer(a, 'a2'), writer(b, 'b2')])).flat();
      const total = 4 * perWriter;
      expect(acked.map((x) => x.version).sort((x, y) => x - y)).to.deep.equal(
        Array.from({length: total}, (_, i) => i + 1));
      for (const via of [a, b]) {
        const history = await via.ctl.history(key('race.conf'));
        expect(history.versions.map((v) => v.version)).to.deep.equal(Array.from({length: total}, (_, i) => i + 1));
        for (const {version, content} of acked.filter((x) => x.version % 10 === 0)) {
          expect((await via.ctl.get(key('race.conf'), version)).v.content).to.equal(content);
        }
      }
      const newest = acked.find((x) => x.version === total)!;
      expect((await a.obj.loadConfig('Multi', 'Srv', 'race.conf')).config).to.equal(newest.content);
      expect((await b.obj.loadConfig('Multi', 'Srv', 'race.conf')).config).to.equal(newest.content);
    });

  it('kill -9 of one in the middle of pushes: the other serves every version it acknowledged', async () => {
    const [a, b] = [await start('a'), await start('b')];
    const acked: {file: number; version: number; content: string}[] = [];
    let killed = false;
    const writer = async (f: number) => {
      for (let v = 1; v <= 200 && !killed; v++) {
        const content = `file=${f}\nversion=${v}\n${'x'.repeat(50_000)}\n`;
        try {
          const r = await a.ctl.push(key(`k${f}.conf`, 'Kill'), content, 'test', '');
          if (r.ret !== 0) return;
          acked.push({file: f, version: r.version, content});
        } catch {
          return; // the connection to the killed instance
        }
        if (!killed && acked.length >= 30) {
          killed = true;
          a.child.kill('SIGKILL');
        }
      }
    };
    await Promise.all([writer(1), writer(2), writer(3)]);
    expect(killed).to.equal(true);
    await exited(a.child);
    expect(acked.length).to.be.at.least(30);
    for (const f of [1, 2, 3]) {
      const mine = acked.filter((x) => x.file === f);
      const newest = Math.max(...mine.map((x) => x.version));
      const history = await b.ctl.history(key(`k${f}.conf`, 'Kill'));
      // Acknowledged versions are there; at most one more (a push committed as the process died, unacknowledged).
      expect(history.versions.length).to.be.within(newest, newest + 1);
      for (const {version, content} of mine) {
        expect((await b.ctl.get(key(`k${f}.conf`, 'Kill'), version)).v.content).to.equal(content);
      }
    }
    // The survivor goes on numbering after what the killed one stored.
    const next = await b.ctl.push(key('k1.conf', 'Kill'), 'after=1\n', 'test', '');
    expect(next.version).to.equal((await b.ctl.history(key('k1.conf', 'Kill'))).versions.length);
    expect((await b.obj.loadConfig('Multi', 'Kill', 'k1.conf')).config).to.equal('after=1\n');
  });
});
