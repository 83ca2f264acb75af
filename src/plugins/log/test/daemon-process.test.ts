// The log daemon as a real process (`tars log start` through bin/dev.js): every line of an answered call is in the
// file after a kill -9 (the contract: answered = appended, not fsynced), a graceful stop writes what was queued,
// and `tars log tail -f` in its own process shows lines as they arrive.
import {expect} from 'chai';
import {type ChildProcess, spawn} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {Communicator} from '@tars-ts/core';
import {LogF, NotifyF} from '@tars-ts/core/framework';

import {registryLocatorOf, startCliDaemon, tars} from '../../../../test/support/cli-daemon.js';

import {strftime} from '../src/naming.js';
import {type StartedLog, bin, root, sleep, startLogProcess, stopChild} from './support.js';

/** `tars registry start` in a child process, once it is READY, with its QueryObj locator. */
async function startRegistry(data: string): Promise<{child: ChildProcess; locator: string}> {
  const {child, out} = await startCliDaemon(['registry', 'start', '--port', '0', '--data', data]);
  return {child, locator: registryLocatorOf(out)};
}

describe('tars log (daemon process)', function () {
  this.timeout(60_000);
  let dir: string;
  let daemon: StartedLog | undefined;
  let tail: ChildProcess | undefined;
  let registry: ChildProcess | undefined;
  let comm: Communicator;

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tars-log-process-'));
    comm = new Communicator();
  });

  afterEach(async () => {
    comm.close();
    await stopChild(tail, 'SIGKILL');
    await stopChild(registry, 'SIGKILL');
    registry = undefined;
    await stopChild(daemon?.child, 'SIGKILL');
    tail = undefined;
    daemon = undefined;
    rmSync(dir, {recursive: true, force: true});
  });

  const file = (): string => path.join(dir, 'log', 'remote_app_log', 'Test', 'Kill',
    `Test.Kill_${strftime('%Y%m%d', new Date())}.log`);

  it('kill -9: every line of an answered call is in the file; unanswered ones may be missing, never half-counted', async () => {
    daemon = await startLogProcess(path.join(dir, 'log'));
    const log = comm.stringToProxy(LogF.LogProxy, `tars.tarslog.LogObj@${daemon.endpoints['tars.tarslog.LogObj']}`);
    let answered = 0;
    let sent = 0;
    // Four writers of 50-line calls; the daemon is killed while they run.
    const writer = async (w: number): Promise<void> => {
      for (let i = 0; i < 400; i += 1) {
        const lines = Array.from({length: 50}, (_, j) => `w${w} c${i} l${j}\n`);
        sent += 1;
        try {
          await log.logger('Test', 'Kill', '', '%Y%m%d', lines, {timeout: 3000});
          answered += 1;
        } catch {
          return;
        }
      }
    };
    const writers = [0, 1, 2, 3].map(writer);
    for (let i = 0; i < 200 && answered < 40; i += 1) await sleep(20);
    const answeredAtKill = answered;
    await stopChild(daemon.child, 'SIGKILL');
    await Promise.all(writers);
    const text = readFileSync(file(), 'utf8');
    const lines = text.split('\n').filter(Boolean);
    expect(answeredAtKill).to.be.greaterThan(0);
    expect(lines.length, 'the lines of every answered call').to.be.at.least(answered * 50);
    expect(lines.length, 'nothing beyond what was sent').to.be.at.most(sent * 50);
    expect(text.endsWith('\n'), 'no torn line at the end').to.equal(true);
    // Each call's lines are contiguous: one call is one append.
    const calls = new Set(lines.map((l) => l.replace(/ l\d+$/, '')));
    expect(calls.size * 50).to.equal(lines.length);
  });

  it('tars log tail -f in its own process shows new lines as they arrive and ends cleanly on SIGTERM', async () => {
    const data = path.join(dir, 'log');
    daemon = await startLogProcess(data);
    const log = comm.stringToProxy(LogF.LogProxy, `tars.tarslog.LogObj@${daemon.endpoints['tars.tarslog.LogObj']}`);
    await log.logger('Test', 'Kill', '', '%Y%m%d', ['before 1\n', 'before 2\n']);
    tail = spawn(process.execPath, [bin, 'log', 'tail', 'Test.Kill', '-f', '-n', '1', '--interval', '100', '--data',
      data], {cwd: root, stdio: ['ignore', 'pipe', 'pipe']});
    let out = '';
    tail.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
    });
    for (let i = 0; i < 300 && !out.includes('before 2'); i += 1) await sleep(50);
    expect(out).to.equal('127.0.0.1|before 2\n');
    await log.logger('Test', 'Kill', '', '%Y%m%d', ['live 1\n', 'live 2\n']);
    for (let i = 0; i < 300 && !out.includes('live 2'); i += 1) await sleep(50);
    expect(out).to.equal('127.0.0.1|before 2\n127.0.0.1|live 1\n127.0.0.1|live 2\n');
    expect(await stopChild(tail, 'SIGTERM'), 'tail -f ends cleanly on SIGTERM').to.equal(0);
    expect(await stopChild(daemon.child, 'SIGTERM')).to.equal(0);
  });

  it('started with --locator, it lists itself in the registry: tail and notify list --locator find it by name', async () => {
    const reg = await startRegistry(path.join(dir, 'registry'));
    registry = reg.child;
    daemon = await startLogProcess(path.join(dir, 'log'), ['--locator', reg.locator]);
    const log = comm.stringToProxy(LogF.LogProxy, `tars.tarslog.LogObj@${daemon.endpoints['tars.tarslog.LogObj']}`);
    await log.logger('Test', 'Named', '', '%Y%m%d', ['found by name\n']);
    // The listing is retried while the registry is away: wait (bounded) until the name resolves.
    let r = await tars(['log', 'tail', 'Test.Named', '--locator', reg.locator, '--json']);
    for (let i = 0; i < 100 && r.exit !== 0; i += 1) {
      await sleep(100);
      r = await tars(['log', 'tail', 'Test.Named', '--locator', reg.locator, '--json']);
    }
    expect(r.exit, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout).lines.map((l: {line: string}) => l.line)).to.deep.equal(['127.0.0.1|found by name']);
    const n = await tars(['notify', 'list', '--locator', reg.locator, '--json']);
    expect(n.exit, n.stderr).to.equal(0);
    expect(JSON.parse(n.stdout)).to.deep.equal({entries: []});
  });

  it('tars notify list -f --json prints each new entry as one JSON line until SIGTERM', async () => {
    const data = path.join(dir, 'log');
    daemon = await startLogProcess(data);
    const notify = comm.stringToProxy(NotifyF.NotifyProxy,
      `tars.tarsnotify.NotifyObj@${daemon.endpoints['tars.tarsnotify.NotifyObj']}`);
    const send = (sMessage: string) => notify.reportNotifyInfo(NotifyF.ReportInfo.create({sApp: 'Test', sServer: 'N',
      sMessage}), {context: {node_name: 'node-9'}});
    await send('restart');
    tail = spawn(process.execPath, [bin, 'notify', 'list', '-f', '--json', '--interval', '100', '--data', data],
      {cwd: root, stdio: ['ignore', 'pipe', 'pipe']});
    let out = '';
    tail.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
    });
    for (let i = 0; i < 300 && !out.includes('restart'); i += 1) await sleep(50);
    await send('[alarm] down, server is inactive');
    for (let i = 0; i < 300 && !out.includes('inactive'); i += 1) await sleep(50);
    const entries = out.trim().split('\n').map((l) => JSON.parse(l) as {command: string; nodeName: string});
    expect(entries.map((e) => e.command)).to.deep.equal(['[normal]', '[alarm]']);
    expect(entries[1]!.nodeName).to.equal('node-9');
    expect(await stopChild(tail, 'SIGTERM')).to.equal(0);
  });
});
