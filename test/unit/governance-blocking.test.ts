import {expect} from 'chai';

import {type Endpoint, endpoint} from '../../core/src/protocol/endpoint.js';
import {
  EndpointHealth, type HealthTransition, resolveBlockingPolicy,
} from '../../core/src/rpc/client/governance/endpoint-health.js';
import {EndpointManager, type EndpointSnapshot} from '../../core/src/rpc/client/governance/endpoint-manager.js';
import {sortedByKey} from '../../core/src/rpc/client/governance/lb-hash.js';
import {type CallOutcome, DEFAULT_BLOCKING, type PickResult} from '../../core/src/rpc/client/governance/types.js';

class FakeClock {
  t = 0;
  now(): number {
    return this.t;
  }
  at(t: number): this {
    this.t = t;
    return this;
  }
}

/** Transitions as compact strings, `from>to@at:reason`, so a whole sequence reads as one array. */
function seq(transitions: readonly HealthTransition[]): string[] {
  return transitions.map((t) => `${t.from}>${t.to}@${t.at}:${t.reason}`);
}

function host(r: PickResult): string {
  if (r.kind !== 'ok') throw new Error(`expected an endpoint, got none (${r.reason})`);
  return r.endpoint.host;
}

/** A pick written as `host`, `host probe` or `host forced`. */
function describePick(r: PickResult): string {
  if (r.kind !== 'ok') return `none`;
  return r.endpoint.host + (r.probe ? ' probe' : '') + (r.forced ? ' forced' : '');
}

function hosts(n: number): Endpoint[] {
  return Array.from({length: n}, (_, i) => endpoint({host: 'ABCDEFGH'[i], port: 10000}));
}

describe('governance: endpoint blocking', () => {
  describe('EndpointHealth', () => {
    let clock: FakeClock;
    let h: EndpointHealth;

    function reportAt(t: number, outcome: CallOutcome): boolean {
      clock.at(t);
      return h.report(outcome);
    }

    beforeEach(() => {
      clock = new FakeClock();
      h = new EndpointHealth({clock});
    });

    it('starts active with TarsGo defaults', () => {
      expect(h.state).to.equal('active');
      expect(h.policy).to.deep.equal(DEFAULT_BLOCKING);
      expect(h.transitions).to.deep.equal([]);
      expect(h.blockedUntil).to.equal(undefined);
    });

    it('blocks on the 5th consecutive timeout once 5 s have passed since the last success', () => {
      reportAt(0, 'success');
      for (const t of [1000, 2000, 3000, 4000]) expect(reportAt(t, 'timeout')).to.equal(false);
      expect(h.state).to.equal('active');
      expect(h.consecutiveFailures).to.equal(4);
      expect(reportAt(5000, 'timeout')).to.equal(true);
      expect(seq(h.transitions)).to.deep.equal(['active>blocked@5000:consecutive-failures']);
      expect(h.blockedUntil).to.equal(35000);
    });

    it('does not block on fewer consecutive failures, however long they last', () => {
      reportAt(0, 'success');
      for (const t of [10_000, 20_000, 30_000, 40_000]) reportAt(t, 'failure');
      expect(h.state).to.equal('active');
      expect(h.transitions).to.deep.equal([]);
    });

    it('does not block on many failures within the minimum duration, then blocks once it has passed', () => {
      reportAt(0, 'success');
      for (let i = 1; i <= 20; i++) reportAt(4000 + i * 10, 'timeout');
      expect(h.state).to.equal('active');
      expect(h.consecutiveFailures).to.equal(20);
      reportAt(5000, 'timeout');
      expect(seq(h.transitions)).to.deep.equal(['active>blocked@5000:consecutive-failures']);
    });

    it('measures from the first failure of the run when there never was a success', () => {
      for (const t of [100, 200, 300, 400, 500, 5000]) reportAt(t, 'timeout');
      expect(h.state).to.equal('active');
      reportAt(5100, 'timeout');
      expect(seq(h.transitions)).to.deep.equal(['active>blocked@5100:consecutive-failures']);
    });

    it('a success ends the run of failures', () => {
      reportAt(0, 'success');
      for (const t of [6000, 6001, 6002, 6003]) reportAt(t, 'failure');
      reportAt(6004, 'success');
      for (const t of [12000, 12001, 12002, 12003]) reportAt(t, 'failure');
      expect(h.state).to.equal('active');
      expect(h.consecutiveFailures).to.equal(4);
      reportAt(12004, 'failure');
      expect(h.state).to.equal('blocked');
    });

    it('applies the ratio rule when the window ends, at the first report after its end', () => {
      reportAt(1000, 'failure');
      reportAt(2000, 'success');
      reportAt(3000, 'failure');
      expect(h.windowCalls).to.equal(3);
      expect(h.windowFailures).to.equal(2);
      reportAt(59_999, 'success');
      expect(h.state).to.equal('active');
      expect(reportAt(60_000, 'success')).to.equal(true);
      expect(seq(h.transitions)).to.deep.equal(['active>blocked@60000:failure-ratio']);
      expect(h.blockedUntil).to.equal(90_000);
    });

    it('applies the ratio rule through evaluate() when no report comes', () => {
      reportAt(10, 'failure');
      reportAt(20, 'failure');
      reportAt(30, 'success');
      clock.at(59_000);
      expect(h.evaluate()).to.equal(false);
      clock.at(60_000);
      expect(h.evaluate()).to.equal(true);
      expect(seq(h.transitions)).to.deep.equal(['active>blocked@60000:failure-ratio']);
    });

    it('restarts the window when the ratio is fine', () => {
      reportAt(10, 'failure');
      reportAt(20, 'success');
      reportAt(30, 'success');
      reportAt(60_000, 'failure');
      expect(h.state).to.equal('active');
      expect(h.windowCalls).to.equal(1);
      expect(h.windowFailures).to.equal(1);
    });

    it('needs at least minFailuresInWindow failures', () => {
      reportAt(10, 'failure');
      reportAt(60_000, 'success');
      expect(h.state).to.equal('active');
      expect(h.windowCalls).to.equal(1);
    });

    it('needs at least minCallsInWindow calls', () => {
      h = new EndpointHealth({clock, policy: {minCallsInWindow: 5}});
      for (const t of [10, 20, 30]) reportAt(t, 'failure');
      reportAt(40, 'success');
      reportAt(60_000, 'success');
      expect(h.state).to.equal('active');
      for (const t of [60_010, 60_020, 60_030]) reportAt(t, 'failure');
      for (const t of [60_040, 60_050]) reportAt(t, 'success');
      reportAt(120_000, 'success');
      expect(seq(h.transitions)).to.deep.equal(['active>blocked@120000:failure-ratio']);
    });

    it('needs failures / calls >= failRatio', () => {
      for (const t of [10, 20]) reportAt(t, 'failure');
      for (const t of [30, 40, 50]) reportAt(t, 'success');
      reportAt(60_000, 'success');
      expect(h.state).to.equal('active');
    });

    it('blocks at once on a connect failure', () => {
      reportAt(0, 'success');
      expect(reportAt(10, 'connect-failure')).to.equal(true);
      expect(seq(h.transitions)).to.deep.equal(['active>blocked@10:connect-failure']);
    });

    it('offers one probe after retryIntervalMs; a successful probe restores it with fresh counters', () => {
      reportAt(0, 'connect-failure');
      expect(h.probeDue(29_999)).to.equal(false);
      expect(h.probeDue(30_000)).to.equal(true);
      clock.at(30_000);
      h.beginProbe();
      expect(h.state).to.equal('probing');
      expect(h.probeDue(30_001)).to.equal(false);
      expect(reportAt(30_100, 'success')).to.equal(true);
      expect(h.state).to.equal('active');
      expect([h.consecutiveFailures, h.windowCalls, h.windowFailures]).to.deep.equal([0, 0, 0]);
      expect(seq(h.transitions)).to.deep.equal([
        'active>blocked@0:connect-failure', 'blocked>probing@30000:probe', 'probing>active@30100:probe-succeeded',
      ]);
    });

    it('a failed probe blocks it again for another retryIntervalMs', () => {
      reportAt(0, 'connect-failure');
      clock.at(30_000);
      h.beginProbe();
      expect(reportAt(30_500, 'timeout')).to.equal(false);
      expect(h.state).to.equal('blocked');
      expect(h.blockedUntil).to.equal(60_500);
      expect(h.probeDue(60_499)).to.equal(false);
      expect(h.probeDue(60_500)).to.equal(true);
      expect(seq(h.transitions)).to.deep.equal([
        'active>blocked@0:connect-failure', 'blocked>probing@30000:probe', 'probing>blocked@30500:probe-failed',
      ]);
    });

    it('ignores outcomes reported while blocked (calls that were in flight)', () => {
      reportAt(0, 'connect-failure');
      expect(reportAt(10, 'success')).to.equal(false);
      expect(reportAt(20, 'timeout')).to.equal(false);
      expect(h.state).to.equal('blocked');
      expect(h.blockedUntil).to.equal(30_000);
    });

    it('replaces a probe whose outcome never came', () => {
      reportAt(0, 'connect-failure');
      clock.at(30_000);
      h.beginProbe();
      expect(h.probeDue(59_999)).to.equal(false);
      expect(h.probeDue(60_000)).to.equal(true);
      clock.at(60_000);
      h.beginProbe();
      expect(seq(h.transitions)).to.deep.equal([
        'active>blocked@0:connect-failure', 'blocked>probing@30000:probe', 'probing>blocked@60000:probe-lost',
        'blocked>probing@60000:probe',
      ]);
    });

    it('calls onChange for every transition and keeps a bounded history', () => {
      const seen: HealthTransition[] = [];
      h = new EndpointHealth({clock, onChange: (t) => seen.push(t), historyLimit: 2});
      reportAt(0, 'connect-failure');
      clock.at(30_000);
      h.beginProbe();
      reportAt(30_001, 'success');
      expect(seq(seen)).to.have.length(3);
      expect(seq(h.transitions)).to.deep.equal(seq(seen.slice(1)));
    });

    it('rejects nonsense policy knobs with CONFIG_INVALID', () => {
      expect(() => resolveBlockingPolicy({failRatio: 1.5})).to.throw(/failRatio/).with.property('code', 'CONFIG_INVALID');
      expect(() => resolveBlockingPolicy({retryIntervalMs: -1})).to.throw(/retryIntervalMs/);
      expect(() => resolveBlockingPolicy({checkWindowMs: Number.NaN})).to.throw(/checkWindowMs/);
      expect(resolveBlockingPolicy({retryIntervalMs: 5000}).retryIntervalMs).to.equal(5000);
    });
  });

  describe('EndpointManager', () => {
    let clock: FakeClock;

    beforeEach(() => {
      clock = new FakeClock();
    });

    it('answers none without endpoints', () => {
      const m = new EndpointManager({clock});
      const r = m.pick();
      expect(r.kind).to.equal('none');
      expect(m.pick({hash: 3}).kind).to.equal('none');
      m.setEndpoints(hosts(1));
      m.setEndpoints([]);
      expect(m.pick().kind).to.equal('none');
    });

    it('round-robins over the unblocked endpoints and skips a blocked one', () => {
      const m = new EndpointManager({clock});
      const list = hosts(3);
      m.setEndpoints(list);
      expect(new Set(Array.from({length: 3}, () => host(m.pick())))).to.deep.equal(new Set(['A', 'B', 'C']));
      m.report(list[1], 'connect-failure');
      const after = Array.from({length: 10}, () => host(m.pick()));
      expect(new Set(after)).to.deep.equal(new Set(['A', 'C']));
    });

    it('hands out exactly one probe after retryIntervalMs; success restores the endpoint', () => {
      const transitions: string[] = [];
      const m = new EndpointManager({clock, onTransition: (e, t) => transitions.push(`${e.host}:${seq([t])[0]}`)});
      const [a, b] = hosts(2);
      m.setEndpoints([a, b]);
      m.report(a, 'connect-failure');
      clock.at(29_999);
      expect(Array.from({length: 4}, () => describePick(m.pick()))).to.deep.equal(['B', 'B', 'B', 'B']);
      clock.at(30_000);
      expect(Array.from({length: 4}, () => describePick(m.pick()))).to.deep.equal(['A probe', 'B', 'B', 'B']);
      clock.at(30_050);
      m.report(a, 'success');
      const next = Array.from({length: 4}, () => describePick(m.pick()));
      expect(next.filter((p) => p === 'A')).to.have.length(2);
      expect(next.filter((p) => p === 'B')).to.have.length(2);
      expect(transitions).to.deep.equal([
        'A:active>blocked@0:connect-failure', 'A:blocked>probing@30000:probe', 'A:probing>active@30050:probe-succeeded',
      ]);
    });

    it('a failed probe re-blocks the endpoint and waits another retryIntervalMs', () => {
      const m = new EndpointManager({clock, policy: {retryIntervalMs: 10_000}});
      const [a, b] = hosts(2);
      m.setEndpoints([a, b]);
      m.report(a, 'connect-failure');
      clock.at(10_000);
      expect(describePick(m.pick())).to.equal('A probe');
      clock.at(10_200);
      m.report(a, 'timeout');
      clock.at(20_199);
      expect(describePick(m.pick())).to.equal('B');
      clock.at(20_200);
      expect(describePick(m.pick())).to.equal('A probe');
      expect(describePick(m.pick())).to.equal('B');
      expect(m.health()[0]).to.include({key: 'tcp -h A -p 10000', state: 'probing', blockedUntil: 30_200});
    });

    it('probes before hash picks too, then hashes as before', () => {
      const m = new EndpointManager({clock});
      const list = hosts(3);
      m.setEndpoints(list);
      m.report(list[0], 'connect-failure');
      clock.at(30_000);
      expect(describePick(m.pick({hash: 1}))).to.equal('A probe');
      const sorted = sortedByKey(list);
      expect(host(m.pick({hash: 1}))).to.equal(sorted[1].host);
    });

    it('when every endpoint is blocked, still picks one, rotating, marked forced', () => {
      const m = new EndpointManager({clock});
      const list = hosts(3);
      m.setEndpoints(list);
      for (const e of list) m.report(e, 'connect-failure');
      clock.at(100);
      expect(Array.from({length: 7}, () => describePick(m.pick()))).to.deep.equal([
        'A forced', 'B forced', 'C forced', 'A forced', 'B forced', 'C forced', 'A forced',
      ]);
      expect(describePick(m.pick({hash: 5}))).to.match(/forced$/);
      expect(m.health().map((h) => h.state)).to.deep.equal(['probing', 'probing', 'probing']);
    });

    it('a forced call that succeeds brings its endpoint back; one that fails keeps it blocked', () => {
      const m = new EndpointManager({clock});
      const list = hosts(2);
      m.setEndpoints(list);
      for (const e of list) m.report(e, 'connect-failure');
      clock.at(100);
      expect(describePick(m.pick())).to.equal('A forced');
      expect(describePick(m.pick())).to.equal('B forced');
      m.report(list[0], 'timeout');
      m.report(list[1], 'success');
      expect(Array.from({length: 3}, () => describePick(m.pick()))).to.deep.equal(['B', 'B', 'B']);
      expect(m.health().map((h) => `${h.state}:${h.blockedUntil ?? '-'}`)).to.deep.equal(['blocked:30100', 'active:-']);
    });

    it('setEndpoints keeps the health of endpoints that stay and drops removed ones', () => {
      const m = new EndpointManager({clock});
      const [a, b, c] = hosts(3);
      m.setEndpoints([a, b, c]);
      m.report(a, 'connect-failure');
      m.report(b, 'timeout');
      m.report(b, 'timeout');
      m.report(c, 'connect-failure');
      // A and B stay (as new but equal objects); C is removed; D is new.
      const d = endpoint({host: 'D', port: 10000});
      m.setEndpoints([endpoint({host: 'A', port: 10000}), endpoint({host: 'B', port: 10000, weight: 7}), d]);
      expect(m.health().map((h) => [h.key, h.state, h.consecutiveFailures])).to.deep.equal([
        ['tcp -h A -p 10000', 'blocked', 1],
        ['tcp -h B -p 10000', 'active', 2],
        ['tcp -h D -p 10000', 'active', 0],
      ]);
      expect(m.health()[1].endpoint.weight).to.equal(7);
      expect(new Set(Array.from({length: 6}, () => host(m.pick())))).to.deep.equal(new Set(['B', 'D']));
      // reports about the removed endpoint are ignored; re-adding it starts afresh
      const version = m.snapshot.version;
      m.report(c, 'success');
      expect(m.snapshot.version).to.equal(version);
      m.setEndpoints([a, b, c]);
      expect(m.health()[2]).to.include({key: 'tcp -h C -p 10000', state: 'active', consecutiveFailures: 0});
      // reports through the original object of a survivor still reach its health
      m.report(b, 'timeout');
      expect(m.health()[1].consecutiveFailures).to.equal(3);
    });

    it('rebuilds the snapshot only when an endpoint turns usable or unusable', () => {
      const snapshots: EndpointSnapshot[] = [];
      const m = new EndpointManager({clock, onSnapshot: (s) => snapshots.push(s)});
      const [a, b] = hosts(2);
      m.setEndpoints([a, b]);
      expect(snapshots).to.have.length(1);
      for (let i = 0; i < 100; i++) {
        clock.at(i);
        m.report(i % 2 ? a : b, 'success');
        m.pick();
      }
      m.report(a, 'timeout');
      expect(snapshots).to.have.length(1);
      m.report(a, 'connect-failure');
      expect(snapshots).to.have.length(2);
      expect(snapshots[1].active.map((e) => e.host)).to.deep.equal(['B']);
      m.report(a, 'success'); // in flight when it was blocked: ignored
      clock.at(40_000);
      expect(describePick(m.pick())).to.equal('A probe');
      expect(snapshots).to.have.length(2);
      m.report(a, 'success');
      expect(snapshots).to.have.length(3);
      expect(snapshots[2].active.map((e) => e.host)).to.deep.equal(['A', 'B']);
      expect(m.snapshot.version).to.equal(3);
      expect(Object.isFrozen(snapshots[2].active)).to.equal(true);
    });

    it('returns prebuilt results on the steady path (no allocation per pick)', () => {
      const m = new EndpointManager({clock});
      m.setEndpoints(hosts(2));
      const first = m.pick();
      m.pick();
      expect(m.pick()).to.equal(first);
      const hashed = m.pick({hash: 42});
      expect(m.pick({hash: 42})).to.equal(hashed);
      const ring = m.pick({hash: 42, hashType: 'consistent'});
      expect(m.pick({hash: 42, hashType: 'consistent'})).to.equal(ring);
    });

    it('modulo hash stays on its endpoint while another is blocked, and re-hashes when its own is', () => {
      const m = new EndpointManager({clock});
      const list = hosts(4);
      m.setEndpoints(list);
      const sorted = sortedByKey(list);
      const before = [0, 1, 2, 3, 4, 5, 6, 7].map((hash) => host(m.pick({hash})));
      expect(before).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7].map((hash) => sorted[hash % 4].host));
      m.report(sorted[2], 'connect-failure');
      const after = [0, 1, 2, 3, 4, 5, 6, 7].map((hash) => host(m.pick({hash})));
      const rest = sorted.filter((_, i) => i !== 2);
      expect(after).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7].map((hash) =>
        hash % 4 === 2 ? rest[hash % 3].host : sorted[hash % 4].host));
    });

    it('consistent hash keeps keys of healthy endpoints in place when one is blocked', () => {
      const m = new EndpointManager({clock});
      const list = hosts(5);
      m.setEndpoints(list);
      const keys = Array.from({length: 2000}, (_, i) => i * 7919);
      const before = keys.map((hash) => host(m.pick({hash, hashType: 'consistent'})));
      m.report(list[3], 'connect-failure');
      const after = keys.map((hash) => host(m.pick({hash, hashType: 'consistent'})));
      before.forEach((owner, i) => {
        if (owner !== 'D') expect(after[i]).to.equal(owner);
        else expect(after[i]).not.to.equal('D');
      });
    });

    it('uses weighted balancing by default when every endpoint has weight type 1, round robin otherwise', () => {
      const m = new EndpointManager({clock});
      m.setEndpoints([
        endpoint({host: 'A', port: 1, weight: 3, weightType: 1}),
        endpoint({host: 'B', port: 1, weight: 1, weightType: 1}),
      ]);
      expect(m.snapshot.balancer).to.equal('weighted');
      const c = Array.from({length: 400}, () => host(m.pick())).filter((h) => h === 'A').length;
      expect(c).to.equal(300);
      m.setEndpoints([...m.endpoints, endpoint({host: 'C', port: 1})]);
      expect(m.snapshot.balancer).to.equal('round-robin');
      expect(new EndpointManager({balancer: 'consistent-hash'}).snapshot.balancer).to.equal('consistent-hash');
      expect(() => new EndpointManager({balancer: 'nope'})).to.throw(/unknown load balancer/);
    });

    it('evaluate() applies the window-end ratio rule to idle endpoints', () => {
      const m = new EndpointManager({clock});
      const [a, b] = hosts(2);
      m.setEndpoints([a, b]);
      m.report(a, 'timeout');
      m.report(a, 'timeout');
      clock.at(60_000);
      m.evaluate();
      expect(m.health().map((h) => h.state)).to.deep.equal(['blocked', 'active']);
      expect(new Set(Array.from({length: 4}, () => host(m.pick())))).to.deep.equal(new Set(['B']));
    });

    it('health() is a plain per-endpoint summary', () => {
      const m = new EndpointManager({clock});
      const [a, b] = hosts(2);
      m.setEndpoints([a, b]);
      clock.at(5);
      m.report(a, 'success');
      m.report(b, 'failure');
      expect(m.health()).to.deep.equal([
        {key: 'tcp -h A -p 10000', endpoint: a, state: 'active', consecutiveFailures: 0, windowCalls: 1,
          windowFailures: 0, lastSuccessAt: 5},
        {key: 'tcp -h B -p 10000', endpoint: b, state: 'active', consecutiveFailures: 1, windowCalls: 1,
          windowFailures: 1},
      ]);
    });
  });
});

describe('endpoint health: since when an endpoint is unusable (tars.viewproxy, tars route --from)', () => {
  it('is the time it left active and why; a failed probe keeps it; a success clears it', () => {
    const clock = new FakeClock();
    const h = new EndpointHealth({clock});
    expect(h.unusableSince).to.equal(undefined);
    h.report('connect-failure');
    expect(h.unusableSince).to.deep.equal({at: 0, reason: 'connect-failure'});
    clock.at(DEFAULT_BLOCKING.retryIntervalMs);
    h.beginProbe();
    h.report('timeout');
    expect(h.state).to.equal('blocked');
    expect(h.unusableSince).to.deep.equal({at: 0, reason: 'connect-failure'});
    clock.at(2 * DEFAULT_BLOCKING.retryIntervalMs + 1);
    h.beginProbe();
    h.report('success');
    expect(h.state).to.equal('active');
    expect(h.unusableSince).to.equal(undefined);
  });

  it('the manager\'s health lines carry it for the endpoints that are not active', () => {
    const clock = new FakeClock().at(1000);
    const m = new EndpointManager({clock});
    const [a, b] = hosts(2);
    m.setEndpoints([a!, b!]);
    m.report(b!, 'connect-failure');
    const lines = m.health();
    expect(lines[0]).to.not.have.property('unusableSince');
    expect(lines[1]).to.include({state: 'blocked', unusableSince: 1000, reason: 'connect-failure'});
  });
});
