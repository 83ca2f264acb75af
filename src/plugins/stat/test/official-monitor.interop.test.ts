// The official Node stack reports to our daemon: an @tars/rpc 2.0.15 client calls an @tars/rpc server (successes,
// exceptions and timeouts), @tars/rpc hands each call to @tars/monitor 2.1.4, which sends StatF.reportMicMsg
// (one-way) to our StatObj; @tars/monitor's property API sends PropertyF.reportPropMsg (one-way) to our
// PropertyObj. `tars stat query --json` and `tars property query --json` (the real CLI) show matching numbers.
//
// How @tars/monitor is configured (read in node_modules, facts only): the stat part takes the servant from the
// TARS config's `tars.application.client.stat` and the period from `report-interval` (at least 10000 ms) when a
// communicator is initialized with that config file; the property part takes `client.property`, `modulename` and
// `report-interval` from `property.init(config)` (a file path, or a @tars/utils Config). Both keep their period in
// a writable export (`reportInterval`) that the test shortens instead of waiting ten seconds. @tars/rpc reports a
// call only when the environment has TARS_MONITOR, for TARS (not TUP) two-way calls, caller side: slaveName = the
// first two parts of the servant, masterName = the config's modulename, timeouts as timeouts, any other failure as
// an exception.
/* eslint-disable @typescript-eslint/no-explicit-any */
import {run} from '@oclif/core';
import {captureOutput} from '@oclif/test';
import {expect} from 'chai';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import os from 'node:os';
import path from 'node:path';

import {Communicator, Logger, stderrSink} from '@tars-ts/core';
import {StatQuery} from '@tars-ts/core/framework';
import {type RunningDaemon, startDaemon} from '@tars-ts/kit';

import {
  EchoProxy, type OfficialServer, OracleRecorder, createEchoImp, destroyOfficialClient, startOfficialServer, tarsRpc,
} from '../../../../test/support/rpc-oracle.js';
import {sleep} from '../../../../test/support/wait.js';
import {statDaemon} from '../src/daemon.js';

const require = createRequire(import.meta.url);
const root = new URL('../../../..', import.meta.url).pathname;

async function tars(args: string[]): Promise<{stdout: string; stderr: string; exit: number}> {
  const {stdout, stderr, error} = await captureOutput(() => run(args, root));
  return {stdout, stderr, exit: error?.oclif?.exit ?? (error ? 1 : 0)};
}

describe('stat interop: @tars/monitor reports to our daemon', function () {
  this.timeout(40_000);
  let dir: string;
  let daemon: RunningDaemon;
  let server: OfficialServer;
  let comm: any;
  let ours: Communicator;
  const savedMonitorEnv = process.env.TARS_MONITOR;

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tars-stat-monitor-'));
    daemon = await startDaemon(statDaemon, {port: 0, data: path.join(dir, 'stat'), settings: {'metrics-port': 0},
      logger: new Logger('NONE', stderrSink)});
    server = await startOfficialServer(createEchoImp(new OracleRecorder()), {servant: 'Interop.OfficialServer.EchoObj'});
    ours = new Communicator();
  });

  after(async () => {
    if (savedMonitorEnv === undefined) delete process.env.TARS_MONITOR;
    else process.env.TARS_MONITOR = savedMonitorEnv;
    const monitor = require('@tars/monitor');
    monitor.stat.stop();
    if (comm) destroyOfficialClient(comm);
    server?.stop();
    ours?.close();
    await daemon?.stop();
    rmSync(dir, {recursive: true, force: true});
  });

  it('stats from @tars/rpc calls and properties from @tars/monitor show in tars stat|property query --json', async () => {
    const endpoint = (obj: string): string => daemon.info.endpoints.find((e) => e.obj === obj)!.endpoint;
    const config = path.join(dir, 'node-client.conf');
    writeFileSync(config, `<tars>
  <application>
    <client>
      stat = tars.tarsstat.StatObj@${endpoint('tars.tarsstat.StatObj')}
      property = tars.tarsproperty.PropertyObj@${endpoint('tars.tarsproperty.PropertyObj')}
      modulename = Interop.NodeCaller
      report-interval = 10000
      async-invoke-timeout = 3000
    </client>
    <server>
      localip = 127.0.0.1
    </server>
  </application>
</tars>
`);
    const rpc = tarsRpc();
    const monitor = require('@tars/monitor');
    process.env.TARS_MONITOR = '1';
    comm = new rpc.Communicator();
    comm.initialize(config);
    comm.setProperty('timeout', 300);
    monitor.stat.reportInterval = 200;
    const Config = require('@tars/utils').Config;
    const parsed = new Config();
    parsed.parseFile(config);
    monitor.property.init(parsed);
    monitor.property.reportInterval = 200;

    const echo = comm.stringToProxy(EchoProxy, server.proxyString);
    for (let i = 0; i < 20; i++) await echo.echoString(`hello ${i}`);
    for (let i = 0; i < 3; i++) await echo.fail('send:-99').catch(() => undefined);
    // The server answers after 1 s; the client gave up at 300 ms.
    await Promise.all([echo.sleepMs(1000).catch(() => undefined), echo.sleepMs(1000).catch(() => undefined)]);

    const queue = monitor.property.create('queue', [new monitor.POLICY.Sum(), new monitor.POLICY.Count(),
      new monitor.POLICY.Max(), new monitor.POLICY.Min(), new monitor.POLICY.Avg(),
      new monitor.POLICY.Distr([10, 100, 1000])]);
    for (const v of [5, 50, 500, 7]) queue.report(v);

    // One-way reports: wait (bounded) until the daemon holds all of them.
    const query = ours.stringToProxy(StatQuery.StatQueryProxy,
      `tars.tarsstat.StatQueryObj@${endpoint('tars.tarsstat.StatQueryObj')}`);
    const taken = async (): Promise<number> => (await query.liveStats(StatQuery.StatQueryRequest.create({})))
      .series.reduce((n, s) => n + Number(s.total!.count + s.total!.timeoutCount + s.total!.execCount), 0);
    for (let i = 0; i < 300 && ((await taken()) < 25 || (await query.daemonStats()).stats.propReports < 1n); i++) {
      await sleep(50);
    }

    const stat = await tars(['stat', 'query', '--data', path.join(dir, 'stat'), '--by', 'interface', '--json']);
    expect(stat.exit, stat.stderr).to.equal(0);
    const rows = (JSON.parse(stat.stdout) as {rows: {callee: string; interface: string; side: string; calls: number;
      success: number; timeout: number; exception: number; buckets: Record<string, number>}[]}).rows;
    expect(rows.map((r) => [r.callee, r.interface, r.side, r.calls, r.success, r.timeout, r.exception])).to.deep.equal([
      ['Interop.OfficialServer', 'echoString', 'client', 20, 20, 0, 0],
      ['Interop.OfficialServer', 'fail', 'client', 3, 0, 0, 3],
      ['Interop.OfficialServer', 'sleepMs', 'client', 2, 0, 2, 0],
    ]);
    // @tars/monitor puts every successful call in exactly one bucket.
    expect(Object.values(rows[0]!.buckets).reduce((a, b) => a + b, 0)).to.equal(20);
    const byCaller = JSON.parse((await tars(['stat', 'query', '--data', path.join(dir, 'stat'), '--by', 'caller',
      '--json'])).stdout) as {rows: {caller: string}[]};
    expect(byCaller.rows.map((r) => r.caller)).to.deep.equal(['Interop.NodeCaller']);

    const prop = await tars(['property', 'query', '--data', path.join(dir, 'stat'), '--json']);
    expect(prop.exit, prop.stderr).to.equal(0);
    const props = (JSON.parse(prop.stdout) as {rows: {module: string; property: string; policy: string;
      value: string}[]}).rows;
    expect(props.map((r) => [r.module, r.property, r.policy, r.value])).to.deep.equal([
      ['Interop.NodeCaller', 'queue', 'Avg', '140'],
      ['Interop.NodeCaller', 'queue', 'Count', '4'],
      ['Interop.NodeCaller', 'queue', 'Distr', '10|2,100|1,1000|1'],
      ['Interop.NodeCaller', 'queue', 'Max', '500'],
      ['Interop.NodeCaller', 'queue', 'Min', '5'],
      ['Interop.NodeCaller', 'queue', 'Sum', '562'],
    ]);
  });
});
