// A service deployed into a cluster uses every base service with no setup of its own (issue 17, item 2): the config
// file the node writes names them all, so the service's remote log lines reach the log daemon, its notification the
// notify daemon, its config file comes from the config center, and its call statistics and property from the
// runtime's defaults reach the stat daemon (flushed by its graceful stop, as they would be every minute).
// Real processes: the cluster is started as a user starts it (bin/dev.js in a child process).
import {expect} from 'chai';
import {writeFileSync} from 'node:fs';
import path from 'node:path';

import {tars, tarsJson} from '../../../../test/support/cli-daemon.js';
import {writeServicePackage} from '../../../../test/support/echo-service.js';
import {freePorts} from '../../../../test/support/ports.js';
import {type TestCluster, startTestCluster, stopTestCluster} from '../../../../test/support/test-cluster.js';
import {until} from '../../../../test/support/wait.js';

/** The service: one servant whose Show returns its config file, a property, a remote log line and a notification. */
const SERVICE_JS = `import {Application, Servant, Sum, T, createProperty} from '@tars-ts/core';
const SHOW = {name: 'Show', ret: T.string, params: []};
const app = await Application.fromArgs(process.argv);
const served = createProperty('Demo.Served', Sum());
class Demo extends Servant {
  static $interface = {name: 'Demo.Demo', operations: [SHOW]};
  async Show() {
    served.report(1);
    return {ret: await app.addConfig('hello.conf')};
  }
}
app.addServant(new Demo(), 'Demo.Svc.DemoObj');
await app.start();
app.dayLogger().info('hello from Demo.Svc');
app.notify('warn', 'Demo.Svc started with no setup');
`;

/**
 * A hop of the A -> B -> C chain: EchoHello calls the next hop's EchoHello by bare name (through the registry, as the
 * node's config file says), or, last in the chain, answers, failing with -9 when asked to "fail".
 */
function hopSource(obj: string, next: string | undefined): string {
  return `import {Application, Servant, ServantProxy, T, TarsReturnCodeError} from '@tars-ts/core';
const ECHO = {name: 'EchoHello', ret: T.int, params: [{name: 'req', tag: 1, type: T.string, out: false},
  {name: 'resp', tag: 2, type: T.string, out: true}]};
class EchoProxy extends ServantProxy {
  static $interface = {name: 'Test.Echo', operations: [ECHO]};
  EchoHello(req) { return this.$invoke(ECHO, [req]); }
}
const app = await Application.fromArgs(process.argv);
const next = ${next ? `app.communicator.stringToProxy(EchoProxy, '${next}')` : 'undefined'};
class Hop extends Servant {
  static $interface = {name: 'Test.Echo', operations: [ECHO]};
  async EchoHello(req) {
    if (next) return {ret: 0, resp: '${obj.split('.')[1]}>' + (await next.EchoHello(req)).resp};
    if (req === 'fail') throw new TarsReturnCodeError(-9, 'C is overloaded');
    return {ret: 0, resp: '${obj.split('.')[1]}:' + req};
  }
}
app.addServant(new Hop(), '${obj}');
await app.start();
`;
}

describe('a service deployed into a cluster, with no setup', function () {
  this.timeout(180_000);
  let cluster: TestCluster | undefined;
  let work: string;

  before(async () => {
    cluster = await startTestCluster('tars-cluster-svc-');
    work = cluster.work;

    const pkg = path.join(work, 'pkg');
    writeServicePackage(pkg, 'demo', SERVICE_JS);
    const [port] = await freePorts(1);
    const deployed = await tars(['server', 'deploy', 'Demo.Svc', '--package', pkg, '--adapter',
      `DemoObj=tcp -h 127.0.0.1 -p ${port} -t 60000`]);
    expect(deployed.exit, deployed.stderr + deployed.stdout).to.equal(0);
  });

  after(async () => {
    // The cluster stops its servers first; whatever is left (a failed stop) is killed by pid through its lock.
    await stopTestCluster(cluster);
  });

  it('tars call --trace into A, which calls B, which calls C: the trace shows A -> B -> C nested; an error in C ' +
    'marks every span up the chain', async () => {
    const hops = [['Chain.C', undefined], ['Chain.B', 'Chain.C.HopObj'], ['Chain.A', 'Chain.B.HopObj']] as const;
    const ports = await freePorts(3);
    for (const [i, [server, next]] of hops.entries()) {
      const pkg = path.join(work, server);
      writeServicePackage(pkg, server, hopSource(`${server}.HopObj`, next));
      const out = await tars(['server', 'deploy', server, '--package', pkg, '--adapter',
        `HopObj=tcp -h 127.0.0.1 -p ${ports[i]} -t 60000`]);
      expect(out.exit, out.stderr + out.stdout).to.equal(0);
    }
    type Traced = {out: {resp: string}; traceId: string; trace?: {trace: {error: boolean}; spans: {kind: string;
      caller: string; callee: string; parentSpanId: string; spanId: string; depth: number; ret: number;
      startMs: number; durationMs: number}[]}};
    const ok = await tarsJson<Traced>(['call', 'Chain.A.HopObj', 'EchoHello', 'hi', '--trace']);
    expect(ok.out.resp).to.equal('A>B>C:hi');
    const spans = ok.trace!.spans;
    expect(spans.map((x) => `${x.depth} ${x.kind} ${x.caller} -> ${x.callee}`)).to.deep.equal([
      '0 client tars.call -> Chain.A.HopObj', '1 server tars.call -> Chain.A.HopObj',
      '2 client Chain.A -> Chain.B.HopObj', '3 server Chain.A -> Chain.B.HopObj',
      '4 client Chain.B -> Chain.C.HopObj', '5 server Chain.B -> Chain.C.HopObj']);
    for (let i = 1; i < spans.length; i++) {
      const [parent, child] = [spans[i - 1]!, spans[i]!];
      expect(child.parentSpanId).to.equal(parent.spanId);
      // Durations nest: a child starts after its parent and ends before it (ms in the log; 1 ms of rounding).
      expect(child.startMs).to.be.at.least(parent.startMs - 1);
      expect(child.startMs + child.durationMs).to.be.at.most(parent.startMs + parent.durationMs + 1);
    }
    // The text form: the id, then the waterfall, indented by depth.
    const text = await tars(['call', 'Chain.A.HopObj', 'EchoHello', 'again', '--trace']);
    expect(text.stdout).to.match(/^trace [0-9a-f]{32} /m);
    expect(text.stdout).to.match(/^ {10}Chain\.B -> Chain\.C\.HopObj\.EchoHello\s+server/m);

    const failed = await tars(['call', 'Chain.A.HopObj', 'EchoHello', 'fail', '--trace', '--json']);
    expect(failed.exit).to.equal(3);
    const failedId = /"traceId": "([0-9a-f]{32})"/.exec(failed.stdout)?.[1] ??
      /trace ([0-9a-f]{32})/.exec(failed.stderr)?.[1];
    const shown = await tarsJson<Traced & {trace: {error: boolean}}>(['trace', 'show',
      failedId ?? expect.fail(`no trace id in: ${failed.stdout}${failed.stderr}`)]);
    expect(shown.trace.error).to.equal(true);
    const rets = (shown as unknown as {spans: {ret: number}[]}).spans.map((x) => x.ret);
    expect(rets).to.have.length(6);
    for (const r of rets) expect(r).to.not.equal(0);
  });

  it('its remote log line reaches the log daemon', async () => {
    await until(async () => (await tars(['log', 'query', 'Demo.Svc'])).stdout.includes('hello from Demo.Svc'),
      'the line in tars log query Demo.Svc', 20_000);
  });

  it('its notification reaches the notify daemon', async () => {
    await until(async () => (await tars(['notify', 'list', '--app', 'Demo', '--server', 'Svc'])).stdout
      .includes('Demo.Svc started with no setup'), 'the notification in tars notify list', 20_000);
  });

  it('it reads its config file from the config center, by name, and sees a new version', async () => {
    const file = path.join(work, 'hello.conf');
    writeFileSync(file, 'greeting = hello\n');
    expect((await tars(['config', 'push', 'Demo.Svc', file])).exit).to.equal(0);
    const first = await tarsJson<{out: {ret?: string}; ret?: string}>(['call', 'Demo.Svc.DemoObj', 'Show']);
    expect(first.ret).to.equal('greeting = hello\n');
    writeFileSync(file, 'greeting = bonjour\n');
    expect((await tars(['config', 'push', 'Demo.Svc', file])).exit).to.equal(0);
    const second = await tarsJson<{ret?: string}>(['call', 'Demo.Svc.DemoObj', 'Show']);
    expect(second.ret).to.equal('greeting = bonjour\n');
  });

  it('its call statistics and its property reach the stat daemon (flushed by its graceful stop)', async () => {
    const stopped = await tars(['server', 'stop', 'Demo.Svc']);
    expect(stopped.exit, stopped.stderr).to.equal(0);
    await until(async () => {
      const stats = await tarsJson<{rows: {name?: string; callee?: string; side?: string}[]}>(['stat', 'query',
        '--app', 'Demo', '--side', 'server']);
      return JSON.stringify(stats).includes('Demo.Svc');
    }, 'Demo.Svc\'s callee-side statistics in tars stat query', 20_000);
    await until(async () => JSON.stringify(await tarsJson(['property', 'query', '--name', 'Demo.Served']))
      .includes('Demo.Svc'), 'the property Demo.Served in tars property query', 20_000);
  });
});
