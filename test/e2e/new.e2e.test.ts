// `tars new` for real: write, npm install, build, start with `npm start`, call it over TARS (and HTTP), run the
// project's own `npm test`, stop it with SIGTERM. Every process started here is killed in `after`, even on failure.
import {runCommand} from '@oclif/test';
import {Communicator, type InterfaceDef, type OperationDef, ServantProxy, T} from '@tars-ts/core';
import {AdminF} from '@tars-ts/core/framework';
import {expect} from 'chai';
import {type ChildProcess, spawn} from 'node:child_process';
import {mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {execa} from 'execa';

import {connects, freePorts} from '../support/ports.js';

const root = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');

const ECHO: OperationDef = {name: 'EchoHello', ret: T.int, params: [
  {name: 'req', tag: 1, type: T.string, out: false},
  {name: 'resp', tag: 2, type: T.string, out: true},
]};

/** A hand-written proxy of the one operation the test calls: what generated code would be, without importing it. */
class EchoProxy extends ServantProxy {
  static override readonly $interface: InterfaceDef = {name: 'TestApp.SayHello', operations: [ECHO]};

  EchoHello(req: string): Promise<{ret: number; resp: string}> {
    return this.$invoke(ECHO, [req]);
  }
}

/** The environment for npm in the project: ours, minus what a parent `npm test` set for the toolkit's package. */
function npmEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env)
    .filter(([k]) => !/^npm_(package_|lifecycle_|command$|config_local_prefix$)/i.test(k)));
}



/** Resolves once every port accepts connections; rejects when the process exits first or `ms` pass. */
async function waitForPorts(ports: number[], child: ChildProcess, log: () => string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`npm start exited (${child.exitCode ?? child.signalCode}) before listening:\n${log()}`);
    }
    if ((await Promise.all(ports.map((p) => connects(p)))).every(Boolean)) return;
    if (Date.now() > deadline) throw new Error(`ports ${ports.join(', ')} not listening after ${ms} ms:\n${log()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function exitOf(child: ChildProcess, ms = 20_000): Promise<number | string> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode ?? child.signalCode!);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no exit within ${ms} ms`)), ms);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? signal!);
    });
  });
}

describe('tars new, end to end: install, build, npm start, call, npm test, SIGTERM', function () {
  this.timeout(240_000);
  let work: string;
  const started: ChildProcess[] = [];
  const comms: Communicator[] = [];
  const savedPreferOffline = process.env.npm_config_prefer_offline;

  before(async () => {
    work = mkdtempSync(path.join(os.tmpdir(), 'tars-new-e2e-'));
    // The project runs and compiles against core's dist/: make sure it is current (a no-op when it is).
    await execa('node', [path.join(root, 'node_modules/typescript/bin/tsc'), '-b', 'core'], {cwd: root});
    // typescript and @types/node come from the npm cache when they are there.
    process.env.npm_config_prefer_offline = 'true';
  });

  after(() => {
    for (const c of comms) c.close();
    for (const child of started) {
      try {
        process.kill(-child.pid!, 'SIGKILL');  // its process group: npm, sh and the server
      } catch {
        // already gone
      }
    }
    if (savedPreferOffline === undefined) delete process.env.npm_config_prefer_offline;
    else process.env.npm_config_prefer_offline = savedPreferOffline;
    rmSync(work, {recursive: true, force: true});
  });

  for (const http of [false, true]) {
    it(`${http ? '--http: ' : ''}the project installs, builds, answers EchoHello, passes its tests and stops with exit 0`,
      async () => {
        const dir = path.join(work, http ? 'HelloHttp' : 'HelloGo');
        // A free port rather than the default, which something else may hold; tars new picks the others.
        const [port] = await freePorts(1);
        const created = await runCommand(['new', 'TestApp', 'HelloGo', 'SayHello', '--dir', dir, '--json',
          '--port', String(port), ...(http ? ['--http'] : [])], {root});
        expect(created.error, created.stderr).to.equal(undefined);
        const result = JSON.parse(created.stdout) as {installed: boolean; built: boolean; obj: string;
          ports: {servant: number; admin: number; http?: number}};
        expect(result).to.include({installed: true, built: true, obj: 'TestApp.HelloGo.SayHelloObj'});
        const {servant: tarsPort, admin: adminPort, http: httpPort = 0} = result.ports;
        expect(tarsPort).to.equal(port);

        const server = spawn('npm', ['start'], {cwd: dir, env: npmEnv(), detached: true,
          stdio: ['ignore', 'pipe', 'pipe']});
        started.push(server);
        let log = '';
        server.stdout!.on('data', (d: Buffer) => {
          log += d.toString();
        });
        server.stderr!.on('data', (d: Buffer) => {
          log += d.toString();
        });
        await waitForPorts(http ? [tarsPort, adminPort, httpPort] : [tarsPort, adminPort], server, () => log);

        // Through our Communicator, as any TARS client.
        const comm = new Communicator();
        comms.push(comm);
        const hello = comm.stringToProxy(EchoProxy, `TestApp.HelloGo.SayHelloObj@tcp -h 127.0.0.1 -p ${tarsPort} -t 60000`);
        expect(await hello.EchoHello('from the e2e')).to.deep.equal({ret: 0, resp: 'from the e2e'});

        // The project's own client example, given the port.
        const client = await execa('node', ['dist/client.js', String(tarsPort), 'hi there'], {cwd: dir});
        expect(client.stdout).to.contain('EchoHello("hi there") -> ret 0, resp "hi there"');
        expect(client.stdout).to.contain('Greet("tars") -> ret 0, greeting "Hello, tars! Bonjour, tars!", count 2');

        if (http) {
          const res = await fetch(`http://127.0.0.1:${httpPort}/EchoHello`, {method: 'POST',
            headers: {'content-type': 'application/json'}, body: JSON.stringify({req: 'over http'})});
          expect(res.status).to.equal(200);
          expect(await res.json()).to.deep.equal({tars_ret: 0, resp: 'over http'});
          const httpClient = await execa('node', ['dist/http-client.js', String(httpPort), 'hi http'], {cwd: dir});
          expect(httpClient.stdout).to.contain('EchoHello("hi http") -> ret 0, resp "hi http"');
        }

        // AdminObj answers on the `local` endpoint; it also tells which process to stop.
        const admin = comm.stringToProxy(AdminF.AdminFProxy, `AdminObj@tcp -h 127.0.0.1 -p ${adminPort} -t 60000`);
        expect((await admin.notify('tars.viewversion')).ret).to.match(/^\$\d+\.\d+\.\d+\$$/);
        const pid = Number((await admin.getPid()).ret);
        expect(pid).to.be.greaterThan(0);

        if (!http) {
          // `npm run gen` without `tars` on the PATH: the script falls back to this toolkit's CLI by its path.
          const bin = path.join(work, 'bin-without-tars');
          mkdirSync(bin, {recursive: true});
          for (const tool of ['node', 'npm', 'sh']) {
            const found = (await execa('sh', ['-c', `command -v ${tool}`])).stdout.trim();
            symlinkSync(realpathSync(found), path.join(bin, tool));
          }
          const env = {...npmEnv(), PATH: bin};
          expect((await execa('sh', ['-c', 'command -v tars'], {env, extendEnv: false, reject: false})).exitCode)
            .to.not.equal(0);
          rmSync(path.join(dir, 'src/gen'), {recursive: true});
          const gen = await execa('npm', ['run', 'gen'], {cwd: dir, env, extendEnv: false, all: true, reject: false});
          expect(gen.exitCode, gen.all).to.equal(0);
          expect(gen.all).to.match(/written\s+src\/gen\/SayHelloTars\.ts/);
        }

        const tests = await execa('npm', ['test'], {cwd: dir, env: npmEnv(), extendEnv: false, all: true,
          reject: false});
        expect(tests.exitCode, tests.all).to.equal(0);
        expect(tests.all).to.match(/^# pass [1-9]/m);
        expect(tests.all).to.match(/^# fail 0$/m);

        // A second start beside the first: its port is taken, which the generated server says in one line (no
        // stack) before it exits 1.
        const second = await execa('node', ['dist/HelloGo.js', '--config=config.conf'], {cwd: dir, reject: false,
          timeout: 30_000, all: true});
        expect(second.exitCode, second.all).to.equal(1);
        expect(second.stderr.split('\n').filter((l) => l.startsWith('error:'))).to.deep.equal([
          `error: adapter TestApp.HelloGo.SayHelloObjAdapter cannot listen on tcp -h 127.0.0.1 -p ${tarsPort}: the ` +
          'address is in use (another process listens there); change its endpoint in config.conf or stop the ' +
          'other process']);
        expect(second.stderr).to.not.match(/^\s+at /m);

        if (http) {
          // AdminObj.shutdown: the application closes, its onClose hook closes the HTTP gateway, and with nothing
          // left holding it the process ends with 0 (the runtime never calls process.exit).
          await admin.shutdown();
        } else {
          // SIGTERM to the server (npm start runs it under sh, which would not pass the signal on).
          process.kill(pid, 'SIGTERM');
        }
        // Either way it stops gracefully and exits 0, and so does npm start.
        expect(await exitOf(server), log).to.equal(0);
        expect(log).to.contain('TestApp.HelloGo stopped');
        expect(await connects(tarsPort)).to.equal(false);
        if (http) expect(await connects(httpPort)).to.equal(false);
      });
  }
});
