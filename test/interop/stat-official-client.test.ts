// The same call counted by @tars/rpc's client (through @tars/monitor, its stat reporter) and by ours: both report to
// a real StatF servant, and the heads they send agree field by field, so a stat daemon groups our callers' rows with
// official ones. @tars/monitor reports only when TARS_MONITOR is set and its communicator has read a config file
// (the stat object, modulename and localip come from there); its interval (10 s at least) is shortened through its
// exported reportInterval so the test need not wait.
/* eslint-disable @typescript-eslint/no-explicit-any */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import os from 'node:os';
import path from 'node:path';

import {Communicator, RUNTIME_VERSION} from '@tars-ts/core';
import {expect} from 'chai';

import {type Echo$Results, EchoServant, type Pair} from '../golden/codegen/interopTars.js';
import {EchoProxy, destroyOfficialClient, officialClient, tarsRpc} from '../support/rpc-oracle.js';
import {type Daemon, startStatDaemon} from '../support/stat-daemon.js';
import {type TestServer, startServer} from '../support/test-server.js';
import {until} from '../support/wait.js';

const require = createRequire(import.meta.url);
const SERVANT = 'Interop.StatServer.EchoObj';

class StatEcho extends EchoServant {
  echoString(s: string): Echo$Results['echoString'] {
    return {ret: s};
  }

  echoStruct(p: Pair): Echo$Results['echoStruct'] {
    return {ret: 0, q: p};
  }

  echoContainers(v: number[], m: Map<string, Pair>, b: Uint8Array): Echo$Results['echoContainers'] {
    return {ret: 0, v2: v, m2: m, b2: b};
  }

  fire(): void {}

  sleepMs(ms: number): Echo$Results['sleepMs'] {
    return {ret: ms};
  }

  fail(why: string): Echo$Results['fail'] {
    throw new Error(why);
  }
}

describe('stat reports of @tars/rpc and of our client', function () {
  this.timeout(20000);
  let daemon: Daemon;
  let server: TestServer;
  let dir: string;

  before(async () => {
    tarsRpc();
    daemon = await startStatDaemon();
    server = await startServer({[SERVANT]: new StatEcho()});
    dir = mkdtempSync(path.join(os.tmpdir(), 'tars-stat-interop-'));
  });

  after(async () => {
    await server?.close();
    await daemon?.app.close();
    rmSync(dir, {recursive: true, force: true});
  });

  it('send the same StatMicMsgHead for the same call (tarsVersion aside, which @tars/monitor never sends)', async () => {
    const file = path.join(dir, 'client.conf');
    writeFileSync(file, `<tars>
  <application>
    <client>
      stat = ${daemon.statObj}
      modulename = Test.Caller
    </client>
    <server>
      localip = 127.0.0.1
    </server>
  </application>
</tars>
`);
    const monitor = require('@tars/monitor').stat;
    const saved = {interval: monitor.reportInterval, obj: monitor.StatObj, env: process.env.TARS_MONITOR};
    const theirs = officialClient();
    process.env.TARS_MONITOR = '1';
    try {
      theirs.initialize(file);
      monitor.reportInterval = 20;
      const prx = theirs.stringToProxy(EchoProxy, server.proxyString(SERVANT));
      for (let i = 0; i < 3; i++) await prx.echoString(`theirs ${i}`);
      // Every 20 ms: on a loaded machine the three calls may span two reports, so wait for all three counted.
      await until(() => daemon.stat.reports.reduce((n, r) => n + r.body.count, 0) === 3, '@tars/monitor\'s reports');
    } finally {
      monitor.stop();
      Object.assign(monitor, {reportInterval: saved.interval, StatObj: saved.obj});
      if (saved.env === undefined) delete process.env.TARS_MONITOR;
      else process.env.TARS_MONITOR = saved.env;
      destroyOfficialClient(theirs);
      // @tars/monitor sends through @tars/rpc's shared client: its connection to the daemon must not outlive us.
      destroyOfficialClient(tarsRpc().client);
    }
    const officials = [...daemon.stat.reports];
    const official = officials[0]!;
    // One head for all of them (two reports at most differ in their bodies' counts, summed below).
    for (const r of officials) expect(r.head).to.deep.equal(official.head);
    const officialCounts = [0, 0, 0];
    for (const {body} of officials) {
      officialCounts[0] += body.count;
      officialCounts[1] += body.timeoutCount;
      officialCounts[2] += body.execCount;
    }

    const ours = new Communicator({stat: daemon.statObj, modulename: 'Test.Caller', localip: '127.0.0.1'});
    try {
      const {EchoProxy: OurEchoProxy} = await import('../golden/codegen/interopTars.js');
      const prx = ours.stringToProxy(OurEchoProxy, server.proxyString(SERVANT));
      for (let i = 0; i < 3; i++) await prx.echoString(`ours ${i}`);
      await ours.flushReports();
    } finally {
      ours.close();
    }
    const mine = daemon.stat.reports.find((r) => !officials.includes(r) && r.bFromClient)!;
    expect(official.bFromClient).to.equal(true);
    expect(mine.head).to.deep.equal({...official.head, tarsVersion: RUNTIME_VERSION});
    expect(official.head.tarsVersion).to.equal('');
    expect(officialCounts).to.deep.equal([3, 0, 0]);
    expect([mine.body.count, mine.body.timeoutCount, mine.body.execCount]).to.deep.equal([3, 0, 0]);
    expect([...mine.body.intervalCount.keys()]).to.deep.equal([...official.body.intervalCount.keys()]);
  });
});
