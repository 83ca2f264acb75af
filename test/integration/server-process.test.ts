// A server as TARS runs it: its own process, started with --config=FILE, stopped by AdminObj.shutdown or SIGTERM,
// finishing the requests in flight first.
import {expect} from 'chai';
import {type ChildProcess, spawn} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import {Communicator} from '@tars-ts/core';
import {AdminF} from '@tars-ts/core/framework';

import {ProbeProxy} from '../golden/codegen/rpctestTars.js';
import {freePort} from '../support/ports.js';

const script = new URL('../fixtures/servers/probe-server.ts', import.meta.url).pathname;


function config(port: number, adminPort: number): string {
  return `<tars>
  <application>
    <server>
      app = RpcTest
      server = ProbeServer
      local = tcp -h 127.0.0.1 -p ${adminPort} -t 10000
      loglevel = INFO
      <RpcTest.ProbeServer.ProbeObjAdapter>
        endpoint = tcp -h 127.0.0.1 -p ${port} -t 60000
        servant = RpcTest.ProbeServer.ProbeObj
      </RpcTest.ProbeServer.ProbeObjAdapter>
    </server>
  </application>
</tars>
`;
}

interface Started {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
}

function start(args: string[]): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=tars-dev', script, ...args],
    {stdio: ['ignore', 'pipe', 'pipe']});
  let err = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${err}`)), 20_000);
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (/ started/.test(err) || /error: /.test(err)) {
        clearTimeout(timer);
        resolve({child, stderr: () => err, exited});
      }
    });
    child.on('exit', () => {
      clearTimeout(timer);
      resolve({child, stderr: () => err, exited});
    });
  });
}

describe('a server process started with --config', function () {
  this.timeout(40_000);
  let dir: string;
  const children: ChildProcess[] = [];

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tars-srv-'));
  });

  afterEach(() => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    children.length = 0;
    rmSync(dir, {recursive: true, force: true});
  });

  it('serves, and AdminObj.shutdown stops it gracefully after answering the call in flight', async () => {
    const [port, adminPort] = [await freePort(), await freePort()];
    writeFileSync(path.join(dir, 'config.conf'), config(port, adminPort));
    const server = await start([`--config=${path.join(dir, 'config.conf')}`]);
    children.push(server.child);
    const comm = new Communicator();
    try {
      const probe = comm.stringToProxy(ProbeProxy, `RpcTest.ProbeServer.ProbeObj@tcp -h 127.0.0.1 -p ${port}`);
      expect(await probe.echo('hi')).to.deep.equal({ret: 'hi'});
      const slow = probe.sleep(400);
      const admin = comm.stringToProxy(AdminF.AdminFProxy, `AdminObj@tcp -h 127.0.0.1 -p ${adminPort}`);
      await admin.shutdown();
      expect(await slow).to.deep.equal({ret: 400});
      expect(await server.exited).to.equal(0);
      expect(server.stderr()).to.match(/RpcTest\.ProbeServer stopped/);
    } finally {
      comm.close();
    }
  });

  it('stops gracefully on SIGTERM', async () => {
    const [port, adminPort] = [await freePort(), await freePort()];
    writeFileSync(path.join(dir, 'config.conf'), config(port, adminPort));
    const server = await start(['--config', path.join(dir, 'config.conf')]);
    children.push(server.child);
    const comm = new Communicator();
    try {
      const probe = comm.stringToProxy(ProbeProxy, `RpcTest.ProbeServer.ProbeObj@tcp -h 127.0.0.1 -p ${port}`);
      const slow = probe.later(300);
      await new Promise((r) => setTimeout(r, 100));
      server.child.kill('SIGTERM');
      expect(await slow).to.deep.equal({ret: 300, how: 'deferred'});
      expect(await server.exited).to.equal(0);
    } finally {
      comm.close();
    }
  });

  it('stops gracefully on SIGINT with exit 0: the runtime never exits, the process ends as nothing holds it',
    async () => {
      const [port, adminPort] = [await freePort(), await freePort()];
      writeFileSync(path.join(dir, 'config.conf'), config(port, adminPort));
      const server = await start([`--config=${path.join(dir, 'config.conf')}`]);
      children.push(server.child);
      server.child.kill('SIGINT');
      expect(await server.exited).to.equal(0);
      expect(server.stderr()).to.match(/RpcTest\.ProbeServer stopped/);
    });

  it('a port in use is one error line naming the adapter, the endpoint and the fix, then exit 1', async () => {
    const [port, adminPort] = [await freePort(), await freePort()];
    const other = net.createServer();
    await new Promise<void>((r) => other.listen(port, '127.0.0.1', r));
    try {
      const file = path.join(dir, 'config.conf');
      writeFileSync(file, config(port, adminPort));
      const server = await start([`--config=${file}`]);
      children.push(server.child);
      expect(await server.exited).to.equal(1);
      const errors = server.stderr().split('\n').filter((l) => /error/i.test(l));
      expect(errors).to.deep.equal([`error: adapter RpcTest.ProbeServer.ProbeObjAdapter cannot listen on tcp -h ` +
        `127.0.0.1 -p ${port}: the address is in use (another process listens there); change its endpoint in ` +
        `${file} or stop the other process`]);
      expect(server.stderr()).to.not.match(/^\s+at /m);
    } finally {
      await new Promise((r) => other.close(r));
    }
  });

  it('without --config, or with a broken file, it says what is wrong and exits 1', async () => {
    const none = await start([]);
    children.push(none.child);
    expect(await none.exited).to.equal(1);
    expect(none.stderr()).to.match(/no --config=FILE argument/);
    writeFileSync(path.join(dir, 'bad.conf'), '<tars>\n<application>\n</tars>\n');
    const bad = await start([`--config=${path.join(dir, 'bad.conf')}`]);
    children.push(bad.child);
    expect(await bad.exited).to.equal(1);
    expect(bad.stderr()).to.match(/bad\.conf:3: <\/tars> does not match <application> opened at line 2/);
  });
});
