// The stat daemon as a real process (`tars stat start` through bin/dev.js, with its minute shortened by the hidden
// --minute-ms): a kill -9 loses the open minute and nothing before it; a graceful stop loses nothing.
import {expect} from 'chai';
import type {ChildProcess} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {Communicator} from '@tars-ts/core';
import {StatF, StatQuery} from '@tars-ts/core/framework';

import {
  exited, killChildren, objectOf, registryLocatorOf, startCliDaemon, tars,
} from '../../../../test/support/cli-daemon.js';

import {sleep} from './support.js';

const MINUTE_MS = 3000;

interface Started {
  child: ChildProcess;
  stat: string;
  query: string;
}

/** `tars stat start` in a child process, once it is READY, with its StatObj and StatQueryObj. */
async function startStat(data: string, locator?: string): Promise<Started> {
  const {child, out} = await startCliDaemon(['stat', 'start', '--port', '0', '--metrics-port', '0', '--data', data,
    '--minute-ms', String(MINUTE_MS), ...(locator ? ['--locator', locator] : [])]);
  return {child, stat: objectOf(out, 'tars.tarsstat.StatObj'), query: objectOf(out, 'tars.tarsstat.StatQueryObj')};
}

/** `tars registry start` in a child process, once it is READY, with its QueryObj locator. */
async function startRegistry(data: string): Promise<{child: ChildProcess; locator: string}> {
  const {child, out} = await startCliDaemon(['registry', 'start', '--port', '0', '--data', data]);
  return {child, locator: registryLocatorOf(out)};
}

describe('tars stat as a process', function () {
  this.timeout(90_000);
  let dir: string;
  const children: ChildProcess[] = [];
  const comm = new Communicator();

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tars-stat-proc-'));
  });

  afterEach(async () => {
    await killChildren(children);
    rmSync(dir, {recursive: true, force: true});
  });

  after(() => comm.close());

  const report = async (d: Started, iface: string, count: number): Promise<void> => {
    const stat = comm.stringToProxy(StatF.StatFProxy, d.stat);
    const {ret} = await stat.reportMicMsg(new Map([[StatF.StatMicMsgHead.create({masterName: 'Kill.Caller',
      slaveName: 'Kill.Callee', interfaceName: iface, slaveIp: '10.0.0.1', slavePort: 1}),
    StatF.StatMicMsgBody.create({count, totalRspTime: BigInt(count), maxRspTime: 1, minRspTime: 1})]]), true);
    expect(ret).to.equal(0);
  };
  const stats = (d: Started) => comm.stringToProxy(StatQuery.StatQueryProxy, d.query).daemonStats()
    .then((r) => r.stats);
  const stored = async (data: string): Promise<Record<string, number>> => {
    const r = await tars(['stat', 'query', '--data', data, '--by', 'interface', '--json']);
    expect(r.exit, r.stderr).to.equal(0);
    return Object.fromEntries((JSON.parse(r.stdout) as {rows: {interface: string; calls: number}[]}).rows
      .map((x) => [x.interface, x.calls]));
  };

  it('kill -9 loses at most the open minute; a graceful stop writes it', async () => {
    const data = path.join(dir, 'stat');
    const first = await startStat(data);
    children.push(first.child);
    await report(first, 'before', 7);
    const minuteOfA = (await stats(first)).openSlot;
    // Wait (bounded) until that minute is closed and written.
    for (let i = 0; i < 200 && (await stats(first)).flushedSlot < minuteOfA; i++) await sleep(50);
    expect(Number((await stats(first)).flushedSlot)).to.be.at.least(Number(minuteOfA));
    // Report early in a fresh minute, then kill at once: that minute is still open, so it is the one lost.
    for (let i = 0; i < 200; i++) {
      const s = await stats(first);
      if (Number(s.now - s.openSlot) < MINUTE_MS / 3) break;
      await sleep(20);
    }
    const open = (await stats(first)).openSlot;
    await report(first, 'lost', 3);
    const s = await stats(first);
    first.child.kill('SIGKILL');
    await exited(first.child);
    expect(s.openSlot, 'the second report went into a minute still open when killed').to.equal(open);
    expect(Number(s.now - s.openSlot)).to.be.below(MINUTE_MS);

    const second = await startStat(data);
    children.push(second.child);
    expect(await stored(data)).to.deep.equal({before: 7});

    await report(second, 'graceful', 5);
    const stop = await tars(['stat', 'stop', '--data', data]);
    expect(stop.exit, stop.stderr).to.equal(0);
    await exited(second.child);
    const third = await startStat(data);
    children.push(third.child);
    expect(await stored(data)).to.deep.equal({before: 7, graceful: 5});
  });

  it('started with --locator, it lists itself in the registry: tars stat query --locator finds it by name', async () => {
    const registry = await startRegistry(path.join(dir, 'registry'));
    children.push(registry.child);
    const stat = await startStat(path.join(dir, 'stat'), registry.locator);
    children.push(stat.child);
    await report(stat, 'byName', 4);
    // The listing is retried while the registry is away: wait (bounded) until the name resolves.
    let r = await tars(['stat', 'query', '--locator', registry.locator, '--by', 'interface', '--json']);
    for (let i = 0; i < 100 && r.exit !== 0; i++) {
      await sleep(100);
      r = await tars(['stat', 'query', '--locator', registry.locator, '--by', 'interface', '--json']);
    }
    expect(r.exit, r.stderr).to.equal(0);
    expect((JSON.parse(r.stdout) as {rows: {interface: string; calls: number}[]}).rows
      .map((x) => [x.interface, x.calls])).to.deep.equal([['byName', 4]]);
  });
});
