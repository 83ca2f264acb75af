// `tars call` and `tars ping` over ssl (--ca, --cert, --key) against a server process started as TARS starts
// servers, whose config asks for TLS with client verification; and the server's start failing on a missing file.
import {run} from '@oclif/core';
import {captureOutput} from '@oclif/test';
import {expect} from 'chai';
import {type ChildProcess, spawn} from 'node:child_process';
import {rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';

import {freePort} from '../support/ports.js';
import {type TestCerts, haveOpenssl, makeTestCerts} from '../support/tls-certs.js';

const root = new URL('../..', import.meta.url).pathname;
const script = new URL('../fixtures/servers/probe-server.ts', import.meta.url).pathname;
const OBJ = 'RpcTest.ProbeServer.ProbeObj';

async function tars(args: string[]): Promise<{stdout: string; stderr: string; exit: number}> {
  const {stdout, stderr, error} = await captureOutput(() => run(args, root));
  return {stdout, stderr, exit: error?.oclif?.exit ?? (error ? 1 : 0)};
}

function config(port: number, tlsKeys: string): string {
  return `<tars>
  <application>
    <server>
      app = RpcTest
      server = ProbeServer
      loglevel = INFO
${tlsKeys}
      <${OBJ}Adapter>
        endpoint = ssl -h 127.0.0.1 -p ${port} -t 60000
        servant = ${OBJ}
      </${OBJ}Adapter>
    </server>
  </application>
</tars>
`;
}

/** Starts probe-server.ts with `file`; resolves once it says it started, or once it exited. */
function start(file: string): Promise<{child: ChildProcess; stderr: () => string; exited: Promise<number | null>}> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=tars-dev', script, `--config=${file}`],
    {stdio: ['ignore', 'pipe', 'pipe']});
  let err = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${err}`)), 20_000);
    const done = (): void => {
      clearTimeout(timer);
      resolve({child, stderr: () => err, exited});
    };
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (/ started/.test(err)) done();
    });
    child.on('exit', done);
  });
}

describe('tars call and ping over ssl, against a server process', function () {
  this.timeout(60_000);
  let certs: TestCerts;
  let child: ChildProcess | undefined;
  let target: string;

  before(async function () {
    if (!haveOpenssl()) this.skip();
    certs = makeTestCerts();
    const port = await freePort();
    const file = path.join(certs.dir, 'server.conf');
    writeFileSync(file, config(port, `      cert = ${certs.serverCert}\n      key = ${certs.serverKey}\n` +
      `      ca = ${certs.ca}\n      verifyclient = 1`));
    const started = await start(file);
    child = started.child;
    expect(started.stderr()).to.match(/ started/);
    target = `${OBJ}@ssl -h 127.0.0.1 -p ${port} -t 60000`;
  });

  after(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    if (certs) rmSync(certs.dir, {recursive: true, force: true});
  });

  it('tars call with --ca, --cert and --key: by reflection, over TLS', async () => {
    const r = await tars(['call', target, 'echo', 'secret', '--ca', certs.ca, '--cert', certs.clientCert, '--key',
      certs.clientKey, '--json']);
    expect(r.exit, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout)).to.include({obj: OBJ, func: 'echo', ret: 'secret'});
    expect(JSON.parse(r.stdout).endpoint).to.match(/^ssl -h 127\.0\.0\.1 -p \d+/);
  });

  it('tars ping over ssl', async () => {
    const r = await tars(['ping', target, '--ca', certs.ca, '--cert', certs.clientCert, '--key', certs.clientKey]);
    expect(r.exit, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/^ssl -h 127\.0\.0\.1 -p \d+ -t 60000 {2}[\d.]+ ms$/m);
  });

  it('tars describe over ssl: the interface by reflection', async () => {
    const r = await tars(['describe', target, '--ca', certs.ca, '--cert', certs.clientCert, '--key', certs.clientKey]);
    expect(r.exit, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/echo\(/).and.match(/interface from /);
  });

  it('without a client certificate the server refuses the call: exit 4, saying why, and the hint is about TLS', async () => {
    const r = await tars(['call', target, 'echo', 'x', '--ca', certs.ca, '--arg-types', 'string']);
    expect(r.exit).to.equal(4);
    expect(r.stderr).to.match(/client certificate/);
    expect(r.stderr).to.include('--cert').and.not.include('is the server listening');
  });

  it('a server certificate of an untrusted CA: exit 4, the handshake failure named', async () => {
    const r = await tars(['call', target, 'echo', 'x', '--ca', certs.otherCa, '--cert', certs.clientCert, '--key',
      certs.clientKey, '--arg-types', 'string']);
    expect(r.exit).to.equal(4);
    expect(r.stderr).to.match(/TLS handshake with 127\.0\.0\.1:\d+ failed: .*trusted CA/);
  });

  it('a missing file, or --cert without --key, is a usage error naming it; nothing is sent', async () => {
    const missing = path.join(certs.dir, 'missing.pem');
    const r = await tars(['call', target, 'echo', 'x', '--ca', missing]);
    expect(r.exit).to.equal(2);
    expect(r.stderr).to.include(`--ca ${missing}: no such file`);
    const p = await tars(['ping', target, '--key', missing]);
    expect(p.exit).to.equal(2);
    expect(p.stderr).to.include(`--key ${missing}: no such file`);
    const half = await tars(['call', target, 'echo', 'x', '--ca', certs.ca, '--cert', certs.clientCert]);
    expect(half.exit).to.equal(2);
    expect(half.stderr).to.match(/needs both --cert and --key/);
    const notPem = await tars(['call', target, 'echo', 'x', '--ca', path.join(certs.dir, 'server.ext')]);
    expect(notPem.exit).to.equal(2);
    expect(notPem.stderr).to.match(/--ca\) is not PEM/);
  });

  it('a server whose key file is missing does not start: one line naming the file and the key', async () => {
    const file = path.join(certs.dir, 'broken.conf');
    const gone = path.join(certs.dir, 'gone.key');
    writeFileSync(file, config(await freePort(), `      cert = ${certs.serverCert}\n      key = ${gone}`));
    const started = await start(file);
    expect(await started.exited).to.equal(1);
    expect(started.stderr().trim()).to.equal(`error: cannot read the TLS private key ${gone} (<server> key in ${file}): ` +
      'no such file');
  });
});
