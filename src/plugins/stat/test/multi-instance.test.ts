// Two stat daemons on one PostgreSQL database, as real processes (`tars stat start --db URL --locator ...`, their
// minute shortened to 3 s by the hidden --minute-ms), both listed in a registry process under the official names.
// A client (our Communicator, reporting through the registry to `tars.tarsstat.StatObj` and
// `tars.tarsproperty.PropertyObj`) calls a service and reports; its reports spread over both daemons. Read back with
// the CLI: `tars stat query`, `tars stat watch --once` and `tars property query` give exactly what was reported,
// while minutes are unwritten and after every minute is written (no double count); after a kill -9 of one daemon
// the other still answers everything written, the killed one's open minute is what is lost, and the client's
// further reports go to the live one. Every process started here is killed by pid in `after`.
import {expect} from 'chai';
import type {ChildProcess} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {
  Application, Avg, Communicator, Logger, ManualReportTimer, PropertyRegistry, Sum,
} from '@tars-ts/core';
import {StatF, StatQuery} from '@tars-ts/core/framework';

import {
  exited, killChildren, objectOf, registryLocatorOf, startCliDaemon, tars, tarsJson,
} from '../../../../test/support/cli-daemon.js';
import {freshDatabase} from '../../../../test/support/postgres.js';
import {Probe, ProbeProxy} from '../../../../test/support/probe.js';
import {until} from '../../../../test/support/wait.js';
import type {PropertyQueryJson} from '../src/commands/property/query.js';
import type {StatQueryJson} from '../src/commands/stat/query.js';
import type {PropertyWatchJson, WatchJson} from '../src/watch.js';

import {numberText} from '../src/property.js';

import {sleep} from './support.js';

const MINUTE_MS = 3000;

interface Instance {
  child: ChildProcess;
  statObj: string;
  queryObj: string;
  queryEndpoint: string;
}

describe('tars stat: two instances on one PostgreSQL database (processes)', function () {
  this.timeout(240_000);
  let work: string;
  let locator: string;
  let url: string;
  const children: ChildProcess[] = [];
  const instances: Instance[] = [];
  let service: Application | undefined;
  let client: Communicator | undefined;
  const comm = new Communicator();
  const L = () => ['--locator', locator];

  before(async () => {
    work = mkdtempSync(path.join(os.tmpdir(), 'tars-stat-multi-'));
    url = await freshDatabase('stat_multi');
    const registry = await startCliDaemon(['registry', 'start', '--port', '0', '--data', path.join(work, 'registry')]);
    children.push(registry.child);
    locator = registryLocatorOf(registry.out);
    for (const name of ['one', 'two']) {
      const {child, out} = await startCliDaemon(['stat', 'start', '--port', '0', '--metrics-port', '0', '--data',
        path.join(work, name), '--db', url, '--minute-ms', String(MINUTE_MS), ...L()]);
      children.push(child);
      const queryObj = objectOf(out, 'tars.tarsstat.StatQueryObj');
      instances.push({child, statObj: objectOf(out, 'tars.tarsstat.StatObj'), queryObj,
        queryEndpoint: queryObj.slice(queryObj.indexOf('@') + 1)});
    }
    for (const obj of ['tars.tarsstat.StatObj', 'tars.tarsproperty.PropertyObj', 'tars.tarsstat.StatQueryObj']) {
      await until(async () => (await tarsJson<{endpoints: unknown[]}>(['registry', 'find', obj, ...L()])).endpoints
        .length === 2, `both instances of ${obj} listed in the registry`, 30_000);
    }
  });

  after(async () => {
    client?.close();
    comm.close();
    await service?.close();
    await killChildren(children.reverse());
    rmSync(work, {recursive: true, force: true});
  });

  const daemonStats = async (i: Instance) => (await comm.stringToProxy(StatQuery.StatQueryProxy, i.queryObj,
    {timeout: 5000}).daemonStats()).stats;
  /** Calls per interface of the client's reports (`tars stat query --by interface --app Multi --json`). */
  const query = async (): Promise<{calls: Record<string, number>; json: StatQueryJson}> => {
    const json = await tarsJson<StatQueryJson>(['stat', 'query', '--by', 'interface', '--app', 'Multi', ...L()]);
    return {json, calls: Object.fromEntries(json.rows.map((r) => [`${r.interface}/${r.side}`, r.calls]))};
  };
  /** What an instance holds that it has not written yet: calls per series (no filter). */
  const unwrittenCalls = async (i: Instance): Promise<number> => (await comm.stringToProxy(StatQuery.StatQueryProxy,
    i.queryObj, {timeout: 5000}).unwrittenStats(StatQuery.StatQueryRequest.create({}))).part.series
    .reduce((n, s) => n + Number(s.total!.count) + Number(s.total!.timeoutCount) + Number(s.total!.execCount), 0);
  /** Waits (bounded) until the instance's minute is at most a third gone: the next steps end within it. */
  const freshMinute = async (i: Instance): Promise<void> => {
    for (let k = 0; k < 200; k++) {
      const s = await daemonStats(i);
      if (Number(s.now - s.openSlot) < MINUTE_MS / 3) return;
      await sleep(20);
    }
  };
  /** Waits (bounded) until every live instance has written everything it took (nothing reports meanwhile). */
  const allWritten = async (live: Instance[]): Promise<number> => {
    const started = Date.now();
    await until(async () => (await Promise.all(live.map(unwrittenCalls))).every((n) => n === 0),
      'every instance to write its minutes', 10 * MINUTE_MS);
    return Date.now() - started;
  };

  it('queries gather every instance: exact totals live and written, and after a kill -9 of one', async () => {
    const [one, two] = instances as [Instance, Instance];
    // The called service, in this process; the caller reports through the registry, spread over both daemons.
    service = Application.fromOptions({app: 'Multi', server: 'Svc', localip: '127.0.0.1', logger: new Logger('NONE'),
      adapters: [{servant: 'ProbeObj', endpoint: 'tcp -h 127.0.0.1 -p 0 -t 60000'}]});
    service.addServant(new Probe(), 'Multi.Svc.ProbeObj');
    await service.start();
    const probeObj = `Multi.Svc.ProbeObj@tcp -h 127.0.0.1 -p ${service.servantAdapters[0]!.endpoint.port} -t 60000`;
    const timer = new ManualReportTimer();
    const properties = new PropertyRegistry();
    client = new Communicator({locator, stat: 'tars.tarsstat.StatObj', property: 'tars.tarsproperty.PropertyObj',
      modulename: 'Multi.Caller', localip: '127.0.0.1', reporting: {timer, properties}});
    const probe = client.stringToProxy(ProbeProxy, probeObj);
    const queue = properties.create('queue', Sum(), Avg());

    const sent = {echo: 0, boom: 0};
    let queueSum = 0;
    /** A round: calls, one property value, then the reports (each a two-way RPC, to one daemon). */
    const round = async (i: number): Promise<void> => {
      const echoes = 5 + (i % 7) * 3;
      await Promise.all(Array.from({length: echoes}, (_, k) => probe.echo(`${i}.${k}`)));
      sent.echo += echoes;
      if (i % 3 === 0) {
        await probe.boom('plain').catch(() => undefined);
        sent.boom++;
      }
      // Never 0: a client leaves out a policy whose value is 0, as TarsGo does.
      queue.report(10 + i * 10);
      queueSum += 10 + i * 10;
      await client!.flushReports();
    };

    // 1. Twenty rounds, over a few minutes of the daemons' clock.
    const t1 = Date.now();
    let rounds = 0;
    for (; rounds < 20; rounds++) {
      await round(rounds);
      await sleep(MINUTE_MS / 10);
    }
    const reportMs = Date.now() - t1;
    // Then, early in a fresh minute, rounds until each instance holds calls it has not written (the reports go to
    // one instance each): the query below gathers them from both.
    let unwritten = [0, 0];
    for (let attempt = 0; attempt < 3 && unwritten.some((n) => n === 0); attempt++) {
      await freshMinute(one);
      for (let k = 0; k < 6 && (await Promise.all([one, two].map(unwrittenCalls))).some((n) => n === 0); k++) {
        await round(rounds++);
      }
      unwritten = await Promise.all([one, two].map(unwrittenCalls));
    }
    const reporter = client.stats();
    expect(reporter.stat, 'every report answered').to.include({failed: 0, dropped: 0, skipped: 0});
    const perInstance = await Promise.all([one, two].map(async (i) => Number((await daemonStats(i)).reports)));
    expect(perInstance[0], 'reports reached the first instance').to.be.above(0);
    expect(perInstance[1], 'reports reached the second instance').to.be.above(0);
    const expected = {'echo/client': sent.echo, 'boom/client': sent.boom};

    // Both hold minutes not written yet (the open one at least) when the query runs.
    expect(unwritten.every((n) => n > 0), `unwritten calls ${unwritten.join(' / ')}`).to.equal(true);
    const t2 = Date.now();
    const live = await query();
    const queryMs = Date.now() - t2;
    expect(live.calls).to.deep.equal(expected);
    expect(live.json.instances).to.deep.equal({asked: 2, answered: 2, unanswered: []});
    const boom = live.json.rows.find((r) => r.interface === 'boom')!;
    expect(boom).to.include({success: 0, exception: sent.boom});

    const watch = await tarsJson<WatchJson>(['stat', 'watch', '--once', '--by', 'interface', '--app', 'Multi',
      '--minutes', '60', ...L()]);
    expect(Object.fromEntries(watch.rows.map((r) => [`${r.interface}/${r.side}`, r.calls]))).to.deep.equal(expected);
    expect(watch.instances.answered).to.equal(2);
    expect((await tars(['stat', 'watch', '--once', '--app', 'Multi', ...L()])).stdout).to.match(/2 of 2 instances: \d+ keys/);

    const props = await tarsJson<PropertyQueryJson>(['property', 'query', '--module', 'Multi.Caller', ...L()]);
    // One reporter IP, so one row per policy, merged over both instances: the Avg of one sample a round.
    expect(Object.fromEntries(props.rows.map((r) => [r.policy, r.value]))).to.deep.equal({Sum: String(queueSum),
      Avg: numberText(queueSum / rounds)});

    const propWatch = await tarsJson<PropertyWatchJson>(['property', 'watch', '--once', '--module', 'Multi.Caller',
      '--minutes', '60', ...L()]);
    expect(propWatch.instances.answered).to.equal(2);
    expect(Object.fromEntries(propWatch.rows.map((r) => [r.policy, r.value])), 'live, merged over both instances')
      .to.deep.equal({Sum: String(queueSum), Avg: numberText(queueSum / rounds)});

    // 2. Once every minute is written, the same totals: the store's rows, no unwritten copy counted again.
    const writtenMs = await allWritten([one, two]);
    expect((await query()).calls).to.deep.equal(expected);
    const propsWritten = await tarsJson<PropertyQueryJson>(['property', 'query', '--module', 'Multi.Caller', ...L()]);
    expect(propsWritten.rows.map((r) => r.value)).to.deep.equal(props.rows.map((r) => r.value));

    // 3. kill -9 the second early in a fresh minute, right after it took a report: that open minute is lost, and
    // nothing it wrote before.
    const direct = (i: Instance, iface: string, count: number) => comm.stringToProxy(StatF.StatFProxy, i.statObj)
      .reportMicMsg(new Map([[StatF.StatMicMsgHead.create({masterName: 'Multi.Direct', slaveName: 'Multi.Svc',
        interfaceName: iface, slaveIp: '127.0.0.1', slavePort: 1}), StatF.StatMicMsgBody.create({count,
        totalRspTime: BigInt(count), maxRspTime: 1, minRspTime: 1})]]), true);
    await freshMinute(two);
    expect((await direct(one, 'kept', 4)).ret).to.equal(0);
    const before = await daemonStats(two);
    expect((await direct(two, 'lost', 3)).ret).to.equal(0);
    two.child.kill('SIGKILL');
    await exited(two.child);
    expect(Number(before.now - before.openSlot), 'the lost report went into a minute still open').to.be
      .below(MINUTE_MS * 2 / 3);

    const t3 = Date.now();
    const afterKill = await query();
    const killedQueryMs = Date.now() - t3;
    expect(afterKill.calls).to.deep.equal({...expected, 'kept/client': 4});
    expect(afterKill.json.instances.answered).to.equal(1);
    // The registry still lists the killed one (a hand-added endpoint): it is asked, does not answer, and is named.
    expect(afterKill.json.instances.unanswered.map((u) => u.endpoint)).to.deep.equal(
      afterKill.json.instances.asked === 2 ? [two.queryEndpoint] : []);
    const text = await tars(['stat', 'query', '--by', 'interface', '--app', 'Multi', ...L()]);
    expect(text.exit, text.stderr).to.equal(0);
    expect(text.stdout).to.include(`note: 1 of 2 stat instances answered; ${two.queryEndpoint} did not`);
    const watchAfter = await tarsJson<WatchJson>(['stat', 'watch', '--once', '--by', 'interface', '--app', 'Multi',
      '--minutes', '60', ...L()]);
    expect(watchAfter.instances).to.include({asked: 2, answered: 1});
    expect(watchAfter.rows.find((r) => r.interface === 'kept')?.calls).to.equal(4);
    const watchText = await tars(['stat', 'watch', '--once', '--app', 'Multi', ...L()]);
    expect(watchText.exit, watchText.stderr).to.equal(0);
    expect(watchText.stdout).to.include(`1 of 2 instances (${two.queryEndpoint} did not answer`);

    // The client goes on: its reports to the dead daemon go to the live one (the connection never opens).
    const failedBefore = client.stats().stat!.failed;
    const echoesBefore = sent.echo;
    const t4 = Date.now();
    for (let k = 0; k < 6; k++) await round(rounds++);
    const failoverMs = Date.now() - t4;
    const failedAfter = client.stats().stat!.failed;
    const total = {...expected, 'echo/client': sent.echo, 'boom/client': sent.boom, 'kept/client': 4};
    expect((await query()).calls, 'reports after the kill all counted').to.deep.equal(total);

    // 4. Written by the live one: the same totals again.
    await allWritten([one]);
    expect((await query()).calls).to.deep.equal(total);

    console.log(`      ${rounds - 6} rounds (20 of them 300 ms apart in ${reportMs} ms, ${rounds - 26} more early in a ` +
      `fresh minute): ${echoesBefore} echo + ${expected['boom/client']} boom calls, reports per instance ` +
      `${perInstance.join(' / ')}; unwritten at query time ${unwritten.join(' / ')} calls; tars stat query over 2 ` +
      `instances ${queryMs} ms; every minute written ${writtenMs} ms later; query with one killed ` +
      `${killedQueryMs} ms; 6 rounds after the kill (${sent.echo - echoesBefore} echo calls) reported in ` +
      `${failoverMs} ms, report RPCs failed ${failedAfter - failedBefore}; lost with the killed instance: its open ` +
      'minute (3 calls)');
    expect(failedAfter - failedBefore, 'no report of the client lost to the dead daemon').to.equal(0);
  });
});
