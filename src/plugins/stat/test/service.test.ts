// The stat service over a real store (SQLite in a temp file) with an injected clock: minutes roll into the
// official 5-minute rows, queries see stored and unwritten minutes alike, keys beyond the cap are dropped and
// counted, a graceful close writes the open minute, old rows are purged.
import {expect} from 'chai';
import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {PropertyF, StatF, StatQuery} from '@tars-ts/core/framework';

import {filterOf, groupStats} from '../src/query.js';
import {StatQueryServant} from '../src/servants.js';
import {StatService} from '../src/stat-service.js';
import {StatStore, timeFlag} from '../src/store.js';
import {freshDatabase, freshSchema} from '../../../../test/support/postgres.js';

let database: Promise<string> | undefined;

const MINUTE = 60_000;
/** 2026-01-01 00:00 UTC: a 5-minute boundary. */
const T0 = Date.UTC(2026, 0, 1);

const stat = (iface: string, count: number, extra: Partial<StatF.StatMicMsgBody> = {},
  head: Partial<StatF.StatMicMsgHead> = {}): [StatF.StatMicMsgHead, StatF.StatMicMsgBody] => [
  StatF.StatMicMsgHead.create({masterName: 'TestApp.Caller', slaveName: 'TestApp.HelloGo', interfaceName: iface,
    masterIp: '10.0.0.1', slaveIp: '10.0.0.2', slavePort: 10015, ...head}),
  StatF.StatMicMsgBody.create({count, totalRspTime: BigInt(count * 4), maxRspTime: 9, minRspTime: 2,
    intervalCount: new Map([[5, count]]), ...extra})];

const prop = (name: string, pairs: [string, string][]): [PropertyF.StatPropMsgHead, PropertyF.StatPropMsgBody] => [
  PropertyF.StatPropMsgHead.create({moduleName: 'TestApp.HelloGo', propertyName: name, iPropertyVer: 2}),
  PropertyF.StatPropMsgBody.create({vInfo: pairs.map(([policy, value]) => PropertyF.StatPropInfo.create({policy,
    value}))})];

for (const on of ['sqlite', 'postgres'] as const) describe(`stat service (${on} store)`, () => {
  let dir: string;
  let store: StatStore;
  let now: number;
  let service: StatService;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tars-stat-svc-'));
    store = await StatStore.open(on === 'sqlite' ? path.join(dir, 'stat.db') : {kind: 'postgres',
      url: await (database ??= freshDatabase('stat')), schema: freshSchema('stat')});
    now = T0 + 10_000;
    service = new StatService({store, clock: () => now, timers: false, maxKeys: 3, maxMetricSeries: 3});
  });

  afterEach(async () => {
    await service.close();
    await store.close();
    rmSync(dir, {recursive: true, force: true});
  });

  const history = async (since = T0, by = 'callee') => groupStats(await service.historyStats(since, T0 + 3_600_000),
    filterOf(StatQuery.StatQueryRequest.create({by}))!).series;

  it('writes each closed minute into its 5-minute row, merged with the minutes before it', async () => {
    service.reportStats(new Map([stat('sayHello', 3)]), true, 'node-a');
    now += MINUTE;
    service.reportStats(new Map([stat('sayHello', 4, {maxRspTime: 20, minRspTime: 1})]), true, 'node-a');
    now += MINUTE;
    await service.tick();
    const rows = await store.readStats({since: 0, until: T0 + 3_600_000});
    expect(rows).to.have.length(1);
    expect(rows[0]!.slot).to.equal(T0);
    expect(rows[0]!.counters).to.deep.include({count: 7, totalRspTime: 28, maxRspTime: 20, minRspTime: 1});
    expect([...rows[0]!.counters.intervals]).to.deep.equal([[5, 7]]);
    expect(service.counters.flushedSlot).to.equal(T0 + MINUTE);
  });

  it('a minute of the next 5-minute slot gets its own row', async () => {
    service.reportStats(new Map([stat('sayHello', 1)]), true, 'h');
    now = T0 + 5 * MINUTE + 1;
    service.reportStats(new Map([stat('sayHello', 2)]), true, 'h');
    now += MINUTE;
    await service.tick();
    const rows = await store.readStats({since: 0, until: T0 + 3_600_000});
    expect(rows.map((r) => [r.slot, r.counters.count])).to.deep.equal([[T0, 1], [T0 + 5 * MINUTE, 2]]);
  });

  it('history sees the stored rows and the minutes not written yet, each once', async () => {
    service.reportStats(new Map([stat('sayHello', 3)]), true, 'h');
    now += MINUTE;
    await service.tick();
    service.reportStats(new Map([stat('sayHello', 5)]), true, 'h');
    const [series] = await history();
    expect(Number(series!.total!.count)).to.equal(8);
    expect(series!.points.map((p) => Number(p.count))).to.deep.equal([8]);
  });

  it('groups by callee, by interface and by caller, each side apart', async () => {
    service.reportStats(new Map([stat('a', 1), stat('b', 2)]), true, 'h');
    service.reportStats(new Map([stat('a', 10, {}, {masterName: 'stat_from_server'})]), false, 'h');
    const byCallee = await history();
    expect(byCallee.map((s) => [s.callee, s.side, Number(s.total!.count)])).to.deep.equal([
      ['TestApp.HelloGo', 'server', 10], ['TestApp.HelloGo', 'client', 3]]);
    const byIface = await history(T0, 'interface');
    expect(byIface.map((s) => [s.interfaceName, s.side, Number(s.total!.count)])).to.deep.equal([
      ['a', 'server', 10], ['b', 'client', 2], ['a', 'client', 1]]);
    const top = groupStats(await service.historyStats(T0, T0 + 3_600_000),
      filterOf(StatQuery.StatQueryRequest.create({by: 'interface'}))!, 2);
    expect(top.series.map((s) => [s.interfaceName, s.side]), 'the most calls first').to.deep.equal([['a', 'server'],
      ['b', 'client']]);
    expect(top.groups, 'how many matched').to.equal(3);
    const byCaller = await history(T0, 'caller');
    expect(byCaller.map((s) => [s.caller, s.side])).to.deep.equal([['stat_from_server', 'server'],
      ['TestApp.Caller', 'client']]);
  });

  it('an answer carries at most 100,000 points: the series past that are left out, and counted in groups', () => {
    const counters = {count: 1, timeoutCount: 0, execCount: 0, totalRspTime: 1, maxRspTime: 1, minRspTime: 1,
      intervals: new Map<number, number>()};
    const rows = ['a', 'b', 'c'].flatMap((iface, g) => Array.from({length: 40_000 + g}, (_, i) => ({time: i,
      key: {...stat(iface, 1)[0], side: 'client' as const}, counters})));
    const answer = groupStats(rows, filterOf(StatQuery.StatQueryRequest.create({by: 'interface'}))!, 1000);
    expect(answer.groups).to.equal(3);
    expect(answer.series.map((s) => [s.interfaceName, s.points.length])).to.deep.equal([['c', 40_002], ['b', 40_001]]);
  });

  it('drops new keys beyond the cap of a minute and counts them; known keys still add up', async () => {
    service.reportStats(new Map([stat('a', 1), stat('b', 1), stat('c', 1), stat('d', 1)]), true, 'h');
    service.reportStats(new Map([stat('a', 1), stat('e', 1)]), true, 'h');
    expect(service.openSlot.stats.size).to.equal(3);
    expect(service.counters.droppedKeys).to.equal(2);
    now += MINUTE;
    service.reportStats(new Map([stat('d', 1)]), true, 'h');
    expect(service.counters.droppedKeys, 'a new minute has room again').to.equal(2);
    const rows = groupStats(await service.historyStats(T0, T0 + 3_600_000),
      filterOf(StatQuery.StatQueryRequest.create({by: 'interface'}))!).series;
    expect(rows.map((s) => [s.interfaceName, Number(s.total!.count)])).to.deep.equal([['a', 2], ['b', 1], ['c', 1],
      ['d', 1]]);
  });

  it('/metrics totals are one series per callee, function, side and return value, whoever reports', async () => {
    for (let host = 0; host < 10; host++) {
      service.reportStats(new Map([stat('a', 1)]), true, `10.0.0.${host}`);
      now += MINUTE;
    }
    expect(service.cumulative.size).to.equal(1);
    expect(service.cumulative.entries.values().next().value!.value.count).to.equal(10);
    service.reportStats(new Map([stat('b', 1), stat('c', 1), stat('d', 1)]), true, 'h');
    expect(service.cumulative.size, 'capped at maxMetricSeries').to.equal(3);
    expect(service.counters.metricSeriesDropped).to.equal(1);
  });

  it('close writes the open minute, however young', async () => {
    service.reportStats(new Map([stat('a', 2)]), true, 'h');
    service.reportProps(new Map([prop('queue', [['Sum', '5'], ['Avg', '4']])]), '127.0.0.1');
    await service.close();
    expect((await store.readStats({since: 0, until: T0 + 3_600_000})).map((r) => r.counters.count)).to.deep.equal([2]);
    expect((await store.readProps({since: 0, until: T0 + 3_600_000})).map((r) => [r.policy, r.value]))
      .to.have.deep.members([['Sum', '5'], ['Avg', '4']]);
  });

  it('properties: minutes merge as their policies merge, in the store and in the query', async () => {
    service.reportProps(new Map([prop('queue', [['Sum', '5'], ['Avg', '4'], ['Distr', '10|1,100|0']])]), '10.0.0.9');
    now += MINUTE;
    service.reportProps(new Map([prop('queue', [['Sum', '7'], ['Avg', '8'], ['Distr', '10|0,100|3']])]), '10.0.0.9');
    now += MINUTE;
    await service.tick();
    service.reportProps(new Map([prop('queue', [['Avg', '9']])]), '10.0.0.9');
    const series = (await new StatQueryServant(service).historyProperties(StatQuery.PropertyQueryRequest.create({
      since: BigInt(T0)}))).series;
    expect(series.map((s) => [s.policy, s.ip, s.total])).to.deep.equal([['Avg', '10.0.0.9', '7'],
      ['Distr', '10.0.0.9', '10|1,100|3'], ['Sum', '10.0.0.9', '12']]);
    const stored = await store.readProps({since: 0, until: T0 + 3_600_000});
    expect(stored.find((r) => r.policy === 'Avg')!.value, 'kept mergeable').to.equal('12=2');
  });

  it('the live view has one point per minute, and lets go of minutes past the window', async () => {
    const small = new StatService({store, clock: () => now, timers: false, liveMinutes: 2});
    small.reportStats(new Map([stat('a', 1)]), true, 'h');
    now += MINUTE;
    small.reportStats(new Map([stat('a', 2)]), true, 'h');
    const live = (await new StatQueryServant(small).liveStats(StatQuery.StatQueryRequest.create({minutes: 60})))
      .series;
    expect(live[0]!.points.map((p) => [Number(p.time) - T0, Number(p.count)])).to.deep.equal([[0, 1], [MINUTE, 2]]);
    now += 2 * MINUTE;
    // Minutes without reports have no slot; the first minute is past the 2-minute window.
    expect(small.liveSlots().map((m) => m.start - T0)).to.deep.equal([MINUTE, 3 * MINUTE]);
    await small.close();
  });

  it('purges rows older than the retention', async () => {
    service.reportStats(new Map([stat('a', 1)]), true, 'h');
    now += MINUTE;
    await service.tick();
    now += 32 * 86_400_000;
    expect(await service.purge()).to.equal(1);
    expect(await store.readStats({since: 0, until: now})).to.deep.equal([]);
  });

  it('labels a slot by its end in the official way: a full hour is the previous hour with minute 60', () => {
    const local = new Date(2026, 0, 1, 8, 55).getTime();
    expect(timeFlag(local, 5 * MINUTE)).to.deep.equal({date: '2026-01-01', tflag: '0860'});
    expect(timeFlag(local - 5 * MINUTE, 5 * MINUTE).tflag).to.equal('0855');
  });
});
