// Issue 15's show, from the CLI: a registry, the log daemon (listed in the registry through --locator) and a node as
// real processes; two services deployed on the node (Front calls Back), their day logs arriving at the log daemon
// and shown live by `tars log tail -f`; a `tars call --dye K` through both and `tars log dye K` showing both hops; a
// kill -9 of a service seen in `tars notify list`. Every process started here is killed by pid in `after`.
import {expect} from 'chai';
import {type ChildProcess, spawn} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {exited, registryLocatorOf, startCliDaemon, tars, tarsJson} from '../../../../test/support/cli-daemon.js';
import {consecutiveFreePorts, freePorts} from '../../../../test/support/ports.js';
import {until} from '../../../../test/support/wait.js';
import {writeServicePackage} from '../../../../test/support/echo-service.js';

const root = new URL('../../../..', import.meta.url).pathname.replace(/\/$/, '');

const OPS = `const CALL = {name: 'Call', ret: T.int, params: [{name: 'req', tag: 1, type: T.string, out: false},
  {name: 'resp', tag: 2, type: T.string, out: true}]};`;

const BACK = `import {Application, Servant, T} from '@tars-ts/core';
${OPS}
class Back extends Servant {
  static $interface = {name: 'LogE2E.Back', operations: [CALL]};
  Call(req) { app.dayLogger('access').info('back got ' + req); return {ret: 0, resp: 'back:' + req}; }
}
const app = await Application.fromArgs(process.argv);
app.addServant(new Back(), 'LogE2E.Back.BackObj');
await app.start();
`;

const FRONT = `import {Application, Servant, ServantProxy, T} from '@tars-ts/core';
${OPS}
class BackProxy extends ServantProxy {
  static $interface = {name: 'LogE2E.Back', operations: [CALL]};
  Call(req) { return this.$invoke(CALL, [req]); }
}
class Front extends Servant {
  static $interface = {name: 'LogE2E.Front', operations: [CALL]};
  async Call(req) {
    app.dayLogger('access').info('front got ' + req);
    const {resp} = await app.communicator.stringToProxy(BackProxy, 'LogE2E.Back.BackObj').Call(req);
    return {ret: 0, resp: 'front:' + resp};
  }
}
const app = await Application.fromArgs(process.argv);
app.addServant(new Front(), 'LogE2E.Front.FrontObj');
await app.start();
`;

describe('tars log and tars notify, end to end: two deployed services, tail -f, dye, a crash', function () {
  this.timeout(300_000);
  let work: string;
  let locator: string;
  const daemons: ChildProcess[] = [];
  const L = () => ['--locator', locator];

  function pkg(name: string, code: string): string {
    const dir = path.join(work, name);
    writeServicePackage(dir, name, code);
    return dir;
  }

  before(async () => {
    work = mkdtempSync(path.join(os.tmpdir(), 'tars-log-e2e-'));
    const registry = await startCliDaemon(['registry', 'start', '--port', '0', '--data', path.join(work, 'registry')]);
    daemons.push(registry.child);
    locator = registryLocatorOf(registry.out);
    const logPort = await consecutiveFreePorts(3);
    daemons.push((await startCliDaemon(['log', 'start', '--port', String(logPort), '--data', path.join(work, 'log'),
      ...L()])).child);
    const nodePort = await consecutiveFreePorts(2);
    daemons.push((await startCliDaemon(['node', 'start', '--port', String(nodePort), '--data', path.join(work, 'node'),
      '--name', 'log-node', ...L()])).child);
    await until(async () => (await tarsJson<{nodes: {alive: boolean}[]}>(['node', 'list', ...L()])).nodes
      .some((n) => n.alive), 'the node to register', 20_000);
    await until(async () => (await tarsJson<{endpoints: unknown[]}>(['registry', 'find', 'tars.tarslog.LogObj',
      ...L()])).endpoints.length > 0 && (await tarsJson<{endpoints: unknown[]}>(['registry', 'find',
      'tars.tarsnotify.NotifyObj', ...L()])).endpoints.length > 0, 'LogObj and NotifyObj listed', 20_000);
    const [back, front] = await freePorts(2);
    for (const [server, obj, port, code] of [['Back', 'BackObj', back, BACK], ['Front', 'FrontObj', front, FRONT]] as const) {
      await tarsJson(['server', 'deploy', `LogE2E.${server}`, '--package', pkg(server, code), '--adapter',
        `${obj}=tcp -h 127.0.0.1 -p ${port} -t 3000`, ...L()]);
    }
  });

  after(async () => {
    for (const s of ['LogE2E.Front', 'LogE2E.Back']) await tars(['server', 'undeploy', s, ...L()]).catch(() => undefined);
    for (const d of daemons.reverse()) {
      if (d.exitCode === null && d.signalCode === null) d.kill('SIGTERM');
      await exited(d);
    }
    rmSync(work, {recursive: true, force: true});
  });

  it('a deployed service\'s day log arrives at the log daemon and tars log tail -f shows new lines live', async () => {
    const tail = spawn(process.execPath, [path.join(root, 'bin/dev.js'), 'log', 'tail', 'LogE2E.Back', '--name',
      'access', '-f', '-n', '0', ...L()], {cwd: root, stdio: ['ignore', 'pipe', 'pipe']});
    let shown = '';
    tail.stdout!.on('data', (c: Buffer) => {
      shown += c.toString();
    });
    tail.stderr!.on('data', (c: Buffer) => {
      shown += c.toString();
    });
    try {
      let n = 0;
      await until(async () => {
        n++;
        await tarsJson(['call', 'LogE2E.Back.BackObj', 'Call', `live-${n}`, ...L()]);
        return /back got live-\d+/.test(shown);
      }, 'a line in tars log tail -f', 30_000);
    } finally {
      tail.kill('SIGTERM');
      await exited(tail);
    }
  });

  it('tars call --dye K through Front and Back: tars log dye K shows both hops', async () => {
    const called = await tarsJson<{out: {resp: string}}>(['call', 'LogE2E.Front.FrontObj', 'Call', 'dyed', '--dye',
      'K-e2e', ...L()]);
    expect(called.out.resp).to.equal('front:back:dyed');
    await tarsJson(['call', 'LogE2E.Front.FrontObj', 'Call', 'plain', ...L()]);
    let text = '';
    await until(async () => {
      const out = await tars(['log', 'dye', 'K-e2e', ...L()]);
      text = out.stdout;
      return /LogE2E\.Front/.test(text) && /LogE2E\.Back/.test(text);
    }, 'both hops in the dye log', 30_000);
    expect(text).to.match(/front got dyed/).and.to.match(/back got dyed/);
    expect(text).to.not.match(/plain/);
  });

  it('a kill -9 of a service shows in tars notify list', async () => {
    const status = await tarsJson<{servers: {pid: number}[]}>(['server', 'status', 'LogE2E.Back', ...L()]);
    const pid = status.servers[0]!.pid;
    // The node leaves a server alone for 5 s after it starts.
    await new Promise((resolve) => setTimeout(resolve, 5500));
    process.kill(pid, 'SIGKILL');
    await until(async () => {
      const {entries} = await tarsJson<{entries: {server: string; message: string}[]}>(['notify', 'list', '--app',
        'LogE2E', ...L()]);
      return entries.some((e) => /LogE2E\.Back|Back/.test(e.server) && new RegExp(`${pid}`).test(e.message));
    }, 'the crash in tars notify list', 30_000);
  });
});
