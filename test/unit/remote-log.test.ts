// The remote log's buffer (core/src/rpc/log/remote-log.ts), driven by a manual timer and a send function that
// records or fails: order, batch size, the bound, what is dropped and counted, close.
import {expect} from 'chai';

import {LogF} from '@tars-ts/core/framework';
import {ManualReportTimer, RemoteLog, type RemoteLogTarget} from '@tars-ts/core';

const ACCESS: RemoteLogTarget = {kind: 'info', info: LogF.LogInfo.create({appname: 'A', servername: 'S',
  sFilename: 'access', sFormat: '%Y%m%d'})};
const OTHER: RemoteLogTarget = {kind: 'logger', app: 'tars_dyeing', server: 'dyeing', file: 'day', format: '%Y%m%d'};

describe('remote log buffer', () => {
  let timer: ManualReportTimer;
  beforeEach(() => {
    timer = new ManualReportTimer();
  });

  it('sends every line once, in order, in batches of at most batchLines, one call at a time', async () => {
    const got: {target: RemoteLogTarget; lines: string[]}[] = [];
    let inFlight = 0;
    let most = 0;
    const log = new RemoteLog(async (target, lines) => {
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setImmediate(r));
      got.push({target, lines});
      inFlight--;
    }, {timer, batchLines: 300, intervalMs: 60_000});
    for (let i = 0; i < 1000; i++) log.write(i % 2 === 0 ? ACCESS : OTHER, `line ${i}`);
    await log.flush();
    expect(most).to.equal(1);
    expect(got.every((b) => b.lines.length <= 300)).to.equal(true);
    const of = (t: RemoteLogTarget): string[] => got.filter((b) => b.target === t).flatMap((b) => b.lines);
    expect(of(ACCESS)).to.deep.equal(Array.from({length: 500}, (_, i) => `line ${2 * i}`));
    expect(of(OTHER)).to.deep.equal(Array.from({length: 500}, (_, i) => `line ${2 * i + 1}`));
    expect(log.stats).to.include({sent: 1000, dropped: 0, buffered: 0});
    await log.close();
  });

  it('flushes on the timer, and at once when a target holds batchLines lines', async () => {
    const got: string[][] = [];
    const log = new RemoteLog(async (_t, lines) => {
      got.push(lines);
    }, {timer, batchLines: 10, intervalMs: 60_000});
    log.write(ACCESS, 'a');
    await new Promise((r) => setImmediate(r));
    expect(got).to.deep.equal([]);
    timer.advance();
    await log.flush();
    expect(got).to.deep.equal([['a']]);
    for (let i = 0; i < 10; i++) log.write(ACCESS, `b${i}`);
    for (let i = 0; i < 20 && got.length < 2; i++) await new Promise((r) => setImmediate(r));
    expect(got[1]).to.have.length(10);
    await log.close();
  });

  it('holds at most maxBuffered lines: the rest are dropped and counted, never thrown', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const log = new RemoteLog(() => gate, {timer, maxBuffered: 100, batchLines: 50});
    let accepted = 0;
    for (let i = 0; i < 1000; i++) if (log.write(ACCESS, `l${i}`)) accepted++;
    expect(accepted).to.equal(100);
    expect(log.stats).to.include({buffered: 100, dropped: 900});
    const flushed = log.flush();
    release();
    await flushed;
    expect(log.stats).to.include({sent: 100, dropped: 900, buffered: 0});
    await log.close();
  });

  it('a batch the daemon does not take is dropped and counted, with the error', async () => {
    const log = new RemoteLog(() => Promise.reject(new Error('connection refused')), {timer, batchLines: 10});
    for (let i = 0; i < 25; i++) log.write(ACCESS, `l${i}`);
    await log.flush();
    expect(log.stats).to.include({sent: 0, dropped: 25, buffered: 0, batches: 3, failedBatches: 3,
      lastError: 'connection refused'});
    await log.close();
  });

  it('close flushes what is buffered; with a daemon that never answers it gives up after its wait', async () => {
    const sent: string[] = [];
    const log = new RemoteLog(async (_t, lines) => {
      sent.push(...lines);
    }, {timer, intervalMs: 60_000});
    log.write(ACCESS, 'one');
    log.write(OTHER, 'two');
    await log.close();
    expect(sent).to.deep.equal(['one', 'two']);
    expect(log.write(ACCESS, 'late')).to.equal(false);
    expect(timer.size).to.equal(0);

    const stuck = new RemoteLog(() => new Promise(() => undefined), {timer, batchLines: 2, intervalMs: 60_000});
    for (let i = 0; i < 5; i++) stuck.write(ACCESS, `s${i}`);
    await stuck.close(50);
    // The first batch is still in flight; the three lines never sent are counted as dropped.
    expect(stuck.stats).to.include({sent: 0, dropped: 3, buffered: 2});
  });
});
