// The log daemon in this process on free ports: lines through our own LogF proxy land in the official files and come
// back through the real CLI (`tars log tail|query|dye`), notifications through NotifyF come back through `tars notify
// list --json` with the official command derivation and the per-server retention; bad names are refused and
// counted while the daemon goes on serving.
import {run} from '@oclif/core';
import {captureOutput} from '@oclif/test';
import {expect} from 'chai';
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {Communicator, Logger, stderrSink} from '@tars-ts/core';
import {LogF, NotifyF} from '@tars-ts/core/framework';
import {type RunningDaemon, startDaemon} from '@tars-ts/kit';

import {logDaemon} from '../src/daemon.js';
import {strftime} from '../src/naming.js';

const root = new URL('../../../..', import.meta.url).pathname;

async function tars(args: string[]): Promise<{stdout: string; stderr: string; exit: number}> {
  const {stdout, stderr, error} = await captureOutput(() => run(args, root));
  return {stdout, stderr, exit: error?.oclif?.exit ?? (error ? 1 : 0)};
}

const today = (): string => strftime('%Y%m%d', new Date());
const stamp = (offsetMs = 0): string => strftime('%Y-%m-%d %H:%M:%S', new Date(Date.now() + offsetMs));

describe('tars log (daemon in process)', function () {
  this.timeout(30_000);
  let dir: string;
  let daemon: RunningDaemon;
  let comm: Communicator;
  const data = (): string => path.join(dir, 'log');
  const logPath = (): string => path.join(data(), 'remote_app_log');
  const endpoint = (obj: string): string => daemon.info.endpoints.find((e) => e.obj === obj)!.endpoint;
  const logProxy = (): LogF.LogProxy => comm.stringToProxy(LogF.LogProxy, `tars.tarslog.LogObj@${endpoint('tars.tarslog.LogObj')}`);
  const notifyProxy = (): NotifyF.NotifyProxy => comm.stringToProxy(NotifyF.NotifyProxy,
    `tars.tarsnotify.NotifyObj@${endpoint('tars.tarsnotify.NotifyObj')}`);

  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tars-log-daemon-'));
    daemon = await startDaemon(logDaemon, {port: 0, data: data(), settings: {'notify-keep': 3, 'max-line': 256},
      logger: new Logger('NONE', stderrSink)});
    comm = new Communicator();
  });

  afterEach(async () => {
    comm?.close();
    await daemon?.stop();
    rmSync(dir, {recursive: true, force: true});
  });

  it('logger and loggerbyInfo write the official files, prefixed with the caller\'s node name or IP', async () => {
    const log = logProxy();
    await log.logger('Test', 'HelloServer', 'access', '%Y%m%d', ['a1\n', 'a2\n'], {context: {node_name: 'node-7'}});
    await log.loggerbyInfo(LogF.LogInfo.create({appname: 'Test', servername: 'HelloServer', sFilename: '',
      sFormat: '%Y%m%d', setdivision: 'sz.a.1', sSepar: '#', sLogType: 'day'}), ['b1\n']);
    expect(readFileSync(path.join(logPath(), `Test/HelloServer/Test.HelloServer_access_${today()}.log`), 'utf8'))
      .to.equal('node-7|a1\nnode-7|a2\n');
    expect(readFileSync(path.join(logPath(), `Test/sza1/HelloServer/Test.HelloServer_${today()}.log`), 'utf8'))
      .to.equal('127.0.0.1#b1\n');
  });

  it('a `_t_trace_` batch of any server goes to the call-chain log of _tars_/_trace_, after node|app|server', async () => {
    const log = logProxy();
    const span = '0-0af7651916cd43dd8448eb211c80319c|b7ad6b7169203331|b7ad6b7169203331|cs|A.S|B.S.Obj|f|1|0||';
    await log.loggerbyInfo(LogF.LogInfo.create({appname: 'A', servername: 'S', sFilename: '_t_trace_',
      sFormat: '%Y%m%d', sLogType: '1day'}), [`2026-12-02 10:00:00|${span}\n`], {context: {node_name: 'node-1'}});
    await log.logger('B', 'T', '_t_trace_', '%Y%m%d', [`2026-12-02 10:00:01|${span}`]); // no line end: one added
    const file = path.join(logPath(), `_tars_/_trace_/_tars_._trace___t_trace__${today()}.log`);
    expect(readFileSync(file, 'utf8')).to.equal(`node-1|A|S|2026-12-02 10:00:00|${span}\n` +
      `127.0.0.1|B|T|2026-12-02 10:00:01|${span}\n`);
    expect(existsSync(path.join(logPath(), 'A')) || existsSync(path.join(logPath(), 'B')), 'no file of A or B')
      .to.equal(false);
    const bad = await log.loggerbyInfo(LogF.LogInfo.create({appname: 'A|x', servername: 'S', sFilename: '_t_trace_',
      sFormat: '%Y%m%d'}), ['x\n']).then(() => 'written', (e: Error) => e.message);
    expect(bad).to.match(/refused: app "A\|x" contains "\|"/);
  });

  it('refuses a name with "/" or "..", and cuts a line over --max-line; both counted in status', async () => {
    const log = logProxy();
    for (const [app, file] of [['../etc', ''], ['Test', '../../x'], ['Test', 'a/b']]) {
      let error: Error | undefined;
      await log.logger(app!, 'S', file!, '%Y%m%d', ['x\n']).catch((e: Error) => {
        error = e;
      });
      expect(error?.message, `${app} ${file}`).to.match(/refused: .*(contains|starts)/);
    }
    expect(existsSync(path.join(dir, 'etc')) || existsSync(path.join(logPath(), 'x'))).to.equal(false);
    await log.logger('Test', 'S', '', '%Y%m%d', [`${'z'.repeat(1000)}\n`]);
    const text = readFileSync(path.join(logPath(), `Test/S/Test.S_${today()}.log`), 'utf8');
    expect(text).to.equal(`127.0.0.1|${'z'.repeat(256)} ...[truncated 744 bytes]\n`);
    const status = await tars(['log', 'status', '--data', data(), '--json']);
    expect(status.exit).to.equal(0);
    const counters = JSON.parse(status.stdout).counters;
    expect(counters).to.include({rejectedCalls: 3, truncatedLines: 1, linesWritten: 1, writeErrors: 0});
    expect(counters.logStore).to.match(/^[0-9a-f-]{36}$/);
    expect(counters.notifyStore).to.match(/^[0-9a-f-]{36}$/).and.not.equal(counters.logStore);
  });

  it('a flood from one connection is refused with overload past its queue; another connection is still served', async () => {
    await daemon.stop();
    daemon = await startDaemon(logDaemon, {port: 0, data: data(), settings: {'queue-size': 1},
      logger: new Logger('NONE', stderrSink)});
    const flooder = new Communicator();
    try {
      const flood = flooder.stringToProxy(LogF.LogProxy, `tars.tarslog.LogObj@${endpoint('tars.tarslog.LogObj')}`);
      const lines = Array.from({length: 100}, (_, i) => `${String(i).padStart(1000, 'f')}\n`);
      // 60 calls of 100 KB sent at once, none awaited before the next: 6 MB against a 1 MiB queue.
      const calls = Array.from({length: 60}, () => flood.logger('Flood', 'S', '', '%Y%m%d', lines)
        .then(() => 'ok', (e: Error & {code?: string}) => e.message));
      const quiet = await logProxy().logger('Quiet', 'S', '', '%Y%m%d', ['still served\n']).then(() => 'ok');
      const outcomes = await Promise.all(calls);
      expect(quiet).to.equal('ok');
      const refused = outcomes.filter((o) => o !== 'ok');
      expect(refused.length, 'some flood calls refused').to.be.greaterThan(0);
      expect(refused[0]).to.match(/queue of Flood\/S\/.* is full/);
      const written = readFileSync(path.join(logPath(), `Flood/S/Flood.S_${today()}.log`), 'utf8').split('\n').length - 1;
      expect(written, 'every accepted call is in the file').to.equal((60 - refused.length) * 100);
    } finally {
      flooder.close();
    }
  });

  it('an unwritable place fails only its own writes; the daemon goes on and status reports the error', async () => {
    const {mkdirSync, writeFileSync} = await import('node:fs');
    mkdirSync(path.join(logPath(), 'Full'), {recursive: true});
    writeFileSync(path.join(logPath(), 'Full', 'Disk'), 'a file where the server directory should be');
    const log = logProxy();
    const failed = await log.logger('Full', 'Disk', '', '%Y%m%d', ['lost\n']).then(() => 'written', (e: Error) => e.message);
    expect(failed).to.match(/could not write/);
    await log.logger('Test', 'Fine', '', '%Y%m%d', ['kept\n']);
    expect(readFileSync(path.join(logPath(), `Test/Fine/Test.Fine_${today()}.log`), 'utf8')).to.equal('127.0.0.1|kept\n');
    const status = await tars(['log', 'status', '--data', data()]);
    expect(status.exit).to.equal(0);
    expect(status.stdout).to.match(/ERRORS\s+1 failed writes, 1 lines lost; last: writing 1 lines to Full\/Disk\//);
  });

  it('tars log tail and query read the lines back, with -n, --grep, --since, --name and --json', async () => {
    const log = logProxy();
    const lines = Array.from({length: 30}, (_, i) => `${stamp()}|INFO|line ${i}${i % 10 === 0 ? ' ERROR' : ''}\n`);
    await log.logger('Test', 'HelloServer', '', '%Y%m%d', lines);
    await log.logger('Test', 'HelloServer', 'access', '%Y%m%d', [`${stamp()}|GET /\n`]);
    const tail = await tars(['log', 'tail', 'Test.HelloServer', '-n', '3', '--data', data()]);
    expect(tail.exit, tail.stderr).to.equal(0);
    expect(tail.stdout.trim().split('\n').map((l) => l.replace(/^.*\|/, ''))).to.deep.equal(['line 27', 'line 28',
      'line 29']);
    const grep = await tars(['log', 'tail', 'Test.HelloServer', '--grep', 'ERROR$', '--json', '--data', data()]);
    expect(JSON.parse(grep.stdout).lines.map((l: {line: string}) => l.line.replace(/^.*\|/, ''))).to.deep.equal(
      ['line 0 ERROR', 'line 10 ERROR', 'line 20 ERROR']);
    const access = await tars(['log', 'tail', 'Test.HelloServer', '--name', 'access', '--data', data()]);
    expect(access.stdout).to.match(/GET \/\n$/);
    const since = await tars(['log', 'tail', 'Test.HelloServer', '--since', '1h', '--json', '--data', data()]);
    expect(JSON.parse(since.stdout).lines).to.have.length(30);
    const query = await tars(['log', 'query', 'Test.HelloServer', '--since', '10m', '--grep', 'line 1\\d', '--json',
      '--limit', '4', '--data', data()]);
    const q = JSON.parse(query.stdout);
    expect(q.matched).to.equal(10);
    expect(q.lines).to.have.length(4);
    expect(q.lines[0].time).to.be.a('string');
    const future = await tars(['log', 'query', 'Test.HelloServer', '--since', '10m', '--until', '2020-01-01', '--json',
      '--data', data()]);
    expect(JSON.parse(future.stdout).matched).to.equal(0);
    const bad = await tars(['log', 'tail', 'Test.HelloServer', '--grep', '(', '--data', data()]);
    expect(bad.exit).to.equal(2);
    expect(bad.stderr).to.match(/not a regular expression/);
  });

  it('tars log dye gathers one key\'s lines from every service\'s dye lines, in time order', async () => {
    const log = logProxy();
    // As TarsCpp sends them: logger("tars_dyeing", "dyeing", "day", "%Y%m%d", ["App.Server|<line>", ...]).
    await log.logger('tars_dyeing', 'dyeing', 'day', '%Y%m%d', [`Test.Back|${stamp(-1000)}|k-42|back got it\n`,
      `Test.Back|${stamp(-1000)}|k-7|other request\n`], {context: {node_name: 'host-b'}});
    await log.logger('tars_dyeing', 'dyeing', 'day', '%Y%m%d', [`Test.Front|${stamp(-2000)}|k-42|front called back\n`,
      `Test.Front|${stamp(-2000)}|k-420|not this key\n`], {context: {node_name: 'host-a'}});
    const dye = await tars(['log', 'dye', 'k-42', '--json', '--data', data()]);
    expect(dye.exit, dye.stderr).to.equal(0);
    const json = JSON.parse(dye.stdout);
    expect(json.services).to.deep.equal(['Test.Front', 'Test.Back']);
    expect(json.lines.map((l: {line: string}) => l.line.replace(/^.*\|/, ''))).to.deep.equal(['front called back',
      'back got it']);
    expect(json.lines[0].file).to.equal(`tars_dyeing/dyeing/tars_dyeing.dyeing_day_${today()}.log`);
  });

  it('notifications: the command derivation, --level/--app filters and newest 3 kept per server', async () => {
    const notify = notifyProxy();
    const report = (sServer: string, sMessage: string, eType: 0 | 1 = 0, eLevel: 0 | 1 | 2 = 0) =>
      notify.reportNotifyInfo(NotifyF.ReportInfo.create({eType, sApp: 'Test', sServer, sSet: 'sz.a.1',
        sContainer: '', sMessage, sThreadId: '42', eLevel}));
    await report('A', '[alarm] down, server is inactive');
    await report('A', 'restart');
    await report('A', 'x [fail] y');
    await report('A', 'business alert', 1, 2);
    await report('B', '[warn] slow');
    await report('B', 'ignored level', 0, 2);
    const all = await tars(['notify', 'list', '--json', '--data', data()]);
    expect(all.exit, all.stderr).to.equal(0);
    const entries = JSON.parse(all.stdout).entries as {app: string; server: string; command: string; message: string;
      setName: string; setGroup: string; serverId: string; nodeName: string}[];
    expect(entries.map((e) => `${e.server} ${e.command} ${e.message}`)).to.deep.equal([
      'A [normal] restart', 'A [error] x [fail] y', 'A [error] business alert', 'B [warn] [warn] slow',
      'B [normal] ignored level']);
    expect(entries[0]).to.include({setName: 'sz', setGroup: '1', nodeName: '127.0.0.1',
      serverId: 'Test.A_127.0.0.1'});
    const errors = await tars(['notify', 'list', '--level', 'error', '--server', 'A', '--json', '--data', data()]);
    expect(JSON.parse(errors.stdout).entries).to.have.length(2);
    const text = await tars(['notify', 'list', '--app', 'Nope', '--data', data()]);
    expect(text.stdout.trim()).to.equal('no notifications');
    const bad = await notify.reportNotifyInfo(NotifyF.ReportInfo.create({sApp: 'a/b', sServer: 'S', sMessage: 'x'}))
      .then(() => 'taken', (e: Error) => e.message);
    expect(bad).to.match(/refused/);
  });

  it('a --logpath that cannot be made fails the start in one line, before anything listens', async () => {
    const {writeFileSync} = await import('node:fs');
    writeFileSync(path.join(dir, 'a-file'), '');
    const error = await startDaemon(logDaemon, {port: 0, data: path.join(dir, 'other'),
      settings: {logpath: path.join(dir, 'a-file', 'logs')}, logger: new Logger('NONE', stderrSink)})
      .then(() => undefined, (e: Error) => e);
    expect(error?.message).to.match(/^the log directory .*a-file\/logs cannot be made: ENOTDIR/);
  });

  it('no daemon to ask: one line naming what to do, exit 2', async () => {
    const r = await tars(['log', 'tail', 'Test.HelloServer', '--data', path.join(dir, 'none')]);
    expect(r.exit).to.equal(2);
    expect(r.stderr).to.match(/no log daemon to ask/);
  });
});
