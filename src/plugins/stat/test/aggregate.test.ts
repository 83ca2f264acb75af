// tarsstat's aggregation (framework.md 2.6): what a report entry becomes and how entries of one key add up.
import {expect} from 'chai';
import fc from 'fast-check';

import {StatF} from '@tars-ts/core/framework';

import {
  BoundedTable, Interner, MAX_FIELD_LENGTH, type StatCounters, copyCounters, emptyCounters, intervalText, mergeCounters,
  normaliseStat, parseIntervalText, quantileOf, statKeyString,
} from '../src/aggregate.js';

const head = (init: Partial<StatF.StatMicMsgHead> = {}): StatF.StatMicMsgHead => StatF.StatMicMsgHead.create({
  masterName: 'TestApp.Caller', slaveName: 'TestApp.HelloGo', interfaceName: 'sayHello', masterIp: '10.0.0.1',
  slaveIp: '10.0.0.2', slavePort: 10015, ...init});
const body = (init: Partial<StatF.StatMicMsgBody> = {}): StatF.StatMicMsgBody => StatF.StatMicMsgBody.create({
  count: 1, intervalCount: new Map([[5, 1], [10, 0]]), totalRspTime: 3n, maxRspTime: 3, minRspTime: 3, ...init});

const entry = (n: ReturnType<typeof normaliseStat>) => {
  if (n.kind !== 'entry') expect.fail(`expected an entry, got ${n.kind}`);
  return n;
};

describe('stat aggregation', () => {
  it('a caller-side report takes the reporter as masterIp, a callee-side one as slaveIp', () => {
    const client = entry(normaliseStat(head(), body(), true, 'node-a'));
    expect(client.key).to.include({side: 'client', masterIp: 'node-a', slaveIp: '10.0.0.2'});
    const server = entry(normaliseStat(head(), body(), false, 'node-b'));
    expect(server.key).to.include({side: 'server', masterIp: '10.0.0.1', slaveIp: 'node-b'});
    expect(statKeyString(client.key)).to.not.equal(statKeyString(server.key));
  });

  it('splits "module@version" in masterName into masterName and tarsVersion, as cpp clients send it', () => {
    const n = entry(normaliseStat(head({masterName: 'TestApp.Caller@3.0.24', tarsVersion: 'ignored'}), body(), true, 'h'));
    expect(n.key).to.include({masterName: 'TestApp.Caller', tarsVersion: '3.0.24'});
    const go = entry(normaliseStat(head({tarsVersion: '1.4.5'}), body(), true, 'h'));
    expect(go.key).to.include({masterName: 'TestApp.Caller', tarsVersion: '1.4.5'});
  });

  it('drops an entry without success, timeout or exception, as tarsstat does', () => {
    expect(normaliseStat(head(), body({count: 0, totalRspTime: 0n}), true, 'h').kind).to.equal('zero');
    expect(normaliseStat(head(), body({count: 0, timeoutCount: 1}), true, 'h').kind).to.equal('entry');
  });

  it('clamps negative counts and times to 0 (an entry of only negatives is then dropped)', () => {
    const n = entry(normaliseStat(head(), body({count: 2, timeoutCount: -5, execCount: -1, totalRspTime: -9n,
      maxRspTime: -1, minRspTime: -3, intervalCount: new Map([[5, -4], [10, 2]])}), true, 'h'));
    expect(n.counters).to.deep.include({count: 2, timeoutCount: 0, execCount: 0, totalRspTime: 0, maxRspTime: 0,
      minRspTime: 0});
    expect([...n.counters.intervals]).to.deep.equal([[10, 2]]);
    expect(normaliseStat(head(), body({count: -3}), true, 'h').kind).to.equal('zero');
  });

  it('refuses an entry with a string longer than the limit instead of truncating it into another key', () => {
    const n = normaliseStat(head({interfaceName: 'x'.repeat(MAX_FIELD_LENGTH + 1)}), body(), true, 'h');
    expect(n).to.deep.include({kind: 'rejected'});
    expect(normaliseStat(head({interfaceName: 'x'.repeat(MAX_FIELD_LENGTH)}), body(), true, 'h').kind).to.equal('entry');
    expect(normaliseStat(head(), body(), true, 'h'.repeat(MAX_FIELD_LENGTH + 1)).kind).to.equal('rejected');
  });

  it('merges: counts and buckets add, the larger max, the smaller non-zero min', () => {
    const a: StatCounters = {count: 2, timeoutCount: 1, execCount: 0, totalRspTime: 30, maxRspTime: 20,
      minRspTime: 10, intervals: new Map([[5, 1], [50, 1]])};
    const b: StatCounters = {count: 1, timeoutCount: 0, execCount: 4, totalRspTime: 7, maxRspTime: 7, minRspTime: 0,
      intervals: new Map([[10, 1], [5, 3]])};
    expect(mergeCounters(copyCounters(a), b)).to.deep.equal({count: 3, timeoutCount: 1, execCount: 4,
      totalRspTime: 37, maxRspTime: 20, minRspTime: 10, intervals: new Map([[5, 4], [50, 1], [10, 1]])});
    // A known minimum replaces "none known" (0), and a smaller non-zero one replaces a larger one.
    expect(mergeCounters(copyCounters(b), a).minRspTime).to.equal(10);
    expect(mergeCounters(copyCounters(a), {...emptyCounters(), minRspTime: 4}).minRspTime).to.equal(4);
  });

  const counters = fc.record({
    count: fc.nat(1000), timeoutCount: fc.nat(1000), execCount: fc.nat(1000), totalRspTime: fc.nat(100_000),
    maxRspTime: fc.nat(5000), minRspTime: fc.nat(5000),
    intervals: fc.array(fc.tuple(fc.constantFrom(5, 10, 50, 100, 200, 500, 1000, 2000, 3000, 7), fc.nat(100)),
      {maxLength: 12}).map((pairs) => {
      const m = new Map<number, number>();
      for (const [b, n] of pairs) m.set(b, (m.get(b) ?? 0) + n);
      return m;
    }),
  });
  const sorted = (c: StatCounters) => ({...c, intervals: [...c.intervals].sort((x, y) => x[0] - y[0])});

  it('merging reports in any order and any grouping gives the same totals (property)', () => {
    fc.assert(fc.property(fc.array(counters, {minLength: 1, maxLength: 20}), fc.nat(), (list, seed) => {
      const inOrder = list.reduce((acc, c) => mergeCounters(acc, c), emptyCounters());
      const shuffled = [...list].sort((x, y) => ((x.count * 31 + seed) % 97) - ((y.count * 31 + seed) % 97));
      // Two halves merged separately, then together: what a minute then its 5-minute slot do.
      const half = Math.floor(shuffled.length / 2);
      const left = shuffled.slice(0, half).reduce((acc, c) => mergeCounters(acc, c), emptyCounters());
      const right = shuffled.slice(half).reduce((acc, c) => mergeCounters(acc, c), emptyCounters());
      expect(sorted(mergeCounters(left, right))).to.deep.equal(sorted(inOrder));
    }), {numRuns: 200});
  });

  it('keeps the histogram through its official text form "5|n,10|n,..."', () => {
    const m = new Map([[50, 2], [5, 1], [3000, 4]]);
    expect(intervalText(m)).to.equal('5|1,50|2,3000|4');
    expect(parseIntervalText(intervalText(m))).to.deep.equal(new Map([[5, 1], [50, 2], [3000, 4]]));
    expect(parseIntervalText('5|1,junk,10|x')).to.deep.equal(new Map([[5, 1]]));
  });

  it('p99 is the upper bound of the bucket that reaches 99 %, the maximum past the last bucket', () => {
    const c = {...emptyCounters(), count: 100, maxRspTime: 4200, intervals: new Map([[5, 98], [50, 1], [200, 1]])};
    expect(quantileOf(c, 0.99)).to.equal(50);
    expect(quantileOf(c, 0.5)).to.equal(5);
    expect(quantileOf({...c, intervals: new Map([[5, 1], [3000, 99]])}, 0.99)).to.equal(4200);
    expect(quantileOf(emptyCounters(), 0.99)).to.equal(0);
  });

  it('a table at its cap drops new keys and counts them, but still merges known ones', () => {
    const t = new BoundedTable<string, StatCounters>(2, mergeCounters);
    const one = (): StatCounters => ({...emptyCounters(), count: 1});
    expect(t.add('a', 'a', one())).to.equal('added');
    expect(t.add('b', 'b', one())).to.equal('added');
    expect(t.add('c', 'c', one())).to.equal('dropped');
    expect(t.add('a', 'a', one())).to.equal('merged');
    expect(t.size).to.equal(2);
    expect(t.dropped).to.equal(1);
    expect(t.entries.get('a')!.value.count).to.equal(2);
  });

  it('the interner of kept keys\' strings stays within its limit and keeps keys equal', () => {
    const interner = new Interner(3);
    const t = new BoundedTable<ReturnType<typeof entry>['key'], StatCounters>(100, mergeCounters,
      (k) => interner.statKey(k));
    for (let i = 0; i < 20; i++) {
      const e = entry(normaliseStat(head({interfaceName: `f${i}`}), body(), true, `10.0.0.${i}`));
      t.add(statKeyString(e.key), e.key, e.counters);
      expect(interner.size).to.be.at.most(3);
    }
    expect(t.size).to.equal(20);
    for (const {key} of t.entries.values()) expect(t.entries.has(statKeyString(key))).to.equal(true);
  });
});
