// Call statistics and properties on the wire (framework.md 3.2, 3.3): a client calling a server through a
// Communicator with `stat` set, and the server itself, report to a real StatF servant (a core Application on an
// ephemeral port) counts that match the calls exactly on both sides; properties reach a real PropertyF servant in
// TarsGo's value formats; a stat daemon that is away costs the calls nothing; calls to the stat object are not
// counted. Report intervals are driven by a ManualReportTimer or flushReports(), never waited for.
import {
  Application, Avg, Communicator, Count, Distr, Logger, ManualReportTimer, Max, Min,
  PropertyRegistry, RUNTIME_VERSION, STAT_BUCKETS, Sum, createProperty, defaultPropertyRegistry,
} from '@tars-ts/core';
import {EndpointF} from '@tars-ts/core/framework';
import {expect} from 'chai';

import {ProbeProxy} from '../golden/codegen/rpctestTars.js';
import {FixedRegistry} from '../support/fixed-registry.js';
import {Probe} from '../support/probe.js';
import {freePort} from '../support/ports.js';
import {startStatDaemon as startDaemon} from '../support/stat-daemon.js';
import {sleep, until} from '../support/wait.js';

/** A Probe whose sleep calls say when they have answered (the server counts them once answered). */
class CountingProbe extends Probe {
  slept = 0;

  override async sleep(ms: number): Promise<{ret: number}> {
    const r = await super.sleep(ms);
    this.slept++;
    return r;
  }
}

interface Service {
  app: Application;
  probe: CountingProbe;
  obj: string;
  port: number;
}

/** The called server, reporting its callee side to `statObj` through its own communicator. */
async function startService(statObj: string | undefined, timer: ManualReportTimer,
  adapter: {queuecap?: number; concurrency?: number} = {}): Promise<Service> {
  const probe = new CountingProbe();
  const communicator = new Communicator({...(statObj ? {stat: statObj} : {}), modulename: 'Test.StatSvc',
    localip: '127.0.0.1', reporting: {timer}});
  const app = Application.fromOptions({app: 'Test', server: 'StatSvc', localip: '127.0.0.1', logger: new Logger('NONE'),
    communicator, adapters: [{servant: 'ProbeObj', endpoint: 'tcp -h 127.0.0.1 -p 0 -t 60000', ...adapter}]});
  app.addServant(probe, 'Test.StatSvc.ProbeObj');
  await app.start();
  const port = app.servantAdapters[0]!.endpoint.port;
  return {app, probe, port, obj: `Test.StatSvc.ProbeObj@tcp -h 127.0.0.1 -p ${port} -t 60000`};
}

describe('stat reporting', function () {
  this.timeout(20000);
  const cleanup: (() => unknown)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  it('reports counts that match the calls exactly, on the caller side and on the callee side', async () => {
    const daemon = await startDaemon();
    cleanup.push(() => daemon.app.close());
    const timer = new ManualReportTimer();
    const service = await startService(daemon.statObj, timer);
    cleanup.push(() => service.app.close());
    const client = new Communicator({stat: daemon.statObj, modulename: 'Test.Caller', localip: '127.0.0.1',
      reporting: {timer}});
    cleanup.push(() => client.close());
    const probe = client.stringToProxy(ProbeProxy, service.obj);

    for (let i = 0; i < 25; i++) await probe.echo(`call ${i}`);
    for (let i = 0; i < 3; i++) await probe.boom('plain').catch(() => undefined);
    await probe.boom('tars').catch(() => undefined);
    for (let i = 0; i < 2; i++) await probe.sleep(300, {timeout: 30}).catch(() => undefined);
    for (let i = 0; i < 4; i++) await probe.note('one way', {oneway: true});
    await until(() => service.probe.slept === 2 && service.probe.notes.length === 4, 'the server answered');

    // One interval passes for both reporters.
    timer.advance();
    await until(() => daemon.stat.lines(true).length === 5 && daemon.stat.lines(false).length === 5, 'both reports');
    expect(daemon.stat.lines(true)).to.deep.equal([
      'boom -9 Test.Caller: 0/0/1',
      'boom -99 Test.Caller: 0/0/3',
      'echo 0 Test.Caller: 25/0/0',
      'note 0 Test.Caller: 4/0/0',
      'sleep -1 Test.Caller: 0/2/0',
    ]);
    // The server saw the sleeps succeed (the client had stopped waiting), and one-way notes as one_way_client.
    expect(daemon.stat.lines(false)).to.deep.equal([
      'boom -9 stat_from_server: 0/0/1',
      'boom -99 stat_from_server: 0/0/3',
      'echo 0 stat_from_server: 25/0/0',
      'note 0 one_way_client: 4/0/0',
      'sleep 0 stat_from_server: 2/0/0',
    ]);
    const echo = daemon.stat.reports.find((r) => r.bFromClient && r.head.interfaceName === 'echo')!;
    expect(echo.head).to.deep.equal({masterName: 'Test.Caller', slaveName: 'Test.StatSvc', interfaceName: 'echo',
      masterIp: '127.0.0.1', slaveIp: '127.0.0.1', slavePort: service.port, returnValue: 0, slaveSetName: '',
      slaveSetArea: '', slaveSetID: '', tarsVersion: RUNTIME_VERSION});
    expect([...echo.body.intervalCount.keys()]).to.deep.equal(STAT_BUCKETS);
    expect([...echo.body.intervalCount.values()].reduce((a, b) => a + b, 0)).to.equal(25);
    expect(echo.body.maxRspTime).to.be.at.least(echo.body.minRspTime);
    expect(Number(echo.body.totalRspTime)).to.be.at.least(echo.body.maxRspTime);
    const served = daemon.stat.reports.find((r) => !r.bFromClient && r.head.interfaceName === 'echo')!;
    expect(served.head).to.deep.include({slaveName: 'Test.StatSvc', slaveIp: '127.0.0.1', slavePort: 0,
      masterIp: '127.0.0.1', tarsVersion: RUNTIME_VERSION});
    // Timeouts sit in the histogram at their latency (>= the 30 ms timeout), not in the response times.
    const slept = daemon.stat.reports.find((r) => r.bFromClient && r.head.interfaceName === 'sleep')!;
    expect(slept.body.intervalCount.get(5)! + slept.body.intervalCount.get(10)!).to.equal(0);
    expect(slept.body.totalRspTime).to.equal(0n);

    // No report about the reports: the calls to StatObj are not counted.
    expect(daemon.stat.reports.some((r) => r.head.slaveName === 'tars.tarsstat')).to.equal(false);
    // The daemon has the reports before the reporters have its answers: wait for those, then count.
    await until(() => client.stats().stat?.reported === 35 && service.app.communicator.stats().stat?.reported === 35,
      'both reporters to see their reports answered');
    expect(client.stats().stat).to.include({reported: 35, dropped: 0, failed: 0});
    expect(service.app.communicator.stats().stat).to.include({reported: 35, dropped: 0});
    // ... which tars.viewstatus shows.
    expect(await service.app.runAdminCommand('tars.viewstatus')).to.match(/stat reports: +reported 35 calls, dropped 0/);

    // The next interval reports only what happened since.
    await probe.echo('again');
    const before = daemon.stat.reports.length;
    await client.flushReports();
    expect(daemon.stat.reports.slice(before).map((r) => `${r.head.interfaceName}:${r.body.count}`))
      .to.deep.equal(['echo:1']);
  });

  it('counts the requests an overloaded server refuses (-9) on both sides', async () => {
    const daemon = await startDaemon();
    cleanup.push(() => daemon.app.close());
    const timer = new ManualReportTimer();
    const service = await startService(daemon.statObj, timer, {queuecap: 1, concurrency: 1});
    cleanup.push(() => service.app.close());
    const client = new Communicator({stat: daemon.statObj, reporting: {timer}});
    cleanup.push(() => client.close());
    const probe = client.stringToProxy(ProbeProxy, service.obj);
    // One runs, one waits, the other six find the queue full.
    const results = await Promise.allSettled(Array.from({length: 8}, () => probe.sleep(50)));
    const refused = results.filter((r) => r.status === 'rejected').length;
    expect(refused).to.equal(6);
    await until(() => service.probe.slept === 2, 'the two admitted sleeps');
    await client.flushReports();
    await service.app.communicator.flushReports();
    expect(daemon.stat.lines(true)).to.deep.equal(['sleep -9 tup_client: 0/0/6', 'sleep 0 tup_client: 2/0/0']);
    expect(daemon.stat.lines(false)).to.deep.equal(['sleep -9 stat_from_server: 0/0/6',
      'sleep 0 stat_from_server: 2/0/0']);
  });

  it('reports nothing while stat is unset, and starts and stops with setProperty', async () => {
    const daemon = await startDaemon();
    cleanup.push(() => daemon.app.close());
    const timer = new ManualReportTimer();
    const service = await startService(undefined, timer);
    cleanup.push(() => service.app.close());
    const client = new Communicator({reporting: {timer}});
    cleanup.push(() => client.close());
    const probe = client.stringToProxy(ProbeProxy, service.obj);
    await probe.echo('not counted');
    expect(client.statReporter).to.equal(undefined);
    expect(client.stats()).to.deep.equal({});
    expect(await service.app.runAdminCommand('tars.viewstatus')).to.include('none (no stat object configured)');
    expect(timer.size).to.equal(0);

    client.setProperty('stat', daemon.statObj);
    // A running server starts counting too once its communicator gets a stat object.
    service.app.communicator.setProperty('stat', daemon.statObj);
    await probe.echo('counted');
    await probe.echo('counted');
    await client.flushReports();
    await service.app.communicator.flushReports();
    expect(daemon.stat.lines(true)).to.deep.equal(['echo 0 tup_client: 2/0/0']);
    expect(daemon.stat.lines(false)).to.deep.equal(['echo 0 stat_from_server: 2/0/0']);
    service.app.communicator.setProperty('stat', '');

    client.setProperty('stat', '');
    // A bad object is a config error naming the key, and changes nothing.
    expect(() => client.setProperty('stat', 'tars.tarsstat.StatObj@tcp -h')).to.throw(
      /<client> stat = tars\.tarsstat\.StatObj@tcp -h: .*-h needs a host/);
    expect(client.properties.stat).to.equal(undefined);
    await probe.echo('not counted');
    await client.flushReports();
    expect(client.statReporter).to.equal(undefined);
    expect(timer.size).to.equal(0);
    expect(daemon.stat.calls).to.equal(2);
  });

  it('costs the calls nothing while the stat daemon is away: reports fail, calls are dropped and counted', async () => {
    const port = await freePort();
    const absent = `tars.tarsstat.StatObj@tcp -h 127.0.0.1 -p ${port} -t 60000`;
    const timer = new ManualReportTimer();
    const service = await startService(undefined, timer);
    cleanup.push(() => service.app.close());
    // Endpoint blocking retries a refused endpoint after 1 ms here (30 s by default), so the test need not wait.
    const client = new Communicator({stat: absent, reporting: {timer, maxKeys: 2, reportTimeout: 1000},
      blocking: {retryIntervalMs: 1}});
    cleanup.push(() => client.close());
    const probe = client.stringToProxy(ProbeProxy, service.obj);
    for (let i = 0; i < 50; i++) expect((await probe.echo(`x${i}`)).ret).to.equal(`x${i}`);
    await probe.whoami();
    // A third key is beyond the cap of 2: dropped and counted, the call itself unaffected.
    expect((await probe.route('a')).ret).to.equal(1);
    expect(client.stats().stat).to.include({keys: 2, dropped: 1});
    await client.flushReports();
    expect(client.stats().stat).to.include({keys: 2, reported: 0, dropped: 52, failed: 1, pending: 0});

    // The daemon comes back on that port: once the connection's back-off has passed, an interval gets through.
    const daemon = await startDaemon(port);
    cleanup.push(() => daemon.app.close());
    for (let round = 0; round < 100 && daemon.stat.calls === 0; round++) {
      await probe.echo('back');
      await client.flushReports();
      if (daemon.stat.calls === 0) await sleep(20);
    }
    expect(daemon.stat.lines(true)).to.deep.equal(['echo 0 tup_client: 1/0/0']);
    expect(client.stats().stat?.reported).to.equal(1);
  });

  it('sends the last interval when the server stops, and never waits more than a moment for a daemon that hangs',
    async () => {
      const daemon = await startDaemon();
      cleanup.push(() => daemon.app.close());
      const timer = new ManualReportTimer();
      const service = await startService(daemon.statObj, timer);
      const client = new Communicator();
      cleanup.push(() => client.close());
      await client.stringToProxy(ProbeProxy, service.obj).echo('last');
      await service.app.close();
      expect(daemon.stat.lines(false)).to.deep.equal(['echo 0 stat_from_server: 1/0/0']);

      // A "daemon" that accepts connections and never answers: the stop still ends.
      const net = await import('node:net');
      const sockets: import('node:net').Socket[] = [];
      const silent = net.createServer((s) => sockets.push(s));
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      cleanup.push(() => new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        silent.close(() => resolve());
      }));
      const hung = await startService(`tars.tarsstat.StatObj@tcp -h 127.0.0.1 -p ${
        (silent.address() as import('node:net').AddressInfo).port}`, timer);
      const hungObj = hung.obj;
      await client.stringToProxy(ProbeProxy, hungObj).echo('last');
      await hung.app.close();
      expect(hung.app.communicator.stats()).to.deep.equal({});
    });

  it('resolves the stat object through the locator like any object', async () => {
    const daemon = await startDaemon();
    cleanup.push(() => daemon.app.close());
    // A registry that knows only StatObj.
    const statPort = Number(/-p (\d+)/.exec(daemon.statObj)![1]);
    const asked: string[] = [];
    const registry = new FixedRegistry((id) => {
      asked.push(id);
      return id === 'tars.tarsstat.StatObj'
        ? [EndpointF.EndpointF.create({host: '127.0.0.1', port: statPort, timeout: 60000, istcp: 1})] : [];
    });
    const locator = Application.fromOptions({app: 'tars', server: 'tarsregistry', logger: new Logger('NONE'),
      adapters: [{servant: 'tars.tarsregistry.QueryObj', endpoint: 'tcp -h 127.0.0.1 -p 0 -t 60000'}]});
    locator.addServant(registry, 'tars.tarsregistry.QueryObj');
    await locator.start();
    cleanup.push(() => locator.close());
    const timer = new ManualReportTimer();
    const service = await startService(undefined, timer);
    cleanup.push(() => service.app.close());
    const client = new Communicator({locator: `tars.tarsregistry.QueryObj@tcp -h 127.0.0.1 -p ${
      locator.servantAdapters[0]!.endpoint.port}`, stat: 'tars.tarsstat.StatObj', reporting: {timer}});
    cleanup.push(() => client.close());
    await client.stringToProxy(ProbeProxy, service.obj).echo('hi');
    await client.flushReports();
    expect(asked).to.include('tars.tarsstat.StatObj');
    expect(daemon.stat.lines(true)).to.deep.equal(['echo 0 tup_client: 1/0/0']);
    // The locator's own QueryF calls are counted like any other object's.
    expect(client.stats().stat?.reported).to.be.at.least(1);
  });
});

describe('property reporting', function () {
  this.timeout(20000);
  const cleanup: (() => unknown)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  it('sends each policy\'s value to PropertyObj every interval, in TarsGo\'s formats', async () => {
    const daemon = await startDaemon();
    cleanup.push(() => daemon.app.close());
    const timer = new ManualReportTimer();
    const properties = new PropertyRegistry();
    const client = new Communicator({property: daemon.propertyObj, modulename: 'Test.PropSvc', localip: '127.0.0.1',
      setdivision: 'sz.a.1', reporting: {timer, properties}});
    cleanup.push(() => client.close());
    const latency = properties.create('latency', Sum(), Avg(), Count(), Max(), Min(), Distr([0, 10, 50, 100]));
    for (const v of [0, 3, 10, 12, 50, 400]) latency.report(v);
    properties.create('quiet', Sum());
    timer.advance();
    await until(() => daemon.property.reports.length === 1, 'a property report');
    const [{head, body}] = daemon.property.reports;
    expect(head).to.deep.equal({moduleName: 'Test.PropSvc.sza1', ip: '127.0.0.1', propertyName: 'latency',
      setName: 'sz', setArea: 'a', setID: '1', sContainer: '', iPropertyVer: 2});
    expect(body.vInfo).to.deep.equal([
      {policy: 'Sum', value: '475'}, {policy: 'Avg', value: '79.16666666666667'}, {policy: 'Count', value: '6'},
      {policy: 'Max', value: '400'}, {policy: 'Min', value: '3'}, {policy: 'Distr', value: '0|1,10|2,50|2,100|1'},
    ]);
    // The next interval starts from nothing: only what was reported since.
    latency.report(7);
    await client.flushReports();
    expect(daemon.property.reports[1]!.body.vInfo).to.deep.equal([
      {policy: 'Sum', value: '7'}, {policy: 'Avg', value: '7'}, {policy: 'Count', value: '1'},
      {policy: 'Max', value: '7'}, {policy: 'Min', value: '7'}, {policy: 'Distr', value: '0|0,10|1,50|0,100|0'},
    ]);
    expect(client.stats().property).to.include({reported: 2, dropped: 0, active: true, properties: 2});
  });

  it('createProperty reports through the server\'s communicator (the process-wide registry)', async () => {
    const daemon = await startDaemon();
    cleanup.push(() => daemon.app.close());
    const app = Application.fromText(`<tars>
    <application>
      <client>
        property = ${daemon.propertyObj}
        report-interval = 60000
      </client>
      <server>
        app = Test
        server = PropSvc
        localip = 127.0.0.1
        loglevel = NONE
      </server>
    </application>
    </tars>`);
    cleanup.push(() => app.close());
    const hits = createProperty('stat-test.hits', Count(), Sum());
    hits.report(2);
    hits.report(5);
    await app.communicator.flushReports();
    const mine = daemon.property.reports.filter((r) => r.head.propertyName === 'stat-test.hits');
    expect(mine.map((r) => [r.head.moduleName, r.body.vInfo])).to.deep.equal([['Test.PropSvc',
      [{policy: 'Count', value: '2'}, {policy: 'Sum', value: '7'}]]]);
    expect(defaultPropertyRegistry.owner).to.not.equal(undefined);
    await app.close();
    // Closing its communicator releases the registry for another one.
    expect(defaultPropertyRegistry.owner).to.equal(undefined);
  });
});
