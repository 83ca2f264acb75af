// NodeReporter's bounds, with a stand-in for the node's proxy: a node that never answers cannot pile calls up, a
// failing node costs one log line rather than one per beat, and a node that answers again is said so once.
import {Logger, NodeReporter} from '@tars-ts/core';
import type {NodeF} from '@tars-ts/core/framework';
import {expect} from 'chai';

import {until} from '../support/wait.js';

type Answer = () => Promise<{ret: number}>;

/** Only what the reporter calls; `answer` decides how each call ends. */
function stubNode(answer: Answer): {proxy: NodeF.ServerFProxy; calls: string[]} {
  const calls: string[] = [];
  const proxy = {
    keepActiving: () => (calls.push('keepActiving'), answer()),
    reportVersion: () => (calls.push('reportVersion'), answer()),
    keepAlive: (info: NodeF.ServerInfo) => (calls.push(`keepAlive ${info.adapter}`), answer()),
  } as unknown as NodeF.ServerFProxy;
  return {proxy, calls};
}

function reporter(proxy: NodeF.ServerFProxy, lines: string[] = []): NodeReporter {
  return new NodeReporter(proxy, {obj: 'tars.tarsnode.ServerObj@tcp -h 127.0.0.1 -p 1', app: 'A', server: 'S',
    version: '9.9.9', intervalMs: 1, logger: new Logger('DEBUG', (l) => lines.push(l))});
}

describe('NodeReporter', () => {
  it('leaves a round out while the previous one is unanswered (a node that never answers)', async () => {
    const {proxy, calls} = stubNode(() => new Promise(() => {}));
    const r = reporter(proxy);
    r.started(() => ['X', 'Y']);
    await until(() => r.stats.skipped >= 20, 'skipped rounds');
    r.stop();
    // reportVersion, keepAlive(""), then one round of X and Y, and nothing more while it hangs.
    expect(calls).to.deep.equal(['reportVersion', 'keepAlive ', 'keepAlive X', 'keepAlive Y']);
  });

  it('logs failures once for many, and once more when the node answers again', async () => {
    let up = false;
    const {proxy} = stubNode(() => (up ? Promise.resolve({ret: 0}) : Promise.reject(new Error('refused'))));
    const lines: string[] = [];
    const r = reporter(proxy, lines);
    r.started(() => ['X']);
    await until(() => r.stats.failed >= 30, 'failed calls');
    expect(lines).to.have.length(1);
    expect(lines[0]).to.match(/\|WARN\|node tars\.tarsnode\.ServerObj@.*: 1 call\(s\) failed, latest reportVersion: refused/);
    up = true;
    await until(() => r.stats.lastOk !== undefined && lines.length >= 2, 'the node answering again');
    r.stop();
    expect(lines).to.have.length(2);
    expect(lines[1]).to.match(/\|INFO\|node .*: answers again \(\d+ more call\(s\) failed before\)$/);
  });

  it('counts a non-zero ret (a node that does not know the server) as a failure', async () => {
    const {proxy} = stubNode(() => Promise.resolve({ret: -1}));
    const lines: string[] = [];
    const r = reporter(proxy, lines);
    r.activating();
    await until(() => r.stats.failed >= 1, 'the answer');
    r.stop();
    expect(lines[0]).to.match(/keepActiving: the node answered -1 \(it does not know A\.S\)/);
  });
});
