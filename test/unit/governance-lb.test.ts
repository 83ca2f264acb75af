import {expect} from 'chai';
import fc from 'fast-check';

import {type Endpoint, endpoint, endpointKey} from '../../core/src/protocol/endpoint.js';
import {
  ConsistentHashPicker, VIRTUAL_NODES, consistentHashBalancer, murmur3,
} from '../../core/src/rpc/client/governance/lb-consistent-hash.js';
import {ModuloHashPicker, moduloHashBalancer, sortedByKey} from '../../core/src/rpc/client/governance/lb-hash.js';
import {RoundRobinPicker, roundRobinBalancer} from '../../core/src/rpc/client/governance/lb-round-robin.js';
import {WeightedPicker, effectiveWeight, weightedBalancer} from '../../core/src/rpc/client/governance/lb-weighted.js';
import {
  defaultBalancerFor, loadBalancer, loadBalancerNames, registerLoadBalancer,
} from '../../core/src/rpc/client/governance/load-balancers.js';
import type {PickResult, Picker} from '../../core/src/rpc/client/governance/types.js';

function eps(n: number, extra: Partial<Endpoint> = {}): Endpoint[] {
  return Array.from({length: n}, (_, i) => endpoint({host: `10.0.0.${i + 1}`, port: 10000 + i, ...extra}));
}

function host(r: PickResult): string {
  if (r.kind !== 'ok') throw new Error(`expected an endpoint, got none (${r.reason})`);
  return r.endpoint.host;
}

function picks(p: Picker, n: number, hash?: number): string[] {
  return Array.from({length: n}, () => host(p.pick(hash)));
}

function counts(list: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const s of list) m.set(s, (m.get(s) ?? 0) + 1);
  return m;
}

function shuffled<T>(list: readonly T[], seed: number): T[] {
  const out = [...list];
  let s = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

describe('governance: load balancers', () => {
  describe('round robin', () => {
    it('hands out every endpoint once per cycle, in a fixed rotation', () => {
      const list = eps(4);
      const p = new RoundRobinPicker(list, 2);
      expect(picks(p, 8)).to.deep.equal(['10.0.0.3', '10.0.0.4', '10.0.0.1', '10.0.0.2',
        '10.0.0.3', '10.0.0.4', '10.0.0.1', '10.0.0.2']);
    });

    it('is even over many cycles from whatever start the balancer chooses', () => {
      const p = roundRobinBalancer.build(eps(5));
      const seq = picks(p, 500);
      for (let i = 0; i < seq.length; i += 5) expect(new Set(seq.slice(i, i + 5)).size).to.equal(5);
      expect([...counts(seq).values()]).to.deep.equal([100, 100, 100, 100, 100]);
    });

    it('keeps its own cursor: two pickers over the same list do not disturb each other', () => {
      const list = eps(3);
      const a = new RoundRobinPicker(list);
      const b = new RoundRobinPicker(list);
      expect(picks(a, 2)).to.deep.equal(['10.0.0.1', '10.0.0.2']);
      expect(picks(b, 1)).to.deep.equal(['10.0.0.1']);
      expect(picks(a, 1)).to.deep.equal(['10.0.0.3']);
    });

    it('is not affected by later changes to the array it was built from', () => {
      const list = eps(2);
      const p = new RoundRobinPicker(list);
      list.push(endpoint({host: 'x', port: 1}));
      expect(new Set(picks(p, 6))).to.deep.equal(new Set(['10.0.0.1', '10.0.0.2']));
    });

    it('returns the same result object for the same endpoint (no allocation per pick)', () => {
      const p = new RoundRobinPicker(eps(2));
      const first = p.pick();
      p.pick();
      expect(p.pick()).to.equal(first);
    });
  });

  describe('weighted (smooth weighted round robin)', () => {
    it('is exactly proportional over a cycle and interleaved (5,1,1 -> a a b a c a a)', () => {
      const list = [5, 1, 1].map((w, i) => endpoint({host: 'abc'[i], port: 1, weight: w, weightType: 1}));
      const p = weightedBalancer.build(list);
      const cycle = picks(p, 7);
      expect(cycle).to.deep.equal(['a', 'a', 'b', 'a', 'c', 'a', 'a']);
      expect(picks(p, 7)).to.deep.equal(cycle);
      // never five in a row, also across cycle boundaries
      expect(picks(p, 70).join('')).not.to.include('aaaaa');
    });

    it('keeps exact ratios that integer rescaling would round (3:2) and clamps weights above 100', () => {
      const p = new WeightedPicker([
        endpoint({host: 'a', port: 1, weight: 3, weightType: 1}),
        endpoint({host: 'b', port: 1, weight: 2, weightType: 1}),
      ]);
      expect(Object.fromEntries(counts(picks(p, 500)))).to.deep.equal({a: 300, b: 200});
      expect(effectiveWeight(endpoint({host: 'a', port: 1, weight: 5000}))).to.equal(100);
      expect(effectiveWeight(endpoint({host: 'a', port: 1}))).to.equal(100);
    });

    it('property: over one cycle each endpoint gets exactly its weight, and every stretch stays within 2 of its share', () => {
      fc.assert(fc.property(fc.array(fc.integer({min: 1, max: 100}), {minLength: 1, maxLength: 8}), (weights) => {
        const list = weights.map((w, i) => endpoint({host: `h${i}`, port: 1, weight: w, weightType: 1}));
        const p = new WeightedPicker(list);
        const total = weights.reduce((a, b) => a + b, 0);
        const seq = picks(p, 2 * total);
        const c = counts(seq.slice(0, total));
        weights.forEach((w, i) => expect(c.get(`h${i}`) ?? 0).to.equal(w));
        // Smoothness as a discrepancy bound: in any run of k consecutive picks an endpoint of weight w is chosen
        // w*k/total times, give or take less than 2 (the spread of the prefix sums of "chosen - share").
        weights.forEach((w, i) => {
          let sum = 0;
          let hi = 0;
          let lo = 0;
          for (const h of seq) {
            sum += (h === `h${i}` ? 1 : 0) - w / total;
            hi = Math.max(hi, sum);
            lo = Math.min(lo, sum);
          }
          expect(hi - lo).to.be.below(2);
        });
      }), {numRuns: 200});
    });

    it('gives weight 0 no traffic, unless every weight is 0', () => {
      const p = new WeightedPicker([
        endpoint({host: 'a', port: 1, weight: 0, weightType: 1}),
        endpoint({host: 'b', port: 1, weight: 10, weightType: 1}),
      ]);
      expect(new Set(picks(p, 20))).to.deep.equal(new Set(['b']));
      const zero = new WeightedPicker([
        endpoint({host: 'a', port: 1, weight: 0, weightType: 1}),
        endpoint({host: 'b', port: 1, weight: 0, weightType: 1}),
      ]);
      expect(Object.fromEntries(counts(picks(zero, 10)))).to.deep.equal({a: 5, b: 5});
    });
  });

  describe('modulo hash', () => {
    it('maps a hash to hash % n over the list sorted by key, whatever the input order', () => {
      const list = eps(7);
      const sorted = sortedByKey(list);
      fc.assert(fc.property(fc.integer({min: 0, max: 2 ** 31 - 1}), fc.integer(), (hash, seed) => {
        const p = moduloHashBalancer.build(shuffled(list, seed));
        const r = p.pick(hash);
        expect(r.kind === 'ok' && endpointKey(r.endpoint)).to.equal(endpointKey(sorted[hash % 7]));
      }), {numRuns: 300});
    });

    it('keeps a hash on its endpoint while another one is blocked (stable over the full list)', () => {
      const all = eps(4);
      const sorted = sortedByKey(all);
      const active = all.filter((e) => e !== sorted[1]);
      const p = moduloHashBalancer.build(active, all);
      for (const hash of [0, 2, 3, 4, 6, 7, 1000]) expect(host(p.pick(hash))).to.equal(sorted[hash % 4].host);
    });

    it('re-hashes over the unblocked endpoints when the chosen one is blocked', () => {
      const all = eps(4);
      const sorted = sortedByKey(all);
      const blocked = sorted[1];
      const activeSorted = sorted.filter((e) => e !== blocked);
      const p = new ModuloHashPicker(shuffled(activeSorted, 7), shuffled(all, 3));
      for (const hash of [1, 5, 9, 13, 101]) {
        expect(hash % 4).to.equal(1);
        expect(host(p.pick(hash))).to.equal(activeSorted[hash % 3].host);
      }
    });

    it('without a full list, hashes over the active ones; without a hash, rotates', () => {
      const p = new ModuloHashPicker(eps(3));
      expect(host(p.pick(4))).to.equal('10.0.0.2');
      expect(new Set(picks(p, 3))).to.have.property('size', 3);
      expect(p.pick(2 ** 40 + 5).kind).to.equal('ok');
      expect(p.pick(-1).kind).to.equal('ok');
    });

    it('answers none when every endpoint is blocked', () => {
      expect(new ModuloHashPicker([], eps(3)).pick(5).kind).to.equal('none');
    });
  });

  describe('consistent hash', () => {
    const KEYS = Array.from({length: 10_000}, (_, i) => i);

    function owners(p: Picker, keys: readonly number[]): (Endpoint | undefined)[] {
      return keys.map((k) => {
        const r = p.pick(k);
        return r.kind === 'ok' ? r.endpoint : undefined;
      });
    }

    it('is deterministic whatever order the endpoints come in', () => {
      const list = eps(6);
      const a = owners(consistentHashBalancer.build(list), KEYS.slice(0, 2000)).map((e) => e && endpointKey(e));
      const b = owners(consistentHashBalancer.build(shuffled(list, 99)), KEYS.slice(0, 2000)).map((e) => e && endpointKey(e));
      expect(a).to.deep.equal(b);
    });

    it('property: removing one of N remaps about 1/N of the keys, only those of the removed endpoint', function () {
      this.timeout(30_000);
      fc.assert(fc.property(fc.integer({min: 3, max: 10}), fc.nat(), fc.nat(), (n, which, salt) => {
        const list = Array.from({length: n}, (_, i) => endpoint({host: `192.168.${salt % 250}.${i + 1}`, port: 8000 + i}));
        const removed = list[which % n];
        const before = owners(new ConsistentHashPicker(list), KEYS);
        const after = owners(new ConsistentHashPicker(list.filter((e) => e !== removed)), KEYS);
        let moved = 0;
        let movedFromOthers = 0;
        let stayedOnRemoved = 0;
        before.forEach((owner, i) => {
          if (owner !== after[i]) {
            moved++;
            if (owner !== removed) movedFromOthers++;
          } else if (owner === removed) {
            stayedOnRemoved++;
          }
        });
        expect({movedFromOthers, stayedOnRemoved}).to.deep.equal({movedFromOthers: 0, stayedOnRemoved: 0});
        expect(moved / KEYS.length).to.be.below(1.6 / n).and.above(0.4 / n);
      }), {numRuns: 30});
    });

    it('property: adding one to N takes about 1/(N+1) of the keys, all for the new endpoint', function () {
      this.timeout(30_000);
      fc.assert(fc.property(fc.integer({min: 3, max: 10}), fc.nat(), (n, salt) => {
        const list = Array.from({length: n + 1}, (_, i) => endpoint({host: `172.16.${salt % 250}.${i + 1}`, port: 9000}));
        const added = list[n];
        const before = owners(new ConsistentHashPicker(list.slice(0, n)), KEYS);
        const after = owners(new ConsistentHashPicker(list), KEYS);
        let moved = 0;
        let movedElsewhere = 0;
        before.forEach((owner, i) => {
          if (owner !== after[i]) {
            moved++;
            if (after[i] !== added) movedElsewhere++;
          }
        });
        expect(movedElsewhere).to.equal(0);
        expect(moved / KEYS.length).to.be.below(1.6 / (n + 1)).and.above(0.4 / (n + 1));
      }), {numRuns: 30});
    });

    it('spreads 100k keys roughly evenly over 5 endpoints (each within 35% of the mean)', () => {
      const p = new ConsistentHashPicker(eps(5));
      expect(p.ringSize).to.equal(5 * VIRTUAL_NODES);
      const c = counts(owners(p, Array.from({length: 100_000}, (_, i) => i)).map((e) => e?.host ?? ''));
      expect(c.size).to.equal(5);
      for (const v of c.values()) expect(Math.abs(v - 20_000) / 20_000).to.be.below(0.35);
    });

    it('spreads random hash codes too', () => {
      const p = new ConsistentHashPicker(eps(5));
      const keys = Array.from({length: 50_000}, (_, i) => murmur3(`k${i}`) >>> 1);
      for (const v of counts(owners(p, keys).map((e) => e?.host ?? '')).values()) expect(Math.abs(v - 10_000) / 10_000).to.be.below(0.35);
    });

    it('gives statically weighted endpoints virtual nodes in proportion to their weight', () => {
      const list = [
        endpoint({host: 'a', port: 1, weight: 100, weightType: 1}),
        endpoint({host: 'b', port: 1, weight: 50, weightType: 1}),
        endpoint({host: 'c', port: 1, weight: 0, weightType: 1}),
      ];
      const p = new ConsistentHashPicker(list);
      expect(p.ringSize).to.equal(VIRTUAL_NODES * 1.5);
      const c = counts(Array.from({length: 30_000}, (_, i) => host(p.pick(i))));
      expect(c.has('c')).to.equal(false);
      expect((c.get('a') ?? 0) / (c.get('b') ?? 1)).to.be.within(1.4, 2.8);
    });

    it('rotates over the endpoints when a call has no hash code', () => {
      expect(new Set(picks(new ConsistentHashPicker(eps(3)), 3)).size).to.equal(3);
    });
  });

  describe('every picker', () => {
    for (const name of ['round-robin', 'weighted', 'hash', 'consistent-hash']) {
      it(`${name}: kind 'none' for no endpoints, with or without a hash`, () => {
        const p = loadBalancer(name).build([]);
        for (const hash of [undefined, 0, 12345]) {
          const r = p.pick(hash);
          expect(r.kind).to.equal('none');
          expect(r.kind === 'none' && r.reason).to.be.a('string').that.is.not.empty;
        }
      });

      it(`${name}: a single endpoint is always picked`, () => {
        const p = loadBalancer(name).build(eps(1));
        for (const hash of [undefined, 0, 7, 2 ** 31 - 1]) expect(host(p.pick(hash))).to.equal('10.0.0.1');
      });
    }
  });

  describe('registry', () => {
    it('has the four built-ins', () => {
      expect(loadBalancerNames()).to.include.members(['round-robin', 'weighted', 'hash', 'consistent-hash']);
      expect(loadBalancer('hash')).to.equal(moduloHashBalancer);
    });

    it('throws CONFIG_INVALID naming the known balancers for an unknown name', () => {
      let error: unknown;
      try {
        loadBalancer('least-conn');
      } catch (e) {
        error = e;
      }
      expect(error).to.have.property('code', 'CONFIG_INVALID');
      const message = (error as Error).message;
      expect(message).to.include('unknown load balancer "least-conn"');
      for (const name of ['round-robin', 'weighted', 'hash', 'consistent-hash']) expect(message).to.include(name);
    });

    it('takes new strategies explicitly', () => {
      registerLoadBalancer({name: 'test-first', build: (list) => new RoundRobinPicker(list.slice(0, 1))});
      expect(host(loadBalancer('test-first').build(eps(3)).pick())).to.equal('10.0.0.1');
    });

    it('defaults to weighted only when every endpoint is statically weighted (TarsCpp rule)', () => {
      expect(defaultBalancerFor(eps(3, {weightType: 1, weight: 10}))).to.equal('weighted');
      expect(defaultBalancerFor([...eps(2, {weightType: 1}), endpoint({host: 'x', port: 1})])).to.equal('round-robin');
      expect(defaultBalancerFor(eps(2))).to.equal('round-robin');
      expect(defaultBalancerFor([])).to.equal('round-robin');
    });
  });
});
