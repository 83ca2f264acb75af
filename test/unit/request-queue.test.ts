import {expect} from 'chai';

import {RequestQueue} from '../../core/src/rpc/server/request-queue.js';

interface Probe {
  events: string[];
  finish: Map<string, () => void>;
}

function job(q: RequestQueue, probe: Probe, name: string, clock: {t: number}, requestTimeoutMs = 0): void {
  q.submit({
    arrivedAt: clock.t,
    requestTimeoutMs,
    run: () => {
      probe.events.push(`run ${name}`);
      return new Promise<void>((resolve) => probe.finish.set(name, resolve));
    },
    refuse: (code) => probe.events.push(`refuse ${name} ${code}`),
  });
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('server request queue', () => {
  it('runs up to concurrency, queues up to cap, rejects beyond with -9', async () => {
    const clock = {t: 0};
    const q = new RequestQueue({cap: 2, timeoutMs: 1000, concurrency: 2}, () => clock.t);
    const p: Probe = {events: [], finish: new Map()};
    for (const n of ['a', 'b', 'c', 'd', 'e']) job(q, p, n, clock);
    expect(p.events).to.deep.equal(['run a', 'run b', 'refuse e -9']);
    expect(q.stats).to.include({waiting: 2, running: 2, rejected: 1});
    p.finish.get('a')!();
    await tick();
    expect(p.events.at(-1)).to.equal('run c');
    expect(q.stats).to.include({waiting: 1, running: 2, executed: 3});
  });

  it('drops requests that waited longer than queuetimeout (or their own timeout) with -6, never running them', async () => {
    const clock = {t: 0};
    const q = new RequestQueue({cap: 10, timeoutMs: 500, concurrency: 1}, () => clock.t);
    const p: Probe = {events: [], finish: new Map()};
    job(q, p, 'a', clock);
    clock.t = 100;
    job(q, p, 'old', clock);
    clock.t = 550;
    job(q, p, 'fresh', clock);
    job(q, p, 'impatient', clock, 50);
    clock.t = 700;
    p.finish.get('a')!();
    await tick();
    // 'old' waited 600 > 500; 'fresh' waited 150; 'impatient' waited 150 > its own 50.
    expect(p.events).to.deep.equal(['run a', 'refuse old -6', 'run fresh']);
    p.finish.get('fresh')!();
    await tick();
    expect(p.events.at(-1)).to.equal('refuse impatient -6');
    expect(q.stats).to.include({expired: 2, executed: 2, waiting: 0, running: 0, maxWaitMs: 150});
  });

  it('keeps memory bounded by cap whatever the flood', () => {
    const clock = {t: 0};
    const q = new RequestQueue({cap: 100, timeoutMs: 1000, concurrency: 1}, () => clock.t);
    const p: Probe = {events: [], finish: new Map()};
    for (let i = 0; i < 100_000; i++) job(q, p, String(i), clock);
    expect(q.stats.waiting).to.equal(100);
    expect(q.stats.rejected).to.equal(100_000 - 101);
  });

  it('idle() resolves once everything finished', async () => {
    const clock = {t: 0};
    const q = new RequestQueue({cap: 10, timeoutMs: 1000, concurrency: 1}, () => clock.t);
    const p: Probe = {events: [], finish: new Map()};
    job(q, p, 'a', clock);
    job(q, p, 'b', clock);
    let idle = false;
    void q.idle(10_000).then(() => {
      idle = true;
    });
    p.finish.get('a')!();
    await tick();
    expect(idle).to.equal(false);
    p.finish.get('b')!();
    await tick();
    await tick();
    expect(idle).to.equal(true);
  });
});
