// A stateful daemon on PostgreSQL as a real process: `tars config start --db URL` against the run's throwaway server
// (test/support/postgres.ts), a push, kill -9, a start again (from another data directory: the data is in the
// database, not in the directory), the push is there; `status` shows the store without the password; a bad URL is
// a usage error, a server that does not answer one line with the catalogue's code, never a stack.
import {expect} from 'chai';
import type {ChildProcess} from 'node:child_process';
import {mkdtempSync, readdirSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {Communicator} from '@tars-ts/core';
import {ConfigCtl} from '@tars-ts/core/framework';

import {endpointOf, exited, killChildren, startCliDaemon, tars, tarsJson} from '../support/cli-daemon.js';
import {freePort} from '../support/ports.js';
import {freshDatabase} from '../support/postgres.js';

describe('a daemon with --db postgres://... (process)', function () {
  this.timeout(120_000);
  let dir: string;
  let url: string;
  const children: ChildProcess[] = [];
  const comms: Communicator[] = [];

  before(async () => {
    // A password in the URL: the server trusts every login, so it is only there to show it is never shown.
    url = (await freshDatabase('daemon')).replace('//tars@', '//tars:sekret@');
  });

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tars-pg-daemon-'));
  });

  afterEach(async () => {
    for (const c of comms.splice(0)) c.close();
    await killChildren(children);
    rmSync(dir, {recursive: true, force: true});
  });

  const start = async (data: string) => {
    const {child, out} = await startCliDaemon(['config', 'start', '--port', '0', '--data', data, '--db', url]);
    children.push(child);
    return {child, ctl: endpointOf(out, 'tars.tarsconfig.ConfigCtlObj')};
  };

  it('a push survives kill -9 and a start from another data directory; status names the store', async () => {
    const first = await start(path.join(dir, 'one'));
    const comm = new Communicator();
    comms.push(comm);
    const key = ConfigCtl.ConfigFileKey.create({app: 'Pg', server: 'Test', name: 'a.conf'});
    const ctl = comm.stringToProxy(ConfigCtl.ConfigCtlProxy, `tars.tarsconfig.ConfigCtlObj@${first.ctl}`,
      {timeout: 5000});
    const pushed = await ctl.push(key, 'k=v\n', 'test', 'first');
    expect(pushed.ret).to.equal(0);

    const status = await tarsJson<{store?: string}>(['config', 'status', '--data', path.join(dir, 'one')]);
    expect(status.store).to.match(/^postgres:\/\/127\.0\.0\.1:\d+\/tars_daemon_\d+_\d+ \(schema tars_config\)$/);
    const text = await tars(['config', 'status', '--data', path.join(dir, 'one')]);
    expect(text.stdout).to.include('(schema tars_config)').and.not.include('sekret');
    // No SQLite file in the data directory: the store is in the database.
    expect(readdirSync(path.join(dir, 'one')).filter((f) => f.endsWith('.db'))).to.deep.equal([]);

    first.child.kill('SIGKILL');
    await exited(first.child);
    const second = await start(path.join(dir, 'two'));
    const ctl2 = comm.stringToProxy(ConfigCtl.ConfigCtlProxy, `tars.tarsconfig.ConfigCtlObj@${second.ctl}`,
      {timeout: 5000});
    const got = await ctl2.get(key, 0);
    expect(got.ret).to.equal(0);
    expect(got.v.content).to.equal('k=v\n');
    expect((await ctl2.push(key, 'k=w\n', 'test', 'second')).version).to.equal(2);
  });

  it('a --db that is not a PostgreSQL URL is a usage error (exit 2); a server that does not answer exits 1, ' +
    'one line, no password', async () => {
    const bad = await tars(['config', 'start', '--port', '0', '--data', path.join(dir, 'bad'), '--db',
      'mysql://u:sekret@h/db']);
    expect(bad.exit).to.equal(2);
    expect(bad.stderr).to.include('scheme mysql').and.not.include('sekret');
    const node = await tars(['node', 'start', '--port', '0', '--data', path.join(dir, 'node'), '--db', url]);
    expect(node.exit).to.equal(2);
    expect(node.stderr).to.include('keeps no store');

    const port = await freePort();
    const down = await tars(['config', 'start', '--port', '0', '--data', path.join(dir, 'down'), '--db',
      `postgres://tars:sekret@127.0.0.1:${port}/tars`]);
    expect(down.exit).to.equal(1);
    expect(down.stderr).to.include(`cannot connect to PostgreSQL at 127.0.0.1:${port}`);
    expect(down.stderr).to.include(`127.0.0.1:${port}/tars`).and.not.include('sekret').and.not.match(/\n\s+at /);
  });
});
