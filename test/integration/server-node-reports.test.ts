// A server whose config names a node (`<server> node = tars.tarsnode.ServerObj@...`) reports to it as TarsCpp and
// TarsGo do (framework.md 3.1): keepActiving while starting, reportVersion and keepAlive("") once started, then a
// keepAlive per live adapter every mainloopticker ms. A node that is away costs the server nothing, and the beats
// stop with the server. The fake node is a core Application hosting a ServerF servant.
import {
  type CallContext, Application, Communicator, Logger, MAINLOOPTICKER_DEFAULT, RUNTIME_VERSION, serverConfigFromOptions,
} from '@tars-ts/core';
import {NodeF} from '@tars-ts/core/framework';
import {expect} from 'chai';

import {ProbeProxy} from '../golden/codegen/rpctestTars.js';
import {Probe} from '../support/probe.js';
import {freePort} from '../support/ports.js';
import {sleep, until} from '../support/wait.js';

type Heard =
  | {op: 'keepAlive' | 'keepActiving'; info: NodeF.ServerInfo}
  | {op: 'reportVersion'; app: string; server: string; version: string};

/** tarsnode's ServerObj as far as a server sees it: records every call, answers 0 as for a server it knows. */
class FakeNode extends NodeF.ServerFServant {
  readonly heard: Heard[] = [];

  keepAlive(info: NodeF.ServerInfo, _ctx: CallContext): NodeF.ServerF$Results['keepAlive'] {
    this.heard.push({op: 'keepAlive', info});
    return {ret: 0};
  }

  keepActiving(info: NodeF.ServerInfo, _ctx: CallContext): NodeF.ServerF$Results['keepActiving'] {
    this.heard.push({op: 'keepActiving', info});
    return {ret: 0};
  }

  reportVersion(app: string, server: string, version: string): NodeF.ServerF$Results['reportVersion'] {
    this.heard.push({op: 'reportVersion', app, server, version});
    return {ret: 0};
  }

  getLatestKeepAliveTime(): NodeF.ServerF$Results['getLatestKeepAliveTime'] {
    return {ret: 0};
  }

  /** The adapter names of the keepAlive calls heard, in order. */
  beats(): string[] {
    return this.heard.flatMap((h) => (h.op === 'keepAlive' ? [h.info.adapter] : []));
  }
}

async function startNode(): Promise<{app: Application; node: FakeNode; obj: string}> {
  const node = new FakeNode();
  const app = Application.fromOptions({app: 'tars', server: 'tarsnode', logger: new Logger('NONE'),
    adapters: [{servant: 'ServerObj', endpoint: 'tcp -h 127.0.0.1 -p 0 -t 60000'}]});
  app.addServant(node, 'tars.tarsnode.ServerObj');
  await app.start();
  const {port} = app.adapter('tars.tarsnode.ServerObjAdapter')!.endpoint;
  return {app, node, obj: `tars.tarsnode.ServerObj@tcp -h 127.0.0.1 -p ${port}`};
}

/**
 * A server config as tarsnode writes it, naming `node` and beating every `tick` ms: a served tars adapter, one left
 * without a servant (does not listen, so must not beat), a not_tars one the application serves itself, and AdminObj.
 */
function serverConfig(node: string | undefined, tick: number): string {
  return `<tars>
  <application>
    <server>
      app = TestApp
      server = HelloTs
      local = tcp -h 127.0.0.1 -p 0 -t 10000
      ${node ? `node = ${node}` : ''}
      mainloopticker = ${tick}
      <TestApp.HelloTs.ProbeObjAdapter>
        endpoint = tcp -h 127.0.0.1 -p 0 -t 60000
        servant = TestApp.HelloTs.ProbeObj
      </TestApp.HelloTs.ProbeObjAdapter>
      <TestApp.HelloTs.IdleObjAdapter>
        endpoint = tcp -h 127.0.0.1 -p 0 -t 60000
        servant = TestApp.HelloTs.IdleObj
      </TestApp.HelloTs.IdleObjAdapter>
      <TestApp.HelloTs.HttpObjAdapter>
        endpoint = tcp -h 127.0.0.1 -p 0 -t 60000
        servant = TestApp.HelloTs.HttpObj
        protocol = not_tars
      </TestApp.HelloTs.HttpObjAdapter>
    </server>
  </application>
</tars>
`;
}

function memoryLogger(): {logger: Logger; lines: string[]} {
  const lines: string[] = [];
  return {logger: new Logger('DEBUG', (line) => lines.push(line)), lines};
}

const BEATING = ['AdminAdapter', 'TestApp.HelloTs.HttpObjAdapter', 'TestApp.HelloTs.ProbeObjAdapter'];

describe('a server reports to the node its config names', () => {
  it('sends keepActiving, then reportVersion, then keepAlive("") and a keepAlive per live adapter each tick',
    async () => {
      const {app: nodeApp, node, obj} = await startNode();
      const app = Application.fromText(serverConfig(obj, 20), {logger: new Logger('NONE')});
      app.addServant(new Probe(), 'TestApp.HelloTs.ProbeObj');
      try {
        await app.start();
        // Three full rounds after the start beat: each live adapter named at least three times.
        await until(() => BEATING.every((a) => node.beats().filter((b) => b === a).length >= 3), 'three rounds');
      } finally {
        await app.close();
        await nodeApp.close();
      }
      const info = {application: 'TestApp', serverName: 'HelloTs', pid: process.pid};
      expect(node.heard.slice(0, 3)).to.deep.equal([
        {op: 'keepActiving', info: {...info, adapter: ''}},
        {op: 'reportVersion', app: 'TestApp', server: 'HelloTs', version: RUNTIME_VERSION},
        {op: 'keepAlive', info: {...info, adapter: ''}},
      ]);
      const later = node.heard.slice(3);
      // Only keepAlive from then on, always with this server's name and pid; "" only once, at start.
      expect(later.every((h) => h.op === 'keepAlive' && h.info.application === 'TestApp' &&
        h.info.serverName === 'HelloTs' && h.info.pid === process.pid)).to.equal(true);
      expect([...new Set(node.beats().slice(1))].sort()).to.deep.equal(BEATING);
      expect(app.nodeReports?.failed).to.equal(0);
    });

  it('costs nothing when the node is away: start, calls and close go on; failures are logged, not per beat',
    async () => {
      const port = await freePort(); // nothing listens there: every call to the node is refused
      const {logger, lines} = memoryLogger();
      const app = Application.fromText(serverConfig(`tars.tarsnode.ServerObj@tcp -h 127.0.0.1 -p ${port}`, 10),
        {logger});
      app.addServant(new Probe(), 'TestApp.HelloTs.ProbeObj');
      const comm = new Communicator();
      let closed = false;
      try {
        await app.start();
        const probePort = app.adapter('TestApp.HelloTs.ProbeObjAdapter')!.endpoint.port;
        const probe = comm.stringToProxy(ProbeProxy, `TestApp.HelloTs.ProbeObj@tcp -h 127.0.0.1 -p ${probePort}`);
        expect(await probe.echo('still here')).to.deep.equal({ret: 'still here'});
        await until(() => (app.nodeReports?.failed ?? 0) >= 20, 'twenty failed calls to the node');
        expect(await probe.echo('and here')).to.deep.equal({ret: 'and here'});
      } finally {
        comm.close();
        // Ends the test (as a failure) instead of hanging should close wait on the node.
        void app.close().then(() => {
          closed = true;
        });
        await until(() => closed, 'close with the node away');
      }
      const nodeLines = lines.filter((l) => l.includes('tars.tarsnode.ServerObj'));
      // One line at the first failure, one summing up the rest at close: not one per call.
      expect(nodeLines.length, nodeLines.join('\n')).to.be.within(1, 2);
      expect(nodeLines[0]).to.match(/\|WARN\|node tars\.tarsnode\.ServerObj@.* call\(s\) failed/);
    });

  it('stops the beats when the server closes', async () => {
    const {app: nodeApp, node, obj} = await startNode();
    const app = Application.fromText(serverConfig(obj, 10), {logger: new Logger('NONE')});
    app.addServant(new Probe(), 'TestApp.HelloTs.ProbeObj');
    try {
      await app.start();
      await until(() => node.beats().length >= 10, 'beats');
      await app.close();
      const sent = app.nodeReports!.sent;
      // Lets what was already sent arrive, then twenty ticks' worth more (a lower bound, not a timing check).
      await until(() => node.heard.length >= sent, 'the calls already sent');
      const heard = node.heard.length;
      await sleep(200);
      expect(app.nodeReports!.sent).to.equal(sent);
      expect(node.heard.length).to.equal(heard);
    } finally {
      await app.close();
      await nodeApp.close();
    }
  });

  it('sends nothing when the config names no node', async () => {
    const app = Application.fromText(serverConfig(undefined, 10), {logger: new Logger('NONE')});
    app.addServant(new Probe(), 'TestApp.HelloTs.ProbeObj');
    try {
      await app.start();
      expect(app.nodeReports).to.equal(undefined);
      expect(await app.runAdminCommand('tars.viewstatus')).to.match(/node reports: +none \(no node configured\)/);
    } finally {
      await app.close();
    }
  });

  it('reads the interval from <server> mainloopticker or the option of that name (default 10 s, as both runtimes)',
    () => {
      expect(serverConfigFromOptions({app: 'A', server: 'S'}).mainloopticker).to.equal(MAINLOOPTICKER_DEFAULT)
        .and.to.equal(10000);
      expect(serverConfigFromOptions({app: 'A', server: 'S', mainloopticker: 2500}).mainloopticker).to.equal(2500);
      expect(serverConfigFromOptions({app: 'A', server: 'S', mainloopticker: 0}).mainloopticker).to.equal(10000);
      expect(Application.fromText(serverConfig(undefined, 1234)).config.mainloopticker).to.equal(1234);
    });
});
