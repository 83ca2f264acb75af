// The stat daemon in this process on free ports: reports through our own StatF/PropertyF proxies, read back through
// the real CLI (`tars stat query`, `tars property query`) and through /metrics parsed by a strict Prometheus
// text-format parser; a malformed packet closes only its own connection.
import {run} from '@oclif/core';
import {captureOutput} from '@oclif/test';
import {expect} from 'chai';
import {mkdtempSync, rmSync} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import {Communicator, Logger, stderrSink} from '@tars-ts/core';
import {PropertyF, StatF, StatQuery} from '@tars-ts/core/framework';
import {type RunningDaemon, startDaemon} from '@tars-ts/kit';

import {parsePrometheusText} from './prom-text.js';
import {sleep} from './support.js';
import {statDaemon} from '../src/daemon.js';

const root = new URL('../../../..', import.meta.url).pathname;

async function tars(args: string[]): Promise<{stdout: string; stderr: string; exit: number}> {
  const {stdout, stderr, error} = await captureOutput(() => run(args, root));
  return {stdout, stderr, exit: error?.oclif?.exit ?? (error ? 1 : 0)};
}

const head = (iface: string, ret = 0): StatF.StatMicMsgHead => StatF.StatMicMsgHead.create({
  masterName: 'TestApp.Caller@3.0.0', slaveName: 'TestApp.HelloGo', interfaceName: iface, masterIp: '',
  slaveIp: '10.0.0.2', slavePort: 10015, returnValue: ret});
const body = (count: number, timeouts = 0, exceptions = 0): StatF.StatMicMsgBody => StatF.StatMicMsgBody.create({
  count, timeoutCount: timeouts, execCount: exceptions, totalRspTime: BigInt(count * 12), maxRspTime: 40,
  minRspTime: 3, intervalCount: new Map([[5, 0], [10, Math.floor(count / 2)], [50, count - Math.floor(count / 2)],
    [100, 0], [200, 0], [500, 0], [1000, 0], [2000, 0], [3000, 0]])});

describe('tars stat (daemon)', function () {
  this.timeout(30_000);
  let dir: string;
  let daemon: RunningDaemon;
  let comm: Communicator;
  const data = (): string => path.join(dir, 'stat');
  const endpoint = (obj: string): string => daemon.info.endpoints.find((e) => e.obj === obj)!.endpoint;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tars-stat-daemon-'));
    daemon = await startDaemon(statDaemon, {port: 0, data: data(), settings: {'metrics-port': 0},
      logger: new Logger('NONE', stderrSink)});
    comm = new Communicator();
  });

  afterEach(async () => {
    comm?.close();
    await daemon?.stop();
    rmSync(dir, {recursive: true, force: true});
  });

  const report = async (): Promise<void> => {
    const stat = comm.stringToProxy(StatF.StatFProxy, `tars.tarsstat.StatObj@${endpoint('tars.tarsstat.StatObj')}`);
    const r1 = await stat.reportMicMsg(new Map([[head('sayHello'), body(40, 2, 1)], [head('add'), body(6)]]), true,
      {context: {node_name: 'node-a'}});
    expect(r1.ret).to.equal(0);
    // The callee's own view of the same calls: a row of its own (side server), not added to the caller's.
    await stat.reportMicMsg(new Map([[StatF.StatMicMsgHead.create({...head('sayHello'),
      masterName: 'stat_from_server'}), body(43)]]), false);
    const property = comm.stringToProxy(PropertyF.PropertyFProxy,
      `tars.tarsproperty.PropertyObj@${endpoint('tars.tarsproperty.PropertyObj')}`);
    const prop = (pairs: [string, string][]) => new Map([[PropertyF.StatPropMsgHead.create({moduleName: 'TestApp.HelloGo',
      propertyName: 'queue', iPropertyVer: 2}), PropertyF.StatPropMsgBody.create({vInfo: pairs.map(([policy, value]) =>
      PropertyF.StatPropInfo.create({policy, value}))})]]);
    await property.reportPropMsg(prop([['Sum', '10'], ['Avg', '4'], ['Distr', '10|1,100|2']]));
    // One-way, as @tars/monitor sends it: the daemon takes it all the same.
    await property.reportPropMsg(prop([['Sum', '5'], ['Avg', '8'], ['Distr', '10|3,100|0']]), {oneway: true});
    // A one-way call has no answer to wait for: wait until the daemon has counted it (bounded).
    const query = comm.stringToProxy(StatQuery.StatQueryProxy,
      `tars.tarsstat.StatQueryObj@${endpoint('tars.tarsstat.StatQueryObj')}`);
    for (let i = 0; i < 500 && (await query.daemonStats()).stats.propReports < 2n; i++) await sleep(10);
    expect((await query.daemonStats()).stats.propReports).to.equal(2n);
  };

  it('tars stat query --json shows what was reported, per callee and per interface, each side apart', async () => {
    await report();
    const r = await tars(['stat', 'query', '--data', data(), '--json']);
    expect(r.exit, r.stderr).to.equal(0);
    const json = JSON.parse(r.stdout) as {by: string; rows: Record<string, unknown>[]; daemon: Record<string, unknown>};
    expect(json.by).to.equal('callee');
    expect(json.rows.map((x) => [x.callee, x.side, x.calls, x.success, x.timeout, x.exception])).to.deep.equal([
      ['TestApp.HelloGo', 'client', 49, 46, 2, 1], ['TestApp.HelloGo', 'server', 43, 43, 0, 0]]);
    expect(json.rows[0]).to.deep.include({totalTimeMs: 46 * 12, avgMs: 12, maxMs: 40, minMs: 3, p99Ms: 50});
    expect(json.daemon).to.deep.include({reports: 2, droppedKeys: 0, rejected: 0});
    const byIface = JSON.parse((await tars(['stat', 'query', '--data', data(), '--by', 'interface', '--side', 'client',
      '--json'])).stdout) as {rows: {interface: string; calls: number}[]};
    expect(byIface.rows.map((x) => [x.interface, x.calls])).to.deep.equal([['sayHello', 43], ['add', 6]]);
    const table = await tars(['stat', 'query', '--data', data(), '--server', 'HelloGo', '--by', 'caller']);
    expect(table.stdout.split('\n')[0]).to.match(/^CALLEE\s+CALLER\s+SIDE\s+CALLS\s+SUCC%\s+TIMEOUT%\s+EXC%/);
    expect(table.stdout).to.match(/TestApp\.HelloGo\s+TestApp\.Caller\s+client\s+49\s+93\.9\s+4\.1\s+2\.0\s+12\s+50\s+40/);
    const top = await tars(['stat', 'query', '--data', data(), '--limit', '1']);
    expect(top.stdout).to.match(/^CALLEE.*\nTestApp\.HelloGo\s+client\s+49\s.*\nnote: 1 of 2 rows, most calls first; --limit N shows more\n$/);
    const none = await tars(['stat', 'query', '--data', data(), '--app', 'Other']);
    expect(none.stdout.trim()).to.equal('no calls reported in the last 1h');
  });

  it('tars property query --json merges each policy over the range and shows the official formats', async () => {
    await report();
    const r = await tars(['property', 'query', '--data', data(), '--json']);
    expect(r.exit, r.stderr).to.equal(0);
    const rows = (JSON.parse(r.stdout) as {rows: {module: string; property: string; policy: string; ip: string;
      value: string}[]}).rows;
    expect(rows.map((x) => [x.module, x.property, x.policy, x.ip, x.value])).to.deep.equal([
      ['TestApp.HelloGo', 'queue', 'Avg', '127.0.0.1', '6'], ['TestApp.HelloGo', 'queue', 'Distr', '127.0.0.1', '10|4,100|2'],
      ['TestApp.HelloGo', 'queue', 'Sum', '127.0.0.1', '15']]);
  });

  it('/metrics parses as Prometheus text: call counters by outcome, latency histograms, the daemon\'s counters', async () => {
    await report();
    const query = comm.stringToProxy(StatQuery.StatQueryProxy,
      `tars.tarsstat.StatQueryObj@${endpoint('tars.tarsstat.StatQueryObj')}`);
    const {stats} = await query.daemonStats();
    expect(stats.metrics).to.match(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const res = await fetch(stats.metrics);
    expect(res.headers.get('content-type')).to.match(/^text\/plain; version=0\.0\.4/);
    const families = parsePrometheusText(await res.text());
    const calls = families.get('tars_calls_total')!;
    expect(calls.type).to.equal('counter');
    const value = (labels: Record<string, string>) => calls.samples.find((s) =>
      Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
    expect(value({callee: 'TestApp.HelloGo', interface: 'sayHello', side: 'client', result: 'success'})).to.equal(40);
    expect(value({callee: 'TestApp.HelloGo', interface: 'sayHello', side: 'client', result: 'timeout'})).to.equal(2);
    expect(value({callee: 'TestApp.HelloGo', interface: 'sayHello', side: 'client', result: 'exception'})).to.equal(1);
    expect(value({callee: 'TestApp.HelloGo', interface: 'sayHello', side: 'server', result: 'success'})).to.equal(43);
    const hist = families.get('tars_call_duration_seconds')!;
    expect(hist.type).to.equal('histogram');
    const bucket = (le: string) => hist.samples.find((s) => s.name === 'tars_call_duration_seconds_bucket' &&
      s.labels.interface === 'sayHello' && s.labels.side === 'client' && s.labels.le === le)?.value;
    expect([bucket('0.005'), bucket('0.01'), bucket('0.05'), bucket('+Inf')]).to.deep.equal([0, 20, 40, 40]);
    expect(families.get('tars_stat_reports_total')!.samples.find((s) => s.labels.kind === 'stat')!.value).to.equal(2);
    expect((await fetch(stats.metrics.replace('/metrics', '/other'))).status).to.equal(404);
  });

  it('a malformed packet closes its own connection only; the daemon keeps taking reports', async () => {
    const [host, port] = /-h (\S+) -p (\d+)/.exec(endpoint('tars.tarsstat.StatObj'))!.slice(1);
    const closed = await new Promise<boolean>((resolve, reject) => {
      const socket = net.connect(Number(port), host, () => {
        // A frame that announces 16 bytes of which none is a RequestPacket.
        socket.write(Buffer.concat([Buffer.from([0, 0, 0, 16]), Buffer.alloc(12, 0xff)]));
      });
      const timer = setTimeout(() => {
        socket.destroy();
        resolve(false);
      }, 10_000);
      socket.on('close', () => {
        clearTimeout(timer);
        resolve(true);
      });
      socket.on('error', () => {});
      socket.on('timeout', reject);
    });
    expect(closed).to.equal(true);
    const stat = comm.stringToProxy(StatF.StatFProxy, `tars.tarsstat.StatObj@${endpoint('tars.tarsstat.StatObj')}`);
    expect((await stat.reportMicMsg(new Map([[head('after'), body(1)]]), true)).ret).to.equal(0);
    // Samples are taken and ignored, as the official server only logs them.
    expect((await stat.reportSampleMsg([StatF.StatSampleMsg.create({unid: 'u1', masterName: 'a', slaveName: 'b'})]))
      .ret).to.equal(0);
  });

  it('refuses a grouping it does not know (ret -1) and counts refused entries', async () => {
    const query = comm.stringToProxy(StatQuery.StatQueryProxy,
      `tars.tarsstat.StatQueryObj@${endpoint('tars.tarsstat.StatQueryObj')}`);
    expect((await query.liveStats(StatQuery.StatQueryRequest.create({by: 'colour'}))).ret).to.equal(-1);
    const stat = comm.stringToProxy(StatF.StatFProxy, `tars.tarsstat.StatObj@${endpoint('tars.tarsstat.StatObj')}`);
    await stat.reportMicMsg(new Map([[head('x'.repeat(10_000)), body(1)], [head('ok'), body(-5, 1)]]), true);
    const {stats} = await query.daemonStats();
    expect(Number(stats.rejected)).to.equal(1);
    const live = await query.liveStats(StatQuery.StatQueryRequest.create({by: 'interface', minutes: 1}));
    expect(live.series.map((s) => [s.interfaceName, Number(s.total!.count), Number(s.total!.timeoutCount)]))
      .to.deep.equal([['ok', 0, 1]]);
  });

  it('keys beyond --max-keys are dropped and counted: status and query say so', async () => {
    await daemon.stop();
    daemon = await startDaemon(statDaemon, {port: 0, data: data(), settings: {'metrics-port': 0, 'max-keys': 2},
      logger: new Logger('NONE', stderrSink)});
    const stat = comm.stringToProxy(StatF.StatFProxy, `tars.tarsstat.StatObj@${endpoint('tars.tarsstat.StatObj')}`);
    // One report, so one minute: a and b fit, c and d are dropped.
    await stat.reportMicMsg(new Map([[head('a'), body(1)], [head('b'), body(1)], [head('c'), body(1)],
      [head('d'), body(1)]]), true);
    const status = await tars(['stat', 'status', '--data', data(), '--json']);
    expect(status.exit, status.stderr).to.equal(0);
    // (keys counts the open minute: 0 if a new one began since.)
    expect((JSON.parse(status.stdout) as {stats: Record<string, unknown>}).stats).to.deep.include({keyCap: 2,
      droppedKeys: 2, rejected: 0});
    const text = await tars(['stat', 'status', '--data', data()]);
    expect(text.stdout).to.match(/keys\s+[02] of 2 this minute \(properties 0\); dropped at the cap 2, refused 0/);
    expect(text.stdout).to.match(/metrics\s+http:\/\/127\.0\.0\.1:\d+\/metrics/);
    const query = await tars(['stat', 'query', '--data', data(), '--by', 'interface']);
    expect(query.stdout.split('\n').slice(1, 3).map((l) => l.split(/\s+/).slice(1, 4))).to.deep.equal([
      ['a', 'client', '1'], ['b', 'client', '1']]);
    expect(query.stdout).to.contain('note: the daemon dropped 2 entries at its key cap (2 per minute) and refused 0');
  });

  it('without a daemon to ask, says how to start or name one (exit 2); a bad --since is a usage error', async () => {
    const saved = process.env.TARS_CONFIG_DIR;
    process.env.TARS_CONFIG_DIR = dir;
    try {
      const r = await tars(['stat', 'query', '--data', path.join(dir, 'none')]);
      expect(r.exit).to.equal(2);
      expect(r.stderr).to.match(/^error: no stat daemon to ask/);
      expect(r.stderr).to.match(/hint: start one \(tars stat start --detach\)/);
      const bad = await tars(['property', 'query', '--data', data(), '--since', 'yesterday']);
      expect(bad.exit).to.equal(2);
      expect(bad.stderr).to.match(/^error: --since "yesterday" is not a duration\nhint: write a positive number/);
    } finally {
      if (saved === undefined) delete process.env.TARS_CONFIG_DIR;
      else process.env.TARS_CONFIG_DIR = saved;
    }
  });
});
