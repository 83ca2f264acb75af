// Several stat instances on one PostgreSQL database, in this process (each its own store, so its own connection
// pool, as two daemons would have): concurrent writes of the same 5-minute rows lose no increment and fail no
// transaction; purges by several instances at once are harmless; a history query that gathers every instance's
// unwritten minutes counts each report once, also when a minute is written between its two steps; live answers of
// several instances merge exactly (sums, max, non-zero min, histograms, property policies).
import {expect} from 'chai';

import {PropertyF, StatF, StatQuery} from '@tars-ts/core/framework';

import {type StatCounters, type StatKey, emptyCounters, mergeCounters} from '../src/aggregate.js';
import {filterOf, groupStats, mergePropAnswers, mergeStatAnswers} from '../src/query.js';
import {StatQueryServant} from '../src/servants.js';
import {StatService} from '../src/stat-service.js';
import {StatStore} from '../src/store.js';
import {sleep} from './support.js';
import {freshDatabase, freshSchema} from '../../../../test/support/postgres.js';

const MINUTE = 60_000;
/** 2026-01-01 00:00 UTC: a 5-minute boundary. */
const T0 = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;

const key = (iface: string): StatKey => ({side: 'client', masterName: 'Shared.Caller', slaveName: 'Shared.Callee',
  interfaceName: iface, masterIp: '10.0.0.1', slaveIp: '10.0.0.2', slavePort: 1, returnValue: 0, slaveSetName: '',
  slaveSetArea: '', slaveSetID: '', tarsVersion: ''});

const counters = (n: number, ms: number): StatCounters => ({count: n, timeoutCount: n % 3, execCount: n % 2,
  totalRspTime: n * ms, maxRspTime: ms, minRspTime: ms, intervals: new Map([[5, n], [ms >= 10 ? 50 : 10, n % 4]])});

const stat = (iface: string, count: number, ms: number): [StatF.StatMicMsgHead, StatF.StatMicMsgBody] => [
  StatF.StatMicMsgHead.create({masterName: 'Shared.Caller', slaveName: 'Shared.Callee', interfaceName: iface,
    masterIp: '10.0.0.1', slaveIp: '10.0.0.2', slavePort: 1}),
  StatF.StatMicMsgBody.create({count, timeoutCount: 1, totalRspTime: BigInt(count * ms), maxRspTime: ms,
    minRspTime: ms, intervalCount: new Map([[5, ms < 5 ? count : 0], [50, ms < 5 ? 0 : count]])})];

const prop = (pairs: [string, string][]): [PropertyF.StatPropMsgHead, PropertyF.StatPropMsgBody] => [
  PropertyF.StatPropMsgHead.create({moduleName: 'Shared.Callee', propertyName: 'queue', iPropertyVer: 2}),
  PropertyF.StatPropMsgBody.create({vInfo: pairs.map(([policy, value]) => PropertyF.StatPropInfo.create({policy,
    value}))})];

describe('stat: several instances on one PostgreSQL database', function () {
  this.timeout(60_000);
  let url: string;
  let schema: string;
  const stores: StatStore[] = [];
  const services: StatService[] = [];

  before(async () => {
    url = await freshDatabase('stat_shared');
  });

  beforeEach(() => {
    schema = freshSchema('stat');
  });

  afterEach(async () => {
    for (const s of services.splice(0)) await s.close();
    for (const s of stores.splice(0)) await s.close();
  });

  const open = async (): Promise<StatStore> => {
    const store = await StatStore.open({kind: 'postgres', url, schema});
    stores.push(store);
    return store;
  };

  it('two instances adding minutes into the same rows at once keep every increment, and no write fails', async () => {
    const [a, b] = [await open(), await open()];
    const KEYS = 40;
    const MINUTES = 12;
    const expected = new Map<string, StatCounters>();
    const minuteOf = (who: number, m: number) => Array.from({length: KEYS}, (_, k) => {
      const value = counters(1 + ((who * 7 + m * 3 + k) % 11), 2 + ((who + m + k) % 30));
      const e = expected.get(String(k)) ?? emptyCounters();
      expected.set(String(k), mergeCounters(e, value));
      return {key: key(`f${k}`), value};
    });
    const props = (who: number) => [{key: {moduleName: 'Shared.Callee', ip: '127.0.0.1', propertyName: 'queue',
      setName: '', setArea: '', setID: ''}, value: new Map([['Sum', String(who + 1)], ['Avg', String(10 * (who + 1))],
      ['Distr', `10|${who + 1},100|1`]])}];
    const started = Date.now();
    // Every minute of both instances into the same slot, all in flight together: 24 transactions contending.
    const writes = [a, b].flatMap((store, who) => Array.from({length: MINUTES}, (_, m) =>
      store.addMinute(T0, 5 * MINUTE, minuteOf(who, m), props(who), {instance: `i${who}`, minute: T0 + m})));
    const results = await Promise.allSettled(writes);
    const ms = Date.now() - started;
    expect(results.filter((r) => r.status === 'rejected'), 'no write failed').to.deep.equal([]);

    const rows = await a.readStats({since: T0, until: T0 + HOUR});
    expect(rows).to.have.length(KEYS);
    for (const r of rows) {
      const e = expected.get(r.key.interfaceName.slice(1))!;
      expect(r.counters, r.key.interfaceName).to.deep.equal(e);
    }
    const stored = Object.fromEntries((await b.readProps({since: T0, until: T0 + HOUR})).map((r) => [r.policy,
      r.value]));
    // 12 minutes of each: Sum 12x1 + 12x2, Avg 24 samples, Distr bucket by bucket.
    expect(stored).to.deep.equal({Sum: '36', Avg: '360=24', Distr: '10|36,100|24'});
    const calls = [...expected.values()].reduce((n, c) => n + c.count + c.timeoutCount + c.execCount, 0);
    console.log(`      ${writes.length} concurrent minute writes of ${KEYS} keys into one slot: ${ms} ms, ` +
      `${calls} calls, all kept`);
  });

  it('retention purges by several instances at once are harmless, also while minutes are written', async () => {
    const [a, b] = [await open(), await open()];
    for (let d = 0; d < 20; d++) {
      await a.addMinute(T0 - (40 - d) * 86_400_000, 5 * MINUTE, [{key: key('old'), value: counters(1, 1)}], [],
        {instance: 'old', minute: T0 - (40 - d) * 86_400_000});
    }
    const purges = [a.purge(T0 - 31 * 86_400_000), b.purge(T0 - 31 * 86_400_000), a.purge(T0 - 31 * 86_400_000)];
    const write = b.addMinute(T0, 5 * MINUTE, [{key: key('new'), value: counters(5, 3)}], [], {instance: 'b',
      minute: T0});
    const done = await Promise.allSettled([...purges, write]);
    expect(done.filter((r) => r.status === 'rejected')).to.deep.equal([]);
    const deleted = done.slice(0, 3).reduce((n, r) => n + (r as PromiseFulfilledResult<number>).value, 0);
    // Rows 40 to 32 days old go; 31 to 21 days old stay.
    expect(deleted, 'each old row deleted once, by whichever came first').to.equal(9);
    const left = await a.readStats({since: 0, until: T0 + HOUR});
    expect(left.map((r) => [r.key.interfaceName, r.counters.count])).to.deep.equal([
      ...Array.from({length: 11}, () => ['old', 1]), ['new', 5]]);
  });

  describe('a history query over two instances', () => {
    let now: number;
    let a: StatService;
    let b: StatService;

    beforeEach(async () => {
      now = T0 + 10_000;
      a = new StatService({store: await open(), clock: () => now, timers: false, instance: 'a'});
      b = new StatService({store: await open(), clock: () => now, timers: false, instance: 'b'});
      services.push(a, b);
    });

    const byIface = StatQuery.StatQueryRequest.create({by: 'interface', since: BigInt(T0)});
    const totals = (series: StatQuery.StatSeries[]) => Object.fromEntries(series.map((s) => [s.interfaceName,
      Number(s.total!.count)]));

    /** The two steps of tars stat query over several instances, with `between` run between them. */
    const gather = async (reader: StatService, between: () => Promise<unknown> = async () => {}) => {
      const parts = [(new StatQueryServant(a).unwrittenStats(byIface)).part,
        (new StatQueryServant(b).unwrittenStats(byIface)).part];
      await between();
      const r = await new StatQueryServant(reader).gatherHistoryStats(byIface, parts);
      expect(r.ret).to.equal(0);
      return r.series;
    };

    it('counts every report once: unwritten on both, written by one in between, written by both', async () => {
      a.reportStats(new Map([stat('x', 3, 2)]), true, 'h');
      b.reportStats(new Map([stat('x', 4, 20), stat('y', 1, 2)]), true, 'h');
      expect(totals(await gather(a))).to.deep.equal({x: 7, y: 1});

      now += MINUTE;
      // b writes its minute after the query asked for its unwritten minutes and before the store is read: the
      // minute is in the store then, and its unwritten copy is left out.
      const bothSteps = await gather(b, () => b.tick());
      expect(totals(bothSteps)).to.deep.equal({x: 7, y: 1});
      const x = bothSteps.find((s) => s.interfaceName === 'x')!.total!;
      expect({max: x.maxRspTime, min: x.minRspTime, timeouts: Number(x.timeoutCount),
        buckets: [...x.intervalCount].map(([k, v]) => [k, Number(v)])}).to.deep.equal({max: 20, min: 2, timeouts: 2,
        buckets: [[5, 3], [50, 4]]});

      a.reportStats(new Map([stat('y', 5, 2)]), true, 'h');
      await a.tick();
      await b.tick();
      expect(totals(await gather(a))).to.deep.equal({x: 7, y: 6});
      expect(totals(await gather(b)), 'either instance reads the same').to.deep.equal({x: 7, y: 6});
      // Adding up the old historyStats of both would count the store twice: why one instance reads it.
      const [ha, hb] = await Promise.all([a.historyStats(T0, T0 + HOUR), b.historyStats(T0, T0 + HOUR)]);
      const f = filterOf(byIface)!;
      expect(totals(groupStats([...ha, ...hb], f).series)).to.deep.equal({x: 14, y: 7});
    });

    it('stays exact while both instances write minutes during the queries (60 queries racing the writes)',
      async () => {
        const servant = new StatQueryServant(a);
        let reported = 0;
        let written = 0;
        for (let i = 0; i < 60; i++) {
          const n = 1 + (i % 5);
          (i % 2 === 0 ? a : b).reportStats(new Map([stat('x', n, 2)]), true, 'h');
          reported += n;
          if (i % 3 === 2) now += MINUTE;
          const parts = [new StatQueryServant(a).unwrittenStats(byIface).part,
            new StatQueryServant(b).unwrittenStats(byIface).part];
          // Step 2 and both instances' writes of the minutes just closed, all at once.
          const before = a.counters.flushedSlot + b.counters.flushedSlot;
          // Started 0 to 6 ms apart, so that the writes' commits land before, between and after the read's steps.
          const [r] = await Promise.all([sleep(i % 7).then(() => servant.gatherHistoryStats(byIface, parts)),
            sleep((i * 3) % 5).then(() => a.tick()), b.tick()]);
          if (a.counters.flushedSlot + b.counters.flushedSlot !== before) written++;
          expect(totals(r.series), `query ${i}`).to.deep.equal({x: reported});
        }
        expect(written, 'queries that raced a write').to.be.at.least(20);
        console.log(`        ${written} of 60 queries raced minute writes; the store read again ` +
          `${a.store.gatherRetries} times`);
      });

    it('an instance that did not answer the first step: its unwritten minutes are missing, the rest is exact',
      async () => {
        a.reportStats(new Map([stat('x', 3, 2)]), true, 'h');
        now += MINUTE;
        await a.tick();
        b.reportStats(new Map([stat('x', 4, 2)]), true, 'h');
        a.reportStats(new Map([stat('x', 2, 2)]), true, 'h');
        const parts = [(new StatQueryServant(a).unwrittenStats(byIface)).part];
        const r = await new StatQueryServant(a).gatherHistoryStats(byIface, parts);
        expect(totals(r.series)).to.deep.equal({x: 5});
      });

    it('properties: every instance\'s unwritten minutes with the store, merged by policy, written in between too',
      async () => {
        const req = StatQuery.PropertyQueryRequest.create({since: BigInt(T0)});
        a.reportProps(new Map([prop([['Sum', '5'], ['Avg', '4'], ['Max', '9']])]), '10.0.0.9');
        now += MINUTE;
        await a.tick();
        a.reportProps(new Map([prop([['Sum', '1'], ['Avg', '8']])]), '10.0.0.9');
        b.reportProps(new Map([prop([['Sum', '7'], ['Avg', '9'], ['Max', '3']])]), '10.0.0.9');
        const parts = [new StatQueryServant(a).unwrittenProperties(req).part,
          new StatQueryServant(b).unwrittenProperties(req).part];
        expect(parts[0]!.series.find((s) => s.policy === 'Avg')!.total, 'mergeable form').to.equal('8');
        now += MINUTE;
        await b.tick();
        const r = await new StatQueryServant(a).gatherHistoryProperties(req, parts);
        expect(Object.fromEntries(r.series.map((s) => [s.policy, s.total]))).to.deep.equal({Sum: '13', Avg: '7',
          Max: '9'});
      });
  });

  it('live answers of several instances merge group by group and minute by minute', () => {
    const f = filterOf(StatQuery.StatQueryRequest.create({by: 'interface'}))!;
    const point = (t: number, c: StatCounters) => StatQuery.StatPoint.create({time: BigInt(t), count: BigInt(c.count),
      timeoutCount: BigInt(c.timeoutCount), execCount: BigInt(c.execCount), totalRspTime: BigInt(c.totalRspTime),
      maxRspTime: c.maxRspTime, minRspTime: c.minRspTime,
      intervalCount: new Map([...c.intervals].map(([k, v]) => [k, BigInt(v)]))});
    const series = (iface: string, points: [number, StatCounters][]) => StatQuery.StatSeries.create({
      callee: 'Shared.Callee', interfaceName: iface, side: 'client', points: points.map(([t, c]) => point(t, c)),
      total: point(0, points.reduce((s, [, c]) => mergeCounters(s, c), emptyCounters()))});
    const one = {series: [series('x', [[T0, counters(4, 3)], [T0 + MINUTE, counters(1, 40)]])], groups: 1};
    const two = {series: [series('x', [[T0 + MINUTE, counters(2, 0)]]), series('z', [[T0, counters(9, 5)]])],
      groups: 2};
    const merged = mergeStatAnswers([one, two], f);
    expect(merged.cut).to.equal(false);
    // Most calls first: x has 13 in all (7 successful), z 10.
    expect(merged.series.map((s) => [s.interfaceName, Number(s.total!.count)])).to.deep.equal([['x', 7], ['z', 9]]);
    const x = merged.series[0]!;
    expect(x.points.map((p) => [Number(p.time) - T0, Number(p.count)])).to.deep.equal([[0, 4], [MINUTE, 3]]);
    expect({max: x.total!.maxRspTime, min: x.total!.minRspTime}, 'min ignores the 0 of a minute without latency')
      .to.deep.equal({max: 40, min: 3});
    expect([...x.total!.intervalCount].map(([k, v]) => [k, Number(v)])).to.deep.equal([[5, 7], [10, 2], [50, 1]]);

    const avg = (values: string[]) => ({series: [StatQuery.PropertySeries.create({moduleName: 'M', ip: '1.1.1.1',
      property: 'p', policy: 'Avg', points: values.map((v, i) => StatQuery.PropertyPoint.create({time: BigInt(i),
        value: v}))})], groups: 1});
    // Mergeable values: 2 samples averaging 5 and 1 sample of 8 are 18/3 = 6, not (5 + 8) / 2.
    expect(mergePropAnswers([avg(['10=2']), avg(['8'])]).series[0]!.total).to.equal('6');
  });
});
