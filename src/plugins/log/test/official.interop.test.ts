// The official Node packages as clients of our daemon, in their own process: @tars/winston-tars's TarsRemote
// transport (loggerbyInfo, with set division and day/hour rotation) and @tars/notify (reportNotifyInfo, and the older
// notifyServer through its own proxy). The lines land in the official file names; the entries appear in
// `tars notify list --json` with the official command derivation.
import {run} from '@oclif/core';
import {captureOutput} from '@oclif/test';
import {expect} from 'chai';
import {execFile} from 'node:child_process';
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';

import {strftime} from '../src/naming.js';
import {type StartedLog, root, sleep, startLogProcess, stopChild} from './support.js';

const fixture = path.join(root, 'src/plugins/log/test/fixtures/official-writers.cjs');

async function tars(args: string[]): Promise<{stdout: string; stderr: string; exit: number}> {
  const {stdout, stderr, error} = await captureOutput(() => run(args, root));
  return {stdout, stderr, exit: error?.oclif?.exit ?? (error ? 1 : 0)};
}

describe('official clients write to our log daemon (interop)', function () {
  this.timeout(60_000);
  let dir: string;
  let daemon: StartedLog | undefined;

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tars-log-interop-'));
    daemon = await startLogProcess(path.join(dir, 'log'));
  });

  after(async () => {
    await stopChild(daemon?.child);
    rmSync(dir, {recursive: true, force: true});
  });

  const config = (server: string, set: string | undefined): string => {
    const file = path.join(dir, `${server}.conf`);
    writeFileSync(file, `<tars>
  <application>
    enableset = ${set ? 'y' : 'n'}
    setdivision = ${set ?? 'NULL'}
    <client>
      locator = tars.tarsregistry.QueryObj@tcp -h 127.0.0.1 -p 1
    </client>
    <server>
      app = TestApp
      server = ${server}
      log = tars.tarslog.LogObj@${daemon!.endpoints['tars.tarslog.LogObj']}
      notify = tars.tarsnotify.NotifyObj@${daemon!.endpoints['tars.tarsnotify.NotifyObj']}
    </server>
  </application>
</tars>
`);
    return file;
  };

  const official = (conf: string, lines: number, name: string, notify: boolean, format = 'day') =>
    promisify(execFile)(process.execPath, [fixture, conf, String(lines), name, ...(notify ? ['notify'] : [])],
      {cwd: root, env: {...process.env, LOG_FORMAT: format}});

  const waitFor = async (file: string, lines: number): Promise<string> => {
    let text = '';
    for (let i = 0; i < 100; i += 1) {
      text = existsSync(file) ? readFileSync(file, 'utf8') : '';
      if (text.split('\n').length - 1 >= lines) break;
      await sleep(50);
    }
    return text;
  };

  it('@tars/winston-tars TarsRemote: the set part, the name and the day file, each line prefixed with the caller', async () => {
    await official(config('WinDay', 'sz.a.1'), 20, 'access', false);
    const file = path.join(dir, 'log/remote_app_log/TestApp/sza1/WinDay',
      `TestApp.WinDay_access_${strftime('%Y%m%d', new Date())}.log`);
    const text = await waitFor(file, 20);
    const lines = text.trim().split('\n');
    expect(lines).to.have.length(20);
    expect(lines[0]).to.match(/^127\.0\.0\.1\|\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\|\d+\|INFO\|official line 0$/);
    expect(lines[19]).to.match(/official line 19$/);
  });

  it('@tars/winston-tars TarsRemote: hourly files, default log without a set', async () => {
    const before = strftime('%Y%m%d%H', new Date());
    await official(config('WinHour', undefined), 5, '-', false, 'hour');
    const after = strftime('%Y%m%d%H', new Date());
    const names = [before, after].map((h) => path.join(dir, 'log/remote_app_log/TestApp/WinHour',
      `TestApp.WinHour_${h}.log`));
    let found = '';
    for (let i = 0; i < 100 && !found; i += 1) {
      found = names.find((n) => existsSync(n)) ?? '';
      if (!found) await sleep(50);
    }
    expect(found, 'the hourly file').to.not.equal('');
    expect((await waitFor(found, 5)).trim().split('\n')).to.have.length(5);
    const tail = await tars(['log', 'tail', 'TestApp.WinHour', '-n', '2', '--json', '--data', path.join(dir, 'log')]);
    expect(JSON.parse(tail.stdout).lines.map((l: {line: string}) => l.line.replace(/^.*\|/, ''))).to.deep.equal([
      'official line 3', 'official line 4']);
  });

  it('@tars/notify report and notify, and the older notifyServer, appear in tars notify list --json', async () => {
    await official(config('Notified', 'sz.a.1'), 0, '-', true);
    let entries: {app: string; server: string; command: string; message: string; type: number; setName: string;
      threadId: string}[] = [];
    for (let i = 0; i < 100 && entries.length < 3; i += 1) {
      const r = await tars(['notify', 'list', '--app', 'TestApp', '--json', '--data', path.join(dir, 'log')]);
      entries = JSON.parse(r.stdout).entries;
      if (entries.length < 3) await sleep(50);
    }
    const seen = entries.map((e) => `${e.server} ${e.type} ${e.command} ${e.message}`).sort();
    expect(seen).to.deep.equal(['Legacy 1 [error] legacy notify', 'Notified 0 [alarm] [alarm] official report',
      'Notified 1 [error] official notify']);
    const report = entries.find((e) => e.message === '[alarm] official report')!;
    expect(report.setName).to.equal('sz');
    expect(report.threadId).to.match(/^\d+$/);
  });
});
