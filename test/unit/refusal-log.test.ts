// The adapter's log of refused requests (-9, -6): a bounded number of lines whatever the flood, and every refusal
// accounted for. Clock and timers are injected: lines are counted, never timed.
import {expect} from 'chai';

import {RefusalLog} from '../../core/src/rpc/server/refusal-log.js';

function harness() {
  const lines: string[] = [];
  let now = 0;
  const timers: {fn: () => void; at: number}[] = [];
  const log = new RefusalLog((line) => lines.push(line), 'adapter A', {
    now: () => now,
    schedule: (fn, ms) => {
      const t = {fn, at: now + ms};
      timers.push(t);
      return () => timers.splice(timers.indexOf(t), 1);
    },
  });
  const advance = (ms: number): void => {
    now += ms;
    for (const t of timers.filter((x) => x.at <= now)) {
      timers.splice(timers.indexOf(t), 1);
      t.fn();
    }
  };
  /** Refusals reported by the lines so far. */
  const reported = (): number => lines.reduce((n, l) => n + Number(/refused (\d+) request/.exec(l)![1]), 0);
  return {lines, log, advance, reported, timers};
}

describe('refusal log', () => {
  it('a flood of refusals logs one line at once and one summary per second, not one line per request', () => {
    const h = harness();
    for (let i = 0; i < 10_000; i++) h.log.note(-9, `for S.f from 10.0.0.1: server overloaded (${i})`);
    expect(h.lines).to.have.length(1);
    expect(h.lines[0]).to.equal('adapter A: refused 1 request (-9 overload: 1); latest: -9 for S.f from 10.0.0.1: ' +
      'server overloaded (0)');
    h.advance(999);
    expect(h.lines).to.have.length(1);
    h.advance(1); // the flood stopped: the timer reports what was counted
    expect(h.lines).to.have.length(2);
    expect(h.lines[1]).to.match(/^adapter A: refused 9999 requests \(-9 overload: 9999\); latest: .*\(9999\)$/);
    expect(h.reported()).to.equal(10_000);
    expect(h.timers).to.have.length(0);
  });

  it('counts -9 and -6 separately and reports at the first refusal after the interval', () => {
    const h = harness();
    // Ten seconds of steady refusals, 100 per simulated second of each code: one line per second.
    for (let s = 0; s < 10; s++) {
      for (let i = 0; i < 100; i++) {
        h.log.note(-9, 'x');
        h.log.note(-6, 'y');
      }
      h.advance(1000);
    }
    expect(h.lines).to.have.length(11); // the first at once, then one per simulated second
    expect(h.reported()).to.equal(2000);
    expect(h.lines[2]).to.match(/\(-9 overload: \d+, -6 queue timeout: \d+\)/);
  });

  it('flush reports what is counted at once, and nothing when nothing is', () => {
    const h = harness();
    h.log.note(-6, 'a');
    h.log.note(-6, 'b');
    h.log.flush();
    h.log.flush();
    expect(h.lines).to.have.length(2);
    expect(h.lines[1]).to.equal('adapter A: refused 1 request (-6 queue timeout: 1); latest: -6 b');
    expect(h.timers).to.have.length(0);
  });
});
