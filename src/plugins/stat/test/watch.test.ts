// `tars stat watch`: the rows and the frame (pure), one snapshot through the real CLI (--once --json), and the live
// view in a real pseudo-terminal (tmux): it draws, refreshes as reports arrive, sorts on a key, and quits on q.
import {run} from '@oclif/core';
import {captureOutput} from '@oclif/test';
import {expect} from 'chai';
import {execFileSync} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {Communicator, Logger, stderrSink} from '@tars-ts/core';
import {PropertyF, StatF, StatQuery} from '@tars-ts/core/framework';
import {type RunningDaemon, startDaemon, stripAnsi} from '@tars-ts/kit';

import {statDaemon} from '../src/daemon.js';
import {
  type PropertyWatchJson, type WatchJson, type WatchRowJson, rowName, sortRows, watchFrame, watchRows,
} from '../src/watch.js';

import {sleep} from './support.js';

const root = new URL('../../../..', import.meta.url).pathname.replace(/\/$/, '');
const MIN = 60_000;

const point = (time: number, count: number, timeouts = 0, exceptions = 0, slowMs = 0): StatQuery.StatPoint =>
  StatQuery.StatPoint.create({time: BigInt(time), count: BigInt(count), timeoutCount: BigInt(timeouts),
    execCount: BigInt(exceptions), totalRspTime: BigInt(count * 10), maxRspTime: slowMs || 40, minRspTime: 2,
    intervalCount: new Map([[10, BigInt(count)], ...(slowMs ? [[3000, 1n] as [number, bigint]] : [])])});

function sumPoints(points: StatQuery.StatPoint[]): StatQuery.StatPoint {
  const total = point(0, 0);
  for (const p of points) {
    total.count += p.count;
    total.timeoutCount += p.timeoutCount;
    total.execCount += p.execCount;
    total.totalRspTime += p.totalRspTime;
    total.maxRspTime = Math.max(total.maxRspTime, p.maxRspTime);
    for (const [b, n] of p.intervalCount) total.intervalCount.set(b, (total.intervalCount.get(b) ?? 0n) + n);
  }
  return total;
}

const series = (callee: string, points: StatQuery.StatPoint[], side = 'server'): StatQuery.StatSeries =>
  StatQuery.StatSeries.create({callee, side, points, total: sumPoints(points)});

describe('tars stat watch: rows and frame', () => {
  const open = 100 * MIN;

  it('totals the window, estimates calls in the last 60 s, and gives one sparkline value per minute', () => {
    const rows = watchRows([series('A.S', [point(open - 2 * MIN, 30), point(open - MIN, 60), point(open, 20, 2, 1)])],
      'callee', {now: open + MIN / 4, openSlot: open, minuteMs: MIN, minutes: 4});
    expect(rows).to.have.length(1);
    const r = rows[0]!;
    // 23 calls in the open minute, plus three quarters of the 60 of the previous one.
    expect(r.callsPerMin).to.equal(23 + 45);
    expect(r).to.include({calls: 113, success: 110, timeout: 2, exception: 1});
    expect(r.perMinute).to.deep.equal([0, 30, 60, 23]);
    expect(r.timeoutPct).to.equal(1.77);
  });

  it('sorts by calls, errors, latency or name; ties by name', () => {
    const base = {side: 'server', calls: 10, success: 10, timeout: 0, exception: 0, successPct: 100, timeoutPct: 0,
      exceptionPct: 0, avgMs: 1, p99Ms: 5, maxMs: 5, perMinute: []};
    const rows: WatchRowJson[] = [
      {...base, callee: 'B', callsPerMin: 5, avgMs: 9},
      {...base, callee: 'A', callsPerMin: 50, timeoutPct: 3},
      {...base, callee: 'C', callsPerMin: 5, p99Ms: 500},
    ];
    expect(sortRows(rows, 'calls').map(rowName)).to.deep.equal(['A', 'B', 'C']);
    expect(sortRows(rows, 'errors').map(rowName)).to.deep.equal(['A', 'B', 'C']);
    expect(sortRows(rows, 'avg').map(rowName)).to.deep.equal(['B', 'A', 'C']);
    expect(sortRows(rows, 'p99').map(rowName)).to.deep.equal(['C', 'A', 'B']);
    expect(sortRows(rows, 'name').map(rowName)).to.deep.equal(['A', 'B', 'C']);
  });

  it('the frame colours failures and slow p99 past the thresholds, and says when rows do not fit', () => {
    const rows = watchRows([series('Bad.S', [point(open, 80, 10, 10, 3000)]), series('Good.S', [point(open, 100)])],
      'callee', {now: open + 1000, openSlot: open, minuteMs: MIN, minutes: 1});
    const state = {by: 'callee' as const, sort: 'calls' as const, minutes: 1, intervalMs: 3000, filters: '',
      time: new Date(open), colours: true};
    const frame = watchFrame(rows, state, 6);
    const bad = frame.find((l) => l.includes('Bad.S'))!;
    expect(bad).to.contain('\x1b[31m'); // red: 10 % timeouts, p99 3000 ms
    const good = frame.find((l) => l.includes('Good.S'));
    expect(good).to.equal(undefined); // room for one row: title, help, blank, header, the row, then the note
    expect(stripAnsi(frame.at(-1)!)).to.contain('1 more rows');
    expect(stripAnsi(watchFrame([], state, 20).join('\n'))).to.contain('no calls reported in the window yet');
    expect(watchFrame(rows, {...state, colours: false}, 20).join('')).to.not.contain('\x1b[');
  });
});

describe('tars stat watch: against a running stat daemon', function () {
  this.timeout(60_000);
  let dir: string;
  let daemon: RunningDaemon;
  let comm: Communicator;
  let stat: StatF.StatFProxy;
  let queryEndpoint: string;
  const socket = `tars-watch-${process.pid}`;
  const tmux = (...args: string[]): string => execFileSync('tmux', ['-u', '-L', socket, ...args],
    {encoding: 'utf8', env: {...process.env, LANG: 'C.UTF-8'}});

  const head = (callee: string, iface: string): StatF.StatMicMsgHead => StatF.StatMicMsgHead.create({
    masterName: 'TestApp.Caller', slaveName: callee, interfaceName: iface, masterIp: '10.0.0.1', slaveIp: '10.0.0.2',
    slavePort: 10015, returnValue: 0});
  const body = (count: number, timeouts = 0): StatF.StatMicMsgBody => StatF.StatMicMsgBody.create({count,
    timeoutCount: timeouts, totalRspTime: BigInt(count * 7), maxRspTime: 30, minRspTime: 1,
    intervalCount: new Map([[5, 0], [10, count]])});

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tars-stat-watch-'));
    daemon = await startDaemon(statDaemon, {port: 0, data: path.join(dir, 'stat'), settings: {'metrics-port': 0},
      logger: new Logger('NONE', stderrSink)});
    comm = new Communicator();
    const endpoint = (obj: string): string => daemon.info.endpoints.find((e) => e.obj === obj)!.endpoint;
    stat = comm.stringToProxy(StatF.StatFProxy, `tars.tarsstat.StatObj@${endpoint('tars.tarsstat.StatObj')}`);
    queryEndpoint = endpoint('tars.tarsstat.StatQueryObj');
  });

  after(async () => {
    try {
      tmux('kill-server');
    } catch {
      // not started, or gone
    }
    comm.close();
    await daemon.stop();
    rmSync(dir, {recursive: true, force: true});
  });

  it('--once --json prints one snapshot with the counts reported', async () => {
    await stat.reportMicMsg(new Map([[head('TestApp.HelloGo', 'EchoHello'), body(40, 2)]]), false);
    const {stdout, error} = await captureOutput(() => run(['stat', 'watch', '-e', queryEndpoint, '--once', '--json',
      '--by', 'interface'], root));
    expect(error).to.equal(undefined);
    const json = JSON.parse(stdout) as WatchJson;
    const row = json.rows.find((r) => r.callee === 'TestApp.HelloGo' && r.interface === 'EchoHello')!;
    expect(row).to.include({side: 'server', calls: 42, success: 40, timeout: 2, exception: 0, callsPerMin: 42});
  });

  it('tars property watch --once --json: each policy merged over the window, with this minute\'s value', async () => {
    const endpoint = daemon.info.endpoints.find((e) => e.obj === 'tars.tarsproperty.PropertyObj')!.endpoint;
    const property = comm.stringToProxy(PropertyF.PropertyFProxy, `tars.tarsproperty.PropertyObj@${endpoint}`);
    const prop = (pairs: [string, string][]) => new Map([[PropertyF.StatPropMsgHead.create({moduleName: 'TestApp.W',
      propertyName: 'queue', iPropertyVer: 2}), PropertyF.StatPropMsgBody.create({vInfo: pairs.map(([policy, value]) =>
      PropertyF.StatPropInfo.create({policy, value}))})]]);
    await property.reportPropMsg(prop([['Sum', '10'], ['Max', '7'], ['Avg', '4']]));
    await property.reportPropMsg(prop([['Sum', '5'], ['Max', '3'], ['Avg', '8']]));
    const {stdout, error} = await captureOutput(() => run(['property', 'watch', '-e', queryEndpoint, '--once',
      '--json', '--module', 'TestApp.W'], root));
    expect(error).to.equal(undefined);
    const json = JSON.parse(stdout) as PropertyWatchJson;
    const values = Object.fromEntries(json.rows.map((r) => [r.policy, [r.value, r.lastMinute, r.perMinute.at(-1)]]));
    expect(values).to.deep.equal({Sum: ['15', '15', 15], Max: ['7', '7', 7], Avg: ['6', '6', 6]});
  });

  it('in a terminal: draws, refreshes as reports arrive, sorts on a key, quits on q and restores the screen',
    async () => {
      const command = `cd ${root} && echo before-watch && node bin/dev.js stat watch -e "${queryEndpoint}" ` +
        '--interval 300; echo "exit=$?"; sleep 30';
      tmux('new-session', '-d', '-s', 'watch', '-x', '120', '-y', '20', command);
      const screen = (): string => tmux('capture-pane', '-p', '-t', 'watch');
      const until = async (what: string, test: (s: string) => boolean): Promise<string> => {
        for (let i = 0; i < 150; i++) {
          const s = screen();
          if (test(s)) return s;
          await sleep(100);
        }
        throw new Error(`${what} never showed; the screen:\n${screen()}`);
      };
      await until('the first frame', (s) => s.includes('tars stat watch') && s.includes('TestApp.HelloGo'));
      await stat.reportMicMsg(new Map([[head('TestApp.Other', 'Ping'), body(500)]]), false);
      const shown = await until('a refresh with the new callee', (s) => s.includes('TestApp.Other'));
      expect(shown).to.contain('sort: calls');
      expect(shown).to.not.contain('before-watch');
      // Sorted by calls: the busier callee first.
      expect(shown.indexOf('TestApp.Other')).to.be.below(shown.indexOf('TestApp.HelloGo'));
      tmux('send-keys', '-t', 'watch', 'n');
      const byName = await until('the sort by name', (s) => s.includes('sort: name'));
      expect(byName.indexOf('TestApp.HelloGo')).to.be.below(byName.indexOf('TestApp.Other'));
      tmux('send-keys', '-t', 'watch', 'q');
      const after = await until('the exit', (s) => s.includes('exit=0'));
      expect(after).to.contain('before-watch');
      expect(after).to.not.contain('tars stat watch');
    });
});
