// Several log daemons behind one name, as real processes: a registry, two `tars log start --locator ...` (on one
// throwaway PostgreSQL for the notifications; each with its own log directory), and a service built with core's
// Application whose remote log and notify reports go to tars.tarslog.LogObj / tars.tarsnotify.NotifyObj by name,
// so its calls spread over both. `tars log tail|query --json` show every line exactly once from both, merged by
// time; `tars notify list --json` each notification once; `tars trace show` one trace whose span lines sit on
// different daemons; `tars log tail -f` keeps flowing from one when the other is killed -9, with one note; after
// the kill every query answers from the live one. And two daemons sharing a log directory but not a notify store.
import {expect} from 'chai';
import {type ChildProcess, spawn} from 'node:child_process';
import {mkdtempSync, readFileSync, readdirSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {Application, Communicator, spanLines} from '@tars-ts/core';
import {LogF, LogQuery, NotifyF} from '@tars-ts/core/framework';
import {lineTime} from '@tars-ts/kit';

import {registryLocatorOf, startCliDaemon, tars, tarsJson} from '../../../../test/support/cli-daemon.js';
import {freshDatabase} from '../../../../test/support/postgres.js';
import {until} from '../../../../test/support/wait.js';
import type {LogQueryJson} from '../src/commands/log/query.js';
import type {LogTailJson} from '../src/commands/log/tail.js';
import type {NotifyListJson} from '../src/commands/notify/list.js';
import type {TraceListJson} from '../src/commands/trace/list.js';
import type {TraceShowJson} from '../src/commands/trace/show.js';
import {type StartedLog, bin, root, sleep, startLogProcess, stopChild} from './support.js';

const LOG_OBJS = ['tars.tarslog.LogObj', 'tars.tarsnotify.NotifyObj', 'tars.tarslog.LogQueryObj'];

/** A service of its own (no servants) that logs and reports to the log daemons by name, through the registry. */
function service(locator: string): Application {
  return Application.fromText(`<tars>
  <application>
    <client>
      locator = ${locator}
      sync-invoke-timeout = 3000
    </client>
    <server>
      app = Multi
      server = Svc
      local = tcp -h 127.0.0.1 -p 0 -t 10000
      loglevel = NONE
      log = tars.tarslog.LogObj
      notify = tars.tarsnotify.NotifyObj
    </server>
  </application>
</tars>
`, {graceMs: 500, remoteLog: {intervalMs: 20, batchLines: 5}});
}

/** The numbers of the `multi N` lines, in the order given. */
const numbers = (lines: {line: string}[]): number[] => lines.map((l) => Number(/\|multi (\d+)$/.exec(l.line)?.[1]));

/** The lines of App.Server files on one daemon's disk. */
function linesOnDisk(data: string): number {
  const dir = path.join(data, 'remote_app_log', 'Multi', 'Svc');
  return readdirSync(dir).reduce((n, f) => n + readFileSync(path.join(dir, f), 'utf8').split('\n')
    .filter((l) => /\|multi \d+$/.test(l)).length, 0);
}

describe('several log daemons behind one name (processes)', function () {
  this.timeout(180_000);
  let dir: string;
  let registry: ChildProcess | undefined;
  let locator: string;
  let daemons: StartedLog[] = [];
  let follower: ChildProcess | undefined;
  let app: Application | undefined;
  const comms: Communicator[] = [];

  /** `tars ...args` in its own process as `follower` (killed after each test), its output so far. */
  const follow = (args: string[]): {out: () => string; err: () => string} => {
    let out = '';
    let err = '';
    follower = spawn(process.execPath, [bin, ...args], {cwd: root, stdio: ['ignore', 'pipe', 'pipe']});
    follower.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
    });
    follower.stderr!.on('data', (c: Buffer) => {
      err += c.toString();
    });
    return {out: () => out, err: () => err};
  };

  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tars-log-multi-'));
    const reg = await startCliDaemon(['registry', 'start', '--port', '0', '--data', path.join(dir, 'registry')]);
    registry = reg.child;
    locator = registryLocatorOf(reg.out);
  });

  afterEach(async () => {
    for (const c of comms.splice(0)) c.close();
    await app?.close();
    app = undefined;
    await stopChild(follower, 'SIGKILL');
    follower = undefined;
    for (const d of daemons) await stopChild(d.child, 'SIGKILL');
    daemons = [];
    await stopChild(registry, 'SIGKILL');
    rmSync(dir, {recursive: true, force: true});
  });

  /** `n` log daemons listed in the registry, each with its data directory `log<i>` and `extra` flags. */
  async function startDaemons(n: number, extra: (i: number) => string[]): Promise<StartedLog[]> {
    daemons = await Promise.all(Array.from({length: n}, (_, i) => startLogProcess(path.join(dir, `log${i + 1}`),
      ['--locator', locator, ...extra(i)])));
    for (const obj of LOG_OBJS) {
      await until(async () => (await tarsJson<{endpoints: {active: boolean}[]}>(['registry', 'find', obj,
        '--locator', locator])).endpoints.filter((e) => e.active).length === n, `${obj} listed ${n} times`, 20_000);
    }
    return daemons;
  }

  /**
   * Writes lines `multi from..to-1` through the service, each in a millisecond of its own (lines of the same
   * millisecond on two daemons have no order between them); resolves once all were sent.
   */
  async function write(from: number, to: number): Promise<void> {
    for (let i = from; i < to; i += 1) {
      app!.dayLogger().write(`multi ${i}`);
      await sleep(2);
    }
    await until(() => app!.remoteLogStats!.buffered === 0, `lines up to ${to} sent`, 15_000);
  }

  const endpointsOf = (obj: string): string[] => daemons.map((d) => d.endpoints[obj]!);
  const at = (...args: string[]): string[] => [...args, '--locator', locator];

  it('two daemons on one PostgreSQL: tail, query and notify list show every line and notification once, from ' +
    'both; tail -f goes on when one is killed -9, and every query then answers from the other', async () => {
    const url = await freshDatabase('multilog');
    await startDaemons(2, () => ['--db', url]);
    const queryObjs = endpointsOf('tars.tarslog.LogQueryObj');
    app = service(locator);
    await app.start();
    await write(0, 200);
    for (let i = 0; i < 30; i += 1) app.notify('warn', `alert ${i}`);
    await until(() => app!.notifyStats!.sent >= 31 && app!.notifyStats!.pending === 0, 'the reports sent', 15_000);
    expect(app.remoteLogStats!.dropped).to.equal(0);

    // Spread over both daemons' disks, 200 in all.
    const onDisk = [linesOnDisk(path.join(dir, 'log1')), linesOnDisk(path.join(dir, 'log2'))];
    console.log(`      200 lines written: ${onDisk.join(' + ')} on the two daemons' disks`);
    expect(onDisk[0]! + onDisk[1]!).to.equal(200);
    expect(Math.min(...onDisk), 'each daemon took some').to.be.greaterThan(0);
    // They say the notify store is one, the log directories two.
    const comm = new Communicator();
    comms.push(comm);
    const stats = await Promise.all(queryObjs.map(async (e) => (await comm.stringToProxy(LogQuery.LogQueryProxy,
      `tars.tarslog.LogQueryObj@${e}`).daemonStats()).stats));
    expect(stats[0]!.notifyStore).to.equal(stats[1]!.notifyStore).and.not.equal('');
    expect(stats[0]!.logStore).to.not.equal(stats[1]!.logStore);

    const started = Date.now();
    const tail = await tarsJson<LogTailJson>(at('log', 'tail', 'Multi.Svc', '-n', '1000'));
    const tailMs = Date.now() - started;
    expect(numbers(tail.lines).sort((a, b) => a - b)).to.deep.equal(Array.from({length: 200}, (_, i) => i));
    expect(new Set(tail.lines.map((l) => l.instance))).to.deep.equal(new Set(queryObjs));
    expect(tail.instances.sort()).to.deep.equal([...queryObjs].sort());
    expect(tail.unanswered).to.equal(undefined);
    const times = tail.lines.map((l) => lineTime(l.line)!);
    expect(times, 'merged by time').to.deep.equal([...times].sort((a, b) => a - b));
    expect(numbers((await tarsJson<LogTailJson>(at('log', 'tail', 'Multi.Svc', '-n', '5'))).lines), 'the last 5 of both')
      .to.deep.equal([195, 196, 197, 198, 199]);

    const query = await tarsJson<LogQueryJson>(at('log', 'query', 'Multi.Svc', '--since', '10m'));
    expect(query.matched).to.equal(200);
    expect(numbers(query.lines)).to.deep.equal(Array.from({length: 200}, (_, i) => i));
    expect(new Set(query.lines.map((l) => l.instance)).size).to.equal(2);
    const limited = await tarsJson<LogQueryJson>(at('log', 'query', 'Multi.Svc', '--limit', '10'));
    expect([limited.matched, ...numbers(limited.lines)]).to.deep.equal([200, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);

    const alerts = (j: NotifyListJson): string[] => j.entries.map((e) => e.message).filter((m) => m.startsWith('alert'));
    const notify = await tarsJson<NotifyListJson>(at('notify', 'list', '--limit', '1000'));
    expect(alerts(notify).sort()).to.deep.equal(Array.from({length: 30}, (_, i) => `alert ${i}`).sort());
    expect(new Set(notify.entries.map((e) => e.id)).size).to.equal(notify.entries.length);
    expect(notify.entries.some((e) => 'instance' in e), 'one shared store: no instance per entry').to.equal(false);
    console.log(`      tail -n 1000 over both: ${tailMs} ms in process; notify list: ${notify.entries.length} entries ` +
      '(30 alerts and the restart report)');

    // tail -f in its own process, from the last 1000 lines on.
    const {out, err} = follow(at('log', 'tail', 'Multi.Svc', '-f', '-n', '1000', '--json', '--interval', '100'));
    const followed = (): {line: string; instance: string}[] => out().split('\n').filter(Boolean)
      .map((l) => JSON.parse(l));
    await until(() => followed().length >= 200, 'tail -f prints the first 200', 30_000);
    await write(200, 300);
    await until(() => followed().length >= 300, 'tail -f prints the next 100 from both', 15_000);
    expect(new Set(followed().slice(200).map((l) => l.instance)).size, 'live lines from both').to.equal(2);

    // One daemon dies; the service's calls go to the other, and so does tail -f, with one note.
    const killedAt = Date.now();
    await stopChild(daemons[1]!.child, 'SIGKILL');
    await sleep(300);
    const sentBefore = app.remoteLogStats!.sent;
    await write(300, 400);
    const sentAfter = app.remoteLogStats!.sent - sentBefore;
    await until(() => followed().length >= 300 + sentAfter, 'tail -f prints what the live daemon took', 15_000);
    const afterKillMs = Date.now() - killedAt;
    await sleep(500);
    const all = numbers(followed());
    expect(all.length, 'no line twice').to.equal(new Set(all).size);
    expect(all.length).to.equal(300 + sentAfter);
    expect(sentAfter, 'the service lost at most a batch to the dead daemon').to.be.at.least(95);
    expect(new Set(followed().slice(300).map((l) => l.instance))).to.deep.equal(new Set([queryObjs[0]]));
    const notes = err().split('\n').filter((l) => l.includes('does not answer'));
    expect(notes, err()).to.have.length(1);
    expect(notes[0]).to.include(queryObjs[1]).and.include('the others go on');
    console.log(`      tail -f after kill -9 of one: ${sentAfter} new lines shown within ${afterKillMs} ms; stderr: ` +
      `${notes[0]!.slice(0, 90)}...`);
    expect(await stopChild(follower, 'SIGTERM'), 'tail -f ends cleanly').to.equal(0);

    // Every query answers from the live daemon, says which one did not, and exits 0.
    const onLive = linesOnDisk(path.join(dir, 'log1'));
    const after = await tars(at('log', 'tail', 'Multi.Svc', '-n', '1000', '--json'));
    expect(after.exit, after.stderr).to.equal(0);
    const afterJson = JSON.parse(after.stdout) as LogTailJson;
    expect(afterJson.lines.length).to.equal(onLive);
    expect(afterJson.unanswered?.map((u) => u.instance)).to.deep.equal([queryObjs[1]]);
    expect(after.stderr).to.include('does not answer');
    const afterQuery = await tarsJson<LogQueryJson>(at('log', 'query', 'Multi.Svc', '--since', '10m'));
    expect(afterQuery.matched).to.equal(onLive);
    for (let i = 0; i < 10; i += 1) app.notify('warn', `alert ${30 + i}`);
    await until(() => app!.notifyStats!.pending === 0, 'the later reports sent', 15_000);
    const afterNotify = await tarsJson<NotifyListJson>(at('notify', 'list', '--limit', '1000'));
    expect(alerts(afterNotify).length, 'the shared store holds what both took').to.equal(30 + app.notifyStats!.sent - 31);
    expect(new Set(alerts(afterNotify)).size).to.equal(alerts(afterNotify).length);
    expect(afterNotify.unanswered?.map((u) => u.instance)).to.deep.equal([queryObjs[1]]);
  });

  it('notify list -f over two daemons on one PostgreSQL prints each of many concurrent reports once, in id order',
    async () => {
      const url = await freshDatabase('multinotify');
      await startDaemons(2, () => ['--db', url]);
      const comm = new Communicator({locator});
      comms.push(comm);
      const notify = comm.stringToProxy(NotifyF.NotifyProxy, 'tars.tarsnotify.NotifyObj');
      const report = (sMessage: string) => notify.reportNotifyInfo(NotifyF.ReportInfo.create({sApp: 'Multi',
        sServer: 'Svc', sMessage}));
      const {out} = follow(at('notify', 'list', '-f', '--json', '--interval', '100'));
      const printed = (): {id: number; message: string; instance?: string}[] => out().split('\n').filter(Boolean)
        .map((l) => JSON.parse(l));
      // Before or after its first listing, the first report is printed once: then it is following.
      await report('first');
      await until(() => printed().length >= 1, 'notify list -f prints the first report', 30_000);
      // Forty at once, spread over both daemons, their transactions interleaving on the one database.
      for (let round = 0; round < 4; round += 1) {
        await Promise.all(Array.from({length: 10}, (_, i) => report(`burst ${round * 10 + i}`)));
      }
      await until(() => printed().length >= 41, 'notify list -f prints the 40 reports', 15_000);
      await sleep(500);
      const got = printed();
      expect(got.map((e) => e.message).filter((m) => m !== 'first').sort())
        .to.deep.equal(Array.from({length: 40}, (_, i) => `burst ${i}`).sort());
      expect(got.map((e) => e.id), 'each once, ids growing').to.deep.equal(got.map((e) => e.id).sort((a, b) => a - b));
      expect(new Set(got.map((e) => e.id)).size).to.equal(41);
      expect(got.some((e) => e.instance !== undefined)).to.equal(false);
      const taken = await Promise.all(endpointsOf('tars.tarslog.LogQueryObj').map(async (e) => Number((await comm
        .stringToProxy(LogQuery.LogQueryProxy, `tars.tarslog.LogQueryObj@${e}`).daemonStats()).stats.notifications)));
      console.log(`      41 reports taken by the two daemons: ${taken.join(' + ')}; each printed once`);
      expect(Math.min(...taken), 'each daemon took some').to.be.greaterThan(0);
      expect(await stopChild(follower, 'SIGTERM')).to.equal(0);
    });

  it('tail -f: a daemon that hangs (SIGSTOP) holds up no line of the other; it is noted once, and again when back',
    async () => {
      await startDaemons(2, () => []);
      const comm = new Communicator();
      comms.push(comm);
      const [one, two] = endpointsOf('tars.tarslog.LogObj').map((e) => comm.stringToProxy(LogF.LogProxy,
        `tars.tarslog.LogObj@${e}`));
      const send = (to: LogF.LogProxy, text: string) => to.logger('Multi', 'Svc', '', '%Y%m%d', [`${text}\n`]);
      await send(one!, 'start one');
      await send(two!, 'start two');
      const {out, err} = follow(at('log', 'tail', 'Multi.Svc', '-f', '--json', '--interval', '100', '--timeout',
        '2000'));
      await until(() => out().includes('start one') && out().includes('start two'), 'tail -f starts', 30_000);
      daemons[1]!.child.kill('SIGSTOP');
      try {
        await sleep(300);
        const sent = Date.now();
        await send(one!, 'while two hangs');
        await until(() => out().includes('while two hangs'), 'the live daemon\'s line', 10_000);
        const shownMs = Date.now() - sent;
        // Shown before the hung daemon's call timed out (the note comes with that): the live one was not held up.
        const noteBefore = err().includes('does not answer');
        await until(() => err().includes('does not answer'), 'the note on the hung daemon', 10_000);
        console.log(`      a line of the live daemon shown ${shownMs} ms after it was written, while the other hangs ` +
          '(call timeout 2000 ms)');
        expect(noteBefore, 'the live line came before the hung daemon\'s call timed out').to.equal(false);
      } finally {
        daemons[1]!.child.kill('SIGCONT');
      }
      await send(two!, 'two is back');
      await until(() => out().includes('two is back'), 'the line of the daemon that is back', 15_000);
      await until(() => err().includes('answers again'), 'the note that it is back', 5000);
      const lines = out().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as {line: string}).line);
      // Each line once (these carry no time: their order between the daemons is the order they were read in).
      expect([...lines].sort()).to.deep.equal(['127.0.0.1|start one', '127.0.0.1|start two',
        '127.0.0.1|two is back', '127.0.0.1|while two hangs']);
      expect(err().split('\n').filter((l) => l.includes('does not answer'))).to.have.length(1);
      expect(await stopChild(follower, 'SIGTERM')).to.equal(0);
    });

  it('trace show builds one trace from span lines that sit on different daemons', async () => {
    await startDaemons(2, () => []);
    const comm = new Communicator();
    comms.push(comm);
    const [one, two] = endpointsOf('tars.tarslog.LogObj').map((e) => comm.stringToProxy(LogF.LogProxy,
      `tars.tarslog.LogObj@${e}`));
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const now = Date.now();
    const client = spanLines({traceId, spanId: '1111111111111111', kind: 'client', caller: 'Multi.Front',
      callee: 'Multi.Back.Obj', func: 'call', startMs: now, endMs: now + 8, ret: 0});
    const server = spanLines({traceId, spanId: '2222222222222222', parentSpanId: '1111111111111111', kind: 'server',
      caller: 'Multi.Front', callee: 'Multi.Back.Obj', func: 'call', startMs: now + 2, endMs: now + 6, ret: 0});
    const stamp = new Date(now).toISOString().replace('T', ' ').slice(0, 19);
    const send = (to: LogF.LogProxy, server_: string, line: string) => to.logger('Multi', server_, '_t_trace_',
      '%Y%m%d', [`${stamp}|${line}\n`]);
    // The client span's start on one daemon, its end on the other; the server span on the second.
    await send(one!, 'Front', client[0]);
    await send(two!, 'Front', client[1]);
    await send(two!, 'Back', server[0]);
    await send(two!, 'Back', server[1]);
    const show = await tarsJson<TraceShowJson>(at('trace', 'show', traceId));
    expect(show.spans.map((s) => [s.depth, s.kind, s.partial ?? false])).to.deep.equal([[0, 'client', false],
      [1, 'server', false]]);
    expect(show.spans[0]!.durationMs).to.equal(8);
    const list = await tarsJson<TraceListJson>(at('trace', 'list', '--since', '10m'));
    expect(list.traces.map((t) => [t.traceId, t.spans])).to.deep.equal([[traceId, 2]]);
  });

  it('two daemons sharing one log directory and a SQLite store each: every line once, every entry once with ' +
    'the instance that holds it', async () => {
    const shared = path.join(dir, 'shared-logs');
    await startDaemons(2, () => ['--logpath', shared]);
    const queryObjs = endpointsOf('tars.tarslog.LogQueryObj');
    app = service(locator);
    await app.start();
    await write(0, 60);
    for (let i = 0; i < 12; i += 1) app.notify('normal', `event ${i}`);
    await until(() => app!.notifyStats!.sent >= 13 && app!.notifyStats!.pending === 0, 'the reports sent', 15_000);
    const tail = await tarsJson<LogTailJson>(at('log', 'tail', 'Multi.Svc', '-n', '1000'));
    expect(numbers(tail.lines).sort((a, b) => a - b)).to.deep.equal(Array.from({length: 60}, (_, i) => i));
    expect(tail.instances, 'one directory: read once').to.have.length(1);
    const notify = await tarsJson<NotifyListJson>(at('notify', 'list', '--limit', '1000'));
    const events = notify.entries.filter((e) => e.message.startsWith('event'));
    expect(events.map((e) => e.message).sort()).to.deep.equal(Array.from({length: 12}, (_, i) => `event ${i}`).sort());
    expect(new Set(events.map((e) => e.instance))).to.deep.equal(new Set(queryObjs));
    // Ids are each store's own: the pair (instance, id) is what is unique.
    expect(new Set(notify.entries.map((e) => `${e.instance} ${e.id}`)).size).to.equal(notify.entries.length);
    const times = notify.entries.map((e) => Date.parse(e.time));
    expect(times, 'merged by time').to.deep.equal([...times].sort((a, b) => a - b));
  });
});
