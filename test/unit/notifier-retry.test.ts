// The notify reports of a crash of the notify daemon itself: sent while it restarts, they must arrive once it is back.
import {expect} from 'chai';

import {Notifier} from '@tars-ts/core';
import type {NotifyF} from '@tars-ts/core/framework';

/** A NotifyObj proxy that refuses the first `down` calls, then takes every report. */
function flakyProxy(down: number): {proxy: NotifyF.NotifyProxy; taken: string[]} {
  const taken: string[] = [];
  let calls = 0;
  const proxy = {
    reportNotifyInfo(info: NotifyF.ReportInfo): Promise<void> {
      calls++;
      if (calls <= down) return Promise.reject(new Error('connect ECONNREFUSED'));
      taken.push(info.sMessage);
      return Promise.resolve();
    },
  } as unknown as NotifyF.NotifyProxy;
  return {proxy, taken};
}

const until = async (cond: () => boolean, ms = 2000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('not reached');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('Notifier tries a report again', () => {
  it('a report made while the notify daemon is away arrives once it is back, in order', async () => {
    const {proxy, taken} = flakyProxy(3);
    const n = new Notifier(proxy, {app: 'tars', server: 'tarsnode'}, {retryMs: 20});
    n.report('[alarm] down, server is inactive (pid 1 exited)');
    n.report('[alarm] restarted after pid 1 exited, new pid 2');
    await until(() => taken.length === 2);
    expect(taken).to.deep.equal(['[alarm] down, server is inactive (pid 1 exited)',
      '[alarm] restarted after pid 1 exited, new pid 2']);
    expect(n.stats).to.include({sent: 2, dropped: 0, retrying: 0});
    n.close();
  });

  it('gives a report up after its tries, and keeps at most maxPending waiting (the oldest go first)', async () => {
    const {proxy, taken} = flakyProxy(1000);
    const n = new Notifier(proxy, {app: 'A', server: 'S'}, {retryMs: 10, retries: 2, maxPending: 2});
    n.report('one');
    await until(() => n.stats.dropped === 1 && n.stats.pending === 0 && n.stats.retrying === 0);
    expect(n.stats.failed).to.equal(3);
    for (const m of ['a', 'b', 'c']) n.report(m);
    await until(() => n.stats.retrying === 2 || n.stats.dropped >= 2);
    n.close();
    expect(taken).to.deep.equal([]);
    expect(n.stats.retrying).to.equal(0);
  });

  it('retryMs 0: a failed report is given up at once, as before', async () => {
    const {proxy} = flakyProxy(1);
    const n = new Notifier(proxy, {app: 'A', server: 'S'}, {retryMs: 0});
    n.report('x');
    await n.flush();
    expect(n.stats).to.include({failed: 1, dropped: 1, retrying: 0});
  });
});
