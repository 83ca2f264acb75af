// The node's reports to the notify daemon (issue 15): a managed server killed with -9 gives "[alarm] down", its
// restart "[alarm] restarted", and a server that keeps dying past the flap limit "[alarm] auto-start held back".
// NodeServers in this process with a real child process; the registry (RegistryObj + QueryObj) and NotifyObj are
// servants from the generated stubs in a core Application on 127.0.0.1:0, NotifyObj found through the locator.
import {expect} from 'chai';
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {Application, Communicator, Logger, Notifier, formatEndpoint} from '@tars-ts/core';
import {EndpointF, NotifyF, QueryF, Registry, RegistryDescriptor} from '@tars-ts/core/framework';

import {NodeServers} from '../src/node-servers.js';
import {ExecaLauncher} from '../src/supervisor/index.js';
import {FakeNotify} from '../../../../test/support/log-daemon.js';
import {until} from '../../../../test/support/wait.js';

const QUERY_OBJ = 'tars.tarsregistry.QueryObj';
const REGISTRY_OBJ = 'tars.tarsregistry.RegistryObj';
const NOTIFY_OBJ = 'tars.tarsnotify.NotifyObj';

/** A RegistryObj that assigns `servers` to every node and takes every state report. */
class FakeRegistry extends Registry.RegistryServant {
  servers: RegistryDescriptor.ServerDescriptor[] = [];
  reportNode() { return {ret: 0}; }
  registerNode() { return {ret: 0}; }
  keepAlive() { return {ret: 0}; }
  getServers() { return {ret: this.servers}; }
  updateServer() { return {ret: 0}; }
  updateServerBatch() { return {ret: 0}; }
  destroyNode() { return {ret: 0}; }
  reportVersion() { return {ret: 0}; }
  getNodeTemplate() { return {ret: 0, profileTemplate: ''}; }
  getClientIp() { return {ret: 0, sClientIp: '127.0.0.1'}; }
  updatePatchResult() { return {ret: 0}; }
  getDockerRegistry() { return {ret: 0, doctorRegistries: []}; }
  dockerPull() { return {ret: 0}; }
  getFrameworkKey() { return {ret: -1, fKey: Registry.FrameworkKey.create({})}; }
}

/** A QueryObj listing the objects of one application by their adapters. */
class FakeQuery extends QueryF.QueryFServant {
  constructor(private readonly app: () => Application) {
    super();
  }
  private find(id: string): EndpointF.EndpointF[] {
    const a = this.app().servantAdapters.find((x) => x.config.servant === id);
    return a ? [EndpointF.EndpointF.create({host: a.endpoint.host, port: a.endpoint.port, timeout: 60_000, istcp: 1})]
      : [];
  }
  private found(id: string) {
    const activeEp = this.find(id);
    return {ret: activeEp.length > 0 ? 0 : -1, activeEp, inactiveEp: []};
  }
  findObjectById(id: string) { return {ret: this.find(id)}; }
  findObjectById4Any(id: string) { return this.found(id); }
  findObjectById4All(id: string) { return this.found(id); }
  findObjectByIdInSameGroup(id: string) { return this.found(id); }
  findObjectByIdInSameStation(id: string) { return this.found(id); }
  findObjectByIdInSameSet(id: string) { return this.found(id); }
  findObjectNodeName() { return {ret: -1, nodeName: []}; }
  registerChange() { return {ret: 0}; }
  registerQuery() { return {ret: 0}; }
  getLocker() { return {ret: -1}; }
}

describe('node: crash, restart and flap-limit reports to NotifyObj', function () {
  this.timeout(60_000);
  let dir: string;
  let framework: Application;
  let notify: FakeNotify;
  let comm: Communicator;
  let servers: NodeServers | undefined;
  const pids = new Set<number>();

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tars-node-notify-'));
    notify = new FakeNotify();
    const registry = new FakeRegistry();
    framework = Application.fromOptions({app: 'tars', server: 'tarsregistry', loglevel: 'NONE', graceMs: 200,
      adapters: [QUERY_OBJ, REGISTRY_OBJ, NOTIFY_OBJ].map((servant) => ({servant,
        endpoint: 'tcp -h 127.0.0.1 -p 0 -t 60000'}))});
    framework.addServant(new FakeQuery(() => framework), QUERY_OBJ);
    framework.addServant(registry, REGISTRY_OBJ);
    framework.addServant(notify, NOTIFY_OBJ);
    await framework.start();
    const locator = `${QUERY_OBJ}@${formatEndpoint(framework.servantAdapters[0]!.endpoint)}`;
    comm = new Communicator({locator});
    // The managed server: a process that runs until killed (it never reports in: it stays Activating).
    const script = path.join(dir, 'forever.cjs');
    writeFileSync(script, 'setInterval(() => {}, 1000);\n');
    registry.servers = [RegistryDescriptor.ServerDescriptor.create({application: 'App', serverName: 'Crash',
      nodeName: 'node-n', settingState: 'active', startScript: `${process.execPath} ${script} {config}`})];
    const data = path.join(dir, 'node');
    mkdirSync(path.join(data, 'App.Crash', 'bin'), {recursive: true});
    writeFileSync(path.join(data, 'App.Crash', 'deploy.json'), JSON.stringify({entry: '', adapters: [],
      configFile: '', files: 1, bytes: 1, source: script, stagedAt: 0}));
    servers = new NodeServers({dataDir: data, nodeName: 'node-n', logger: new Logger('NONE'), communicator: comm,
      registry: comm.stringToProxy(Registry.RegistryProxy, REGISTRY_OBJ), checkIntervalMs: 100,
      timeouts: {startGraceMs: 0}, limits: {maxCount: 1, intervalMs: 600_000, punishMs: 600_000},
      notifier: new Notifier(comm.stringToProxy(NotifyF.NotifyProxy, NOTIFY_OBJ),
        {app: 'tars', server: 'tarsnode', nodeName: 'node-n'})});
    servers.setFacts({serverObjEndpoint: 'tcp -h 127.0.0.1 -p 1 -t 60000', locator});
  });

  after(async () => {
    await servers?.close();
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    comm?.close();
    await framework?.close();
    rmSync(dir, {recursive: true, force: true});
  });

  const launcher = new ExecaLauncher();
  /** The pid of App.Crash once a new one (not `previous`) runs. */
  async function running(previous = 0): Promise<number> {
    let pid = 0;
    await until(() => {
      pid = servers!.get('App', 'Crash')?.snapshot().pid ?? 0;
      return pid > 0 && pid !== previous && launcher.isAlive(pid);
    }, 'App.Crash running', 20_000);
    pids.add(pid);
    return pid;
  }

  it('kill -9: "[alarm] down" then "[alarm] restarted"; past the flap limit: held back, and it says so', async () => {
    await servers!.load();
    servers!.startLoop();
    let pid = await running();
    expect(notify.reports).to.have.length(0);
    const killed: number[] = [];
    const expected: string[] = [];
    // Kill each new process until the flap limit holds the server (bounded: the limit is 1 quick restart).
    for (let i = 0; i < 5; i++) {
      process.kill(pid, 'SIGKILL');
      killed.push(pid);
      expected.push(`[alarm] down, server is inactive (pid ${pid} exited)`);
      await until(() => notify.reports.length >= expected.length + 1, 'the next report', 20_000);
      if (notify.reports.at(-1)!.sMessage.includes('flap limit')) break;
      pid = await running(pid);
      expected.push(`[alarm] restarted after pid ${killed.at(-1)} exited, new pid ${pid}`);
    }
    expected.push('[alarm] auto-start held back by the flap limit until T');
    expect(notify.reports.map((r) => r.sMessage.replace(/until \S+/, 'until T'))).to.deep.equal(expected);
    expect(killed.length).to.be.greaterThan(1);
    for (const r of notify.reports) {
      expect(r).to.include({eType: NotifyF.ReportType.REPORT, sApp: 'App', sServer: 'Crash', sNodeName: 'node-n'});
    }
    expect(launcher.isAlive(killed.at(-1)!)).to.equal(false);
  });
});
