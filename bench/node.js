// Node benchmark (issue 12): how fast a server killed with -9 leaves discovery and answers again under our node.
//
// Setup, all real processes through the CLI (bin/run.js): a registry and a node (default --check-interval 1000 ms)
// on free ports with their data in a temporary directory, and a small echo server deployed from a package made here
// (index.js on @tars-ts/core, linked into its node_modules as `tars new` links it) with `tars server deploy`.
// Each round: wait until the server has run for 6 s (the node leaves a server alone for 5 s after a start, as
// tarsnode does), kill -9 its pid, then poll every 10 ms: QueryF.findObjectById of its object until the endpoint is
// gone (-> "leaves discovery"), and EchoHello at its endpoint until it answers again (-> "answers again").
// There is no official node here to compare with: "theirs" is null. Times are in ms (lower is better).
//
// Run: npx tsc -b tsconfig.build.json && node bench/run.js --filter node [--quick] [--json].

import {execFileSync, spawn} from 'node:child_process';
import {mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {freePortRange as freePort, summarize} from './harness.js';
import {killOnExit} from './rpc.js';

export const name = 'node';
export const description = 'node: a server killed with -9, time until it leaves discovery and until it answers again';

const root = new URL('..', import.meta.url).pathname;
const bin = path.join(root, 'bin/run.js');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function tars(args) {
  return execFileSync(process.execPath, [bin, ...args], {cwd: root, env: {...process.env, CI: 'true'},
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']});
}

/** A foreground daemon; resolves once it printed READY. */
function daemon(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {cwd: root, stdio: ['ignore', 'pipe', 'pipe'],
      env: {...process.env, CI: 'true'}});
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no READY: ${out}`)), 30_000);
    child.stdout.on('data', (d) => {
      out += d;
      if (/\bREADY\b/.test(out)) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
  });
}

const SERVER_JS = `import {Application, Servant, T} from '@tars-ts/core';
const ECHO = {name: 'EchoHello', ret: T.int, params: [{name: 'req', tag: 1, type: T.string, out: false},
  {name: 'resp', tag: 2, type: T.string, out: true}]};
class Echo extends Servant {
  static $interface = {name: 'Bench.Echo', operations: [ECHO]};
  EchoHello(req) { return {ret: 0, resp: req}; }
}
const app = await Application.fromArgs(process.argv);
app.addServant(new Echo(), 'Bench.Failover.EchoObj');
await app.start();
`;

export async function run({quick = false, log = () => {}} = {}) {
  const rounds = quick ? 2 : 7;
  const work = mkdtempSync(path.join(os.tmpdir(), 'tars-bench-node-'));
  const children = [];
  const core = await import(path.join(root, 'core/dist/index.js'));
  const {QueryF} = await import(path.join(root, 'core/dist/framework/index.js'));
  const comm = new core.Communicator();
  let locator;
  let lastPid = 0;
  const release = killOnExit(() => {
    for (const c of children) c.kill('SIGKILL');
    if (lastPid) {
      try {
        process.kill(lastPid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  });
  try {
    const regPort = await freePort(4);
    const nodePort = await freePort(2);
    const appPort = await freePort(1);
    locator = `tars.tarsregistry.QueryObj@tcp -h 127.0.0.1 -p ${regPort}`;
    children.push(await daemon(['registry', 'start', '--port', String(regPort), '--data', path.join(work, 'reg')]));
    children.push(await daemon(['node', 'start', '--port', String(nodePort), '--data', path.join(work, 'node'),
      '--name', 'bench', '--locator', locator]));
    const pkg = path.join(work, 'pkg');
    mkdirSync(path.join(pkg, 'node_modules/@tars-ts'), {recursive: true});
    symlinkSync(path.join(root, 'core'), path.join(pkg, 'node_modules/@tars-ts/core'));
    writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({name: 'bench-echo', type: 'module', main: 'index.js'}));
    writeFileSync(path.join(pkg, 'index.js'), SERVER_JS);
    const endpoint = `tcp -h 127.0.0.1 -p ${appPort} -t 3000`;
    for (let i = 0; i < 100 && !tars(['node', 'list', '--locator', locator, '--json']).includes('"alive": true'); i++) {
      await sleep(100);
    }
    tars(['server', 'deploy', 'Bench.Failover', '--package', pkg, '--adapter', `EchoObj=${endpoint}`,
      '--locator', locator]);
    const query = comm.stringToProxy(QueryF.QueryFProxy, locator);
    const ECHO = {name: 'EchoHello', ret: core.T.int, params: [{name: 'req', tag: 1, type: core.T.string, out: false},
      {name: 'resp', tag: 2, type: core.T.string, out: true}]};
    class EchoProxy extends core.ServantProxy {
      static $interface = {name: 'Bench.Echo', operations: [ECHO]};
      EchoHello(req) {
        return this.$invoke(ECHO, [req], {timeout: 200});
      }
    }
    const status = () => {
      const s = JSON.parse(tars(['server', 'status', 'Bench.Failover', '--locator', locator, '--json'])).servers[0];
      if (s.pid > 0) lastPid = s.pid;
      return s;
    };
    const left = [];
    const back = [];
    for (let r = 0; r < rounds; r++) {
      await sleep(6000);
      const {pid} = status();
      // A fresh proxy each round: no connection of an earlier round helps or hurts.
      const echo = comm.stringToProxy(EchoProxy, `Bench.Failover.EchoObj@${endpoint}`);
      const t0 = performance.now();
      process.kill(pid, 'SIGKILL');
      let leftAt;
      let backAt;
      while (performance.now() - t0 < 30_000 && backAt === undefined) {
        const now = performance.now() - t0;
        if (leftAt === undefined) {
          const {ret} = await query.findObjectById('Bench.Failover.EchoObj');
          if (ret.length === 0) leftAt = performance.now() - t0;
        }
        if (now > 20) {
          const answer = await echo.EchoHello('x').then(() => true, () => false);
          if (answer && leftAt !== undefined) backAt = performance.now() - t0;
        }
        await sleep(10);
      }
      log(`round ${r + 1}: left discovery ${leftAt?.toFixed(0)} ms, answered again ${backAt?.toFixed(0)} ms`);
      left.push(leftAt ?? NaN);
      back.push(backAt ?? NaN);
    }
    const row = (label, values, limit) => {
      const s = summarize(values);
      return {case: label, unit: 'ms', ours: s, theirs: null, ratio: NaN, pairedRatio: NaN, target: null,
        targetLabel: `< ${limit} ms`, ok: s.max < limit};
    };
    return {rows: [
      row('kill -9 -> out of discovery (ms)', left, 3000),
      row('kill -9 -> answers again (ms)', back, 5000),
    ], notes: [`${rounds} rounds; node --check-interval 1000 ms (official monitorInterval 2 s); times from the ` +
      'SIGKILL to the first QueryF answer without the endpoint, and to the first EchoHello answered'],
    info: {rounds, left, back}};
  } finally {
    comm.close();
    try {
      if (locator) tars(['server', 'undeploy', 'Bench.Failover', '--locator', locator]);
    } catch {
      // killed by pid below
    }
    try {
      if (lastPid) process.kill(lastPid, 'SIGKILL');
    } catch {
      // gone
    }
    // Node first, then the registry; each gets 10 s to stop gracefully before SIGKILL.
    for (const c of children.reverse()) {
      const exited = new Promise((resolve) => (c.exitCode !== null || c.signalCode !== null ? resolve()
        : c.once('exit', resolve)));
      c.kill('SIGTERM');
      const timer = setTimeout(() => c.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    release();
    rmSync(work, {recursive: true, force: true});
  }
}
