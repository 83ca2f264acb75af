// StatReporter and the property policies on their own, with a stand-in for the StatF/PropertyF proxies: latency
// buckets at their boundaries, min as the smallest non-zero, the key cap, idle keys forgotten, large maps split
// into several calls, a daemon that never answers cannot pile report calls up, and each property policy's value
// text as TarsGo sends it. The wire, with a real StatF servant, is test/integration/stat-reporting.test.ts.
import {
  Avg, Count, Distr, ManualReportTimer, Max, Min, PropertyRegistry, PropertyReporter, STAT_BUCKETS, StatEntry,
  StatOutcome, StatReporter, type StatReporterOptions, Sum, endpoint, formatPropertyValue,
} from '@tars-ts/core';
import type {PropertyF, StatF} from '@tars-ts/core/framework';
import {expect} from 'chai';

type Sent = {msg: Map<StatF.StatMicMsgHead, StatF.StatMicMsgBody>; bFromClient: boolean};

function reporter(options: Partial<StatReporterOptions> = {}, answer?: () => Promise<unknown>):
  {r: StatReporter; sent: Sent[]} {
  const sent: Sent[] = [];
  const r = new StatReporter({masterName: 'A.Caller', masterIp: '10.0.0.1', tarsVersion: '0.1.0', intervalMs: 60000,
    send: (msg, bFromClient) => {
      sent.push({msg, bFromClient});
      return answer ? answer() : Promise.resolve({ret: 0});
    }, ...options});
  return {r, sent};
}

const EP = endpoint({host: '127.0.0.1', port: 10015});

/** Every (head, body) sent, flattened. */
function entries(sent: Sent[]): [StatF.StatMicMsgHead, StatF.StatMicMsgBody, boolean][] {
  return sent.flatMap(({msg, bFromClient}) => [...msg].map(([h, b]) => [h, b, bFromClient] as
    [StatF.StatMicMsgHead, StatF.StatMicMsgBody, boolean]));
}

describe('StatEntry', () => {
  it('puts a latency in the first bucket whose bound is strictly greater, and 3000 ms or more in none', () => {
    const e = new StatEntry({} as StatF.StatMicMsgHead);
    for (const ms of [0, 4.9, 5, 9, 10, 49.99, 50, 199, 200, 999, 1000, 2999, 3000, 12000]) {
      e.add(StatOutcome.SUCCESS, ms);
    }
    const body = e.body();
    expect([...body.intervalCount.keys()]).to.deep.equal(STAT_BUCKETS);
    expect(Object.fromEntries(body.intervalCount)).to.deep.equal({5: 2, 10: 2, 50: 2, 100: 1, 200: 1, 500: 1,
      1000: 1, 2000: 1, 3000: 1});
    expect(body.count).to.equal(14);
    expect(body.maxRspTime).to.equal(12000);
    // whole ms, the smallest non-zero
    expect(body.minRspTime).to.equal(4);
    expect(body.totalRspTime).to.equal(BigInt(0 + 4 + 5 + 9 + 10 + 49 + 50 + 199 + 200 + 999 + 1000 + 2999 + 3000 +
      12000));
  });

  it('counts timeouts and errors apart, in the histogram but not in the response times', () => {
    const e = new StatEntry({} as StatF.StatMicMsgHead);
    e.add(StatOutcome.SUCCESS, 7);
    e.add(StatOutcome.TIMEOUT, 60);
    e.add(StatOutcome.ERROR, 1);
    const b = e.body();
    expect([b.count, b.timeoutCount, b.execCount]).to.deep.equal([1, 1, 1]);
    expect([b.totalRspTime, b.maxRspTime, b.minRspTime]).to.deep.equal([7n, 7, 7]);
    expect(Object.fromEntries(b.intervalCount)).to.include({5: 1, 10: 1, 100: 1});
  });
});

describe('StatReporter', () => {
  it('reports caller and callee sides apart, with the heads filled as TarsGo fills them', async () => {
    const {r, sent} = reporter();
    const scope = r.scope('App.Server.HelloObj')!;
    scope.record(EP, 'hello', 0, StatOutcome.SUCCESS, 3);
    scope.record(EP, 'hello', 0, StatOutcome.SUCCESS, 6);
    scope.record(EP, 'hello', -1, StatOutcome.TIMEOUT, 3000);
    scope.record(endpoint({host: '10.0.0.9', port: 1, setId: 'sz.a.1'}), 'hello', -99, StatOutcome.ERROR, 1);
    const server = r.serverScope('App', 'Other', '10.0.0.2', 'gz.b.2');
    server.record('work', '10.0.0.7', 0, false, 2);
    server.record('note', '10.0.0.7', 0, true, 0);
    await r.flush();
    const all = entries(sent);
    const caller = all.filter(([, , c]) => c).map(([h, b]) => ({...h, count: b.count, t: b.timeoutCount,
      e: b.execCount}));
    expect(caller).to.have.deep.members([
      {masterName: 'A.Caller', slaveName: 'App.Server', interfaceName: 'hello', masterIp: '10.0.0.1',
        slaveIp: '127.0.0.1', slavePort: 10015, returnValue: 0, slaveSetName: '', slaveSetArea: '', slaveSetID: '',
        tarsVersion: '0.1.0', count: 2, t: 0, e: 0},
      {masterName: 'A.Caller', slaveName: 'App.Server', interfaceName: 'hello', masterIp: '10.0.0.1',
        slaveIp: '127.0.0.1', slavePort: 10015, returnValue: -1, slaveSetName: '', slaveSetArea: '', slaveSetID: '',
        tarsVersion: '0.1.0', count: 0, t: 1, e: 0},
      {masterName: 'A.Caller', slaveName: 'App.Server.sza1', interfaceName: 'hello', masterIp: '10.0.0.1',
        slaveIp: '10.0.0.9', slavePort: 1, returnValue: -99, slaveSetName: 'sz', slaveSetArea: 'a', slaveSetID: '1',
        tarsVersion: '0.1.0', count: 0, t: 0, e: 1},
    ]);
    const callee = all.filter(([, , c]) => !c).map(([h, b]) => ({...h, count: b.count}));
    expect(callee).to.have.deep.members([
      {masterName: 'stat_from_server', slaveName: 'App.Other.gzb2', interfaceName: 'work', masterIp: '10.0.0.7',
        slaveIp: '10.0.0.2', slavePort: 0, returnValue: 0, slaveSetName: 'gz', slaveSetArea: 'b', slaveSetID: '2',
        tarsVersion: '0.1.0', count: 1},
      {masterName: 'one_way_client', slaveName: 'App.Other.gzb2', interfaceName: 'note', masterIp: '10.0.0.7',
        slaveIp: '10.0.0.2', slavePort: 0, returnValue: 0, slaveSetName: 'gz', slaveSetArea: 'b', slaveSetID: '2',
        tarsVersion: '0.1.0', count: 1},
    ]);
    expect(r.stats).to.include({reported: 6, dropped: 0, failed: 0});
  });

  it('starts a new interval at each report, and forgets keys idle for a whole interval', async () => {
    const {r, sent} = reporter();
    const scope = r.scope('App.Server.HelloObj')!;
    scope.record(EP, 'a', 0, StatOutcome.SUCCESS, 1);
    scope.record(EP, 'b', 0, StatOutcome.SUCCESS, 1);
    await r.flush();
    expect(r.stats.keys).to.equal(2);
    scope.record(EP, 'a', 0, StatOutcome.SUCCESS, 1);
    await r.flush();
    // b sent nothing: not in the second report, and forgotten
    expect(entries(sent.slice(1)).map(([h, b]) => `${h.interfaceName}:${b.count}`)).to.deep.equal(['a:1']);
    expect(r.stats.keys).to.equal(1);
    // a call after b was forgotten counts again (the scope's cache was dropped with it)
    scope.record(EP, 'b', 0, StatOutcome.SUCCESS, 1);
    await r.flush();
    expect(entries(sent.slice(2)).map(([h, b]) => `${h.interfaceName}:${b.count}`)).to.deep.equal(['b:1']);
  });

  it('drops and counts calls for keys beyond the cap (memory stays bounded under key explosion)', async () => {
    const {r, sent} = reporter({maxKeys: 3});
    const scope = r.scope('App.Server.HelloObj')!;
    for (let i = 0; i < 1000; i++) scope.record(EP, `f${i % 10}`, 0, StatOutcome.SUCCESS, 1);
    expect(r.stats.keys).to.equal(3);
    await r.flush();
    expect(entries(sent).reduce((n, [, b]) => n + b.count, 0)).to.equal(300);
    expect(r.stats).to.include({reported: 300, dropped: 700});
  });

  it('splits a large report into several calls under max-report-size, losing nothing', async () => {
    const {r, sent} = reporter({maxReportSize: 1400});
    const scope = r.scope('App.Server.HelloObj')!;
    for (let i = 0; i < 100; i++) scope.record(EP, `function${i}`, 0, StatOutcome.SUCCESS, 1);
    await r.flush();
    expect(sent.length).to.be.greaterThan(5);
    expect(sent.every((s) => s.msg.size <= 10)).to.equal(true);
    expect(new Set(entries(sent).map(([h]) => h.interfaceName)).size).to.equal(100);
  });

  it('sends one batch at a time and keeps at most maxPending waiting when the daemon never answers', async () => {
    const {r, sent} = reporter({maxPending: 2, maxReportSize: 1}, () => new Promise(() => {}));
    const scope = r.scope('App.Server.HelloObj')!;
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 4; i++) scope.record(EP, `f${i}`, 0, StatOutcome.SUCCESS, 1);
      void r.flush();
    }
    expect(sent.length).to.equal(1);
    expect(r.stats).to.include({pending: 2, sent: 1, skipped: 18, dropped: 18, reported: 0});
  });

  it('counts a failed report call as dropped, and never rejects', async () => {
    const {r} = reporter({}, () => Promise.reject(new Error('connection refused')));
    r.scope('App.Server.HelloObj')!.record(EP, 'a', 0, StatOutcome.SUCCESS, 1);
    await r.flush();
    expect(r.stats).to.include({failed: 1, dropped: 1, lastError: 'connection refused'});
  });

  it('does not count calls to exempt objects (the stat object itself)', () => {
    const {r} = reporter({exempt: (obj) => obj === 'tars.tarsstat.StatObj'});
    expect(r.scope('tars.tarsstat.StatObj')).to.equal(null);
    expect(r.scope('App.Server.HelloObj')).to.not.equal(null);
  });

  it('reports every interval of its timer, and not after stop', async () => {
    const timer = new ManualReportTimer();
    const {r, sent} = reporter({timer});
    r.start();
    r.scope('App.Server.HelloObj')!.record(EP, 'a', 0, StatOutcome.SUCCESS, 1);
    timer.advance();
    await Promise.resolve();
    expect(sent.length).to.equal(1);
    r.stop();
    expect(timer.size).to.equal(0);
  });
});

describe('property policies', () => {
  function take(...values: number[]): (p: ReturnType<typeof Sum>) => string | undefined {
    return (p) => {
      for (const v of values) p.add(v);
      return p.take();
    };
  }

  it('Sum, Avg, Count, Max and Min give TarsGo\'s value texts', () => {
    const values = take(1, 2, 3, 10);
    expect(values(Sum())).to.equal('16');
    expect(values(Avg())).to.equal('4');
    expect(values(Count())).to.equal('4');
    expect(values(Max())).to.equal('10');
    expect(values(Min())).to.equal('1');
    expect(take(1, 2)(Avg())).to.equal('1.5');
    expect(take(2, 0, 5)(Min())).to.equal('2');
    expect(take(-3, -7)(Max())).to.equal('-3');
  });

  it('leaves out what TarsGo leaves out: a zero sum, average, count or min, an unset max', () => {
    expect(take(5, -5)(Sum())).to.equal(undefined);
    expect(take()(Avg())).to.equal(undefined);
    expect(take()(Count())).to.equal(undefined);
    expect(take(0)(Min())).to.equal(undefined);
    expect(take()(Max())).to.equal(undefined);
  });

  it('Distr counts a value in the first bound >= it, values above the last in the last', () => {
    expect(take(0, 1, 10, 11, 50, 99, 100, 101, 5000)(Distr([100, 0, 50, 10, 10]))).to.equal('0|1,10|2,50|2,100|4');
    expect(take()(Distr([0, 10]))).to.equal('0|0,10|0');
    expect(() => Distr([])).to.throw(/Distr needs a non-empty list/);
  });

  it('resets each policy for the next interval', () => {
    const s = Sum();
    s.add(3);
    expect(s.take()).to.equal('3');
    expect(s.take()).to.equal(undefined);
  });

  it('writes numbers as Go\'s FormatFloat(x, \'f\', -1): no exponent', () => {
    expect(formatPropertyValue(1e21)).to.equal('1000000000000000000000');
    expect(formatPropertyValue(1.5e-7)).to.equal('0.00000015');
    expect(formatPropertyValue(2.25)).to.equal('2.25');
  });
});

describe('PropertyReporter', () => {
  it('sends one head per property with values, one entry per policy, and claims its registry alone', async () => {
    const registry = new PropertyRegistry();
    const sent: Map<PropertyF.StatPropMsgHead, PropertyF.StatPropMsgBody>[] = [];
    const options = {moduleName: 'App.Server', ip: '10.0.0.1', intervalMs: 60000, registry,
      set: {name: 'sz', area: 'a', group: '1'},
      send: (m: Map<PropertyF.StatPropMsgHead, PropertyF.StatPropMsgBody>) => (sent.push(m), Promise.resolve())};
    const first = new PropertyReporter(options).start();
    const second = new PropertyReporter(options).start();
    const p = registry.create('latency', Sum(), Max());
    registry.create('idle', Count());
    expect(registry.create('latency', Avg())).to.equal(p);
    p.report(4);
    p.report(8);
    p.report(Number.NaN);
    await first.flush();
    await second.flush();
    expect(sent.length).to.equal(1);
    const [[head, body]] = [...sent[0]!];
    expect(head).to.deep.equal({moduleName: 'App.Server', ip: '10.0.0.1', propertyName: 'latency', setName: 'sz',
      setArea: 'a', setID: '1', sContainer: '', iPropertyVer: 2});
    expect(body.vInfo).to.deep.equal([{policy: 'Sum', value: '12'}, {policy: 'Max', value: '8'},
      {policy: 'Avg', value: '6'}]);
    expect(first.stats).to.include({active: true, reported: 1});
    expect(second.stats.active).to.equal(false);
    first.stop();
    second.stop();
  });

  it('drops and counts values of properties beyond the registry cap', () => {
    const registry = new PropertyRegistry(1);
    registry.create('a', Sum());
    registry.create('b', Sum()).report(1);
    expect(registry.size).to.equal(1);
    expect(registry.dropped).to.equal(1);
  });
});
