// What a service sends to the log and notify daemons by itself (framework.md 3.4, 3.5): day logs through LogF in
// order and complete, bounded when the daemon is away, flushed on close; dyed requests logged to the dye log on
// every hop with the dye carried to the next call; "restart"/"stop" and business alerts through NotifyF. Real
// applications on 127.0.0.1 ephemeral ports; the daemons are LogF/NotifyF servants from the generated stubs.
import {expect} from 'chai';
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs';
import net from 'node:net';
import {tmpdir} from 'node:os';
import path from 'node:path';

import {
  Application, type CallContext, Communicator, DYE_LOG_DIR, ManualReportTimer, StatusKey, logDateSuffix,
} from '@tars-ts/core';
import {NotifyF} from '@tars-ts/core/framework';

import {ProbeProxy, type Probe$Results} from '../golden/codegen/rpctestTars.js';
import {type LogDaemon, startLogDaemon} from '../support/log-daemon.js';
import {Probe} from '../support/probe.js';
import {testConfig} from '../support/test-server.js';
import {until} from '../support/wait.js';

/** A port nothing listens on (bound, then released). */
async function deadPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const {port} = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

function application(app: string, server: string, obj: string, extra: string,
  options: ConstructorParameters<typeof Application>[1] = {}): Application {
  return Application.fromText(testConfig(app, server, [obj], {server: extra}), {graceMs: 500, ...options});
}

describe('runtime logging, dyeing and notify', function () {
  this.timeout(30_000);
  let daemon: LogDaemon;
  let dir: string;
  const apps: Application[] = [];
  const comms: Communicator[] = [];

  beforeEach(async () => {
    daemon = await startLogDaemon();
    dir = mkdtempSync(path.join(tmpdir(), 'tars-rtlog-'));
  });

  afterEach(async () => {
    for (const c of comms.splice(0)) c.close();
    await Promise.all(apps.splice(0).map((a) => a.close()));
    await daemon.close();
    rmSync(dir, {recursive: true, force: true});
  });

  describe('remote day logs (LogF.loggerbyInfo)', () => {
    it('every line arrives, in order, under the official LogInfo, and the local day file has them too', async () => {
      const app = application('Log', 'Server', 'Log.Server.ProbeObj', `logpath = ${dir}\n      log = ${daemon.logObj}`,
        {remoteLog: {batchLines: 500}});
      app.addServant(new Probe(), 'Log.Server.ProbeObj');
      apps.push(app);
      await app.start();
      const access = app.dayLogger('access');
      for (let i = 0; i < 5000; i++) access.write(`request ${i}`);
      await until(() => app.remoteLogStats!.sent === 5000, 'all 5000 lines sent');
      const got = daemon.log.lines('Log', 'Server', 'access');
      // Each line as TarsCpp and @tars/winston-tars send it: `time|text` with its newline.
      expect(got.every((l) => /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\|request \d+\n$/.test(l))).to.equal(true);
      expect(got.map((l) => Number(l.split('|')[1]!.slice('request '.length))))
        .to.deep.equal(Array.from({length: 5000}, (_, i) => i));
      const call = daemon.log.calls.find((c) => c.file === 'access')!;
      expect(call.func).to.equal('loggerbyInfo');
      expect(call.info).to.include({appname: 'Log', servername: 'Server', sFilename: 'access', sFormat: '%Y%m%d',
        sLogType: '1day', bHasSufix: true, bHasAppNamePrefix: true, sConcatStr: '_', sSepar: '|'});
      expect(daemon.log.calls.every((c) => c.lines.length <= 500)).to.equal(true);
      expect(app.remoteLogStats).to.include({dropped: 0, buffered: 0});
      const local = path.join(dir, 'Log', 'Server', `Log.Server_access_${logDateSuffix(new Date())}.log`);
      expect(readFileSync(local, 'utf8').trim().split('\n')).to.have.length(5000);
    });

    it('the default day log is file "", levels follow tars.setloglevel', async () => {
      const app = application('Log', 'Server', 'Log.Server.ProbeObj', `log = ${daemon.logObj}\n      loglevel = INFO\n      logpath = ${dir}`);
      app.addServant(new Probe(), 'Log.Server.ProbeObj');
      apps.push(app);
      await app.start();
      const day = app.dayLogger();
      day.debug('hidden');
      day.info('shown');
      await app.runAdminCommand('tars.setloglevel DEBUG');
      day.debug('now shown');
      await until(() => daemon.log.lines('Log', 'Server').length === 2, 'two lines');
      expect(daemon.log.lines('Log', 'Server').map((l) => l.split('|').slice(1).join('|')))
        .to.deep.equal([`${process.pid}|INFO|shown\n`, `${process.pid}|DEBUG|now shown\n`]);
      expect(() => app.dayLogger('../etc')).to.throw(/plain name/);
    });

    it('with the daemon away: the service goes on, the buffer stays bounded and the loss is counted', async () => {
      const port = await deadPort();
      const timer = new ManualReportTimer();
      const app = application('Log', 'Server', 'Log.Server.ProbeObj',
        `log = tars.tarslog.LogObj@tcp -h 127.0.0.1 -p ${port} -t 3000`,
        {remoteLog: {maxBuffered: 200, batchLines: 100000, timer}});
      app.addServant(new Probe(), 'Log.Server.ProbeObj');
      apps.push(app);
      await app.start();
      for (let i = 0; i < 1000; i++) app.dayLogger('access').write(`line ${i}`);
      expect(app.remoteLogStats).to.include({buffered: 200, dropped: 800});
      // The service still answers while the log daemon is away.
      const comm = new Communicator();
      comms.push(comm);
      const proxy = comm.stringToProxy(ProbeProxy, `Log.Server.ProbeObj@${formatOf(app)}`);
      expect(await proxy.echo('still here')).to.deep.equal({ret: 'still here'});
      timer.advance();
      await until(() => app.remoteLogStats!.buffered === 0, 'the failed batch settled');
      expect(app.remoteLogStats).to.include({sent: 0, dropped: 1000, failedBatches: 1});
      expect(app.status()).to.match(/remote log: +sent 0 lines in 1 calls \(1 failed\), dropped 1000/);
    });

    it('close sends what is buffered (no timer tick needed)', async () => {
      const timer = new ManualReportTimer();
      const app = application('Log', 'Server', 'Log.Server.ProbeObj', `log = ${daemon.logObj}`,
        {remoteLog: {timer, intervalMs: 3_600_000}});
      app.addServant(new Probe(), 'Log.Server.ProbeObj');
      await app.start();
      for (let i = 0; i < 10; i++) app.dayLogger('last').write(`bye ${i}`);
      expect(daemon.log.calls).to.have.length(0);
      await app.close();
      expect(daemon.log.lines('Log', 'Server', 'last').map((l) => l.split('|')[1]))
        .to.deep.equal(Array.from({length: 10}, (_, i) => `bye ${i}\n`));
    });
    it('a log daemon that never answers cannot hold the stop: close gives up after its bounded wait', async () => {
      daemon.log.hang = true;
      const app = application('Log', 'Server', 'Log.Server.ProbeObj', `log = ${daemon.logObj}`,
        {remoteLog: {intervalMs: 3_600_000}});
      app.addServant(new Probe(), 'Log.Server.ProbeObj');
      await app.start();
      app.dayLogger('stuck').write('never answered');
      await app.close();
      // The call was made (the daemon holds it); the line is still counted as buffered, none as sent.
      expect(daemon.log.lines('Log', 'Server', 'stuck')).to.have.length(1);
      expect(app.remoteLogStats).to.include({sent: 0, buffered: 1});
      daemon.log.hang = false;
    });
  });

  describe('dyeing', () => {
    it('a dyed call is logged on both hops and carries its key to the second; an undyed one carries none', async () => {
      const seenByB: {dyeKey: string; status: string}[] = [];
      // B: records what each call carried, logs while serving.
      class B extends Probe {
        app!: Application;
        override whoami(ctx: CallContext): Probe$Results['whoami'] {
          this.app.logger.info(`B serving whoami`);
          seenByB.push({dyeKey: ctx.dyeKey ?? '', status: ctx.status.get(StatusKey.DYED) ?? ''});
          return super.whoami(ctx);
        }
      }
      // A: logs, then calls B (after an await, so the dye must survive an async hop).
      class A extends Probe {
        app!: Application;
        next!: ProbeProxy;
        override async echo(s: string): Promise<Probe$Results['echo']> {
          this.app.logger.debug(`A echo ${s}`);
          await new Promise((r) => setTimeout(r, 1));
          const {ret} = await this.next.whoami();
          return {ret: `${s}:${ret.dyeKey}`};
        }
      }
      const dirA = path.join(dir, 'a');
      const dirB = path.join(dir, 'b');
      const b = new B();
      const appB = application('Dye', 'B', 'Dye.B.ProbeObj', `logpath = ${dirB}\n      log = ${daemon.logObj}`);
      b.app = appB;
      appB.addServant(b, 'Dye.B.ProbeObj');
      apps.push(appB);
      await appB.start();
      const a = new A();
      const appA = application('Dye', 'A', 'Dye.A.ProbeObj', `logpath = ${dirA}\n      log = ${daemon.logObj}`);
      a.app = appA;
      a.next = appA.communicator.stringToProxy(ProbeProxy, `Dye.B.ProbeObj@${formatOf(appB)}`);
      appA.addServant(a, 'Dye.A.ProbeObj');
      apps.push(appA);
      await appA.start();

      const comm = new Communicator();
      comms.push(comm);
      const proxy = comm.stringToProxy(ProbeProxy, `Dye.A.ProbeObj@${formatOf(appA)}`);
      // Dyed and undyed calls at the same time: the dye must not leak from one request to another.
      const results = await Promise.all([proxy.echo('d1', {dyeKey: 'K1'}), proxy.echo('u1'),
        proxy.echo('d2', {dyeKey: 'K2'}), proxy.echo('u2')]);
      expect(results.map((r) => r.ret)).to.deep.equal(['d1:K1', 'u1:', 'd2:K2', 'u2:']);
      expect(seenByB.map((s) => `${s.dyeKey}/${s.status}`).sort()).to.deep.equal(['/', '/', 'K1/K1', 'K2/K2']);

      const today = logDateSuffix(new Date());
      const dyeFile = (root: string): string[] => readFileSync(path.join(root, DYE_LOG_DIR, `dyeing_${today}.log`),
        'utf8').trim().split('\n');
      const linesA = dyeFile(dirA);
      const linesB = dyeFile(dirB);
      // <App>.<Server>|<time>|<LEVEL>|<key>|<message>
      expect(linesA.map((l) => l.split('|')).map(([who, , level, key, msg]) => `${who} ${level} ${key} ${msg}`).sort())
        .to.deep.equal(['Dye.A DEBUG K1 A echo d1', 'Dye.A DEBUG K2 A echo d2',
          'Dye.A INFO K1 served Dye.A.ProbeObj.echo for 127.0.0.1',
          'Dye.A INFO K2 served Dye.A.ProbeObj.echo for 127.0.0.1']);
      expect(linesB.map((l) => l.split('|')).map(([who, , , key, msg]) => `${who} ${key} ${msg}`).sort())
        .to.deep.equal(['Dye.B K1 B serving whoami', 'Dye.B K1 served Dye.B.ProbeObj.whoami for 127.0.0.1',
          'Dye.B K2 B serving whoami', 'Dye.B K2 served Dye.B.ProbeObj.whoami for 127.0.0.1']);
      // The remote dye log: LogF.logger("tars_dyeing", "dyeing", "day", "%Y%m%d", lines) from both hops.
      await until(() => daemon.log.lines('tars_dyeing', 'dyeing', 'day').length === 8, 'eight remote dye lines');
      const remote = daemon.log.lines('tars_dyeing', 'dyeing', 'day');
      expect(remote.filter((l) => l.startsWith('Dye.A|'))).to.have.length(4);
      expect(remote.every((l) => l.endsWith('\n'))).to.equal(true);
      expect(remote.filter((l) => l.startsWith('Dye.B|'))).to.have.length(4);
      expect(daemon.log.calls.find((c) => c.app === 'tars_dyeing')).to.include({func: 'logger', format: '%Y%m%d'});
      // The LogF calls themselves are not dyed (they are background work, not part of the request).
      expect(remote.every((l) => !l.includes('tars.tarslog'))).to.equal(true);
    });

    it('without dyed calls nothing is written to the dye log', async () => {
      const app = application('Dye', 'C', 'Dye.C.ProbeObj', `logpath = ${dir}`);
      app.addServant(new Probe(), 'Dye.C.ProbeObj');
      apps.push(app);
      await app.start();
      const comm = new Communicator();
      comms.push(comm);
      const seen = await comm.stringToProxy(ProbeProxy, `Dye.C.ProbeObj@${formatOf(app)}`).whoami();
      expect(seen.ret.dyeKey).to.equal('');
      expect(seen.ret.status.has(StatusKey.DYED)).to.equal(false);
      expect(app.dyeLines).to.equal(0);
      expect(existsSync(path.join(dir, DYE_LOG_DIR))).to.equal(false);
    });
  });

  describe('notify (NotifyF.reportNotifyInfo)', () => {
    it('reports "restart" once serving and "stop" when closing, as TarsCpp; business alerts with their level',
      async () => {
        const app = application('Note', 'Server', 'Note.Server.ProbeObj', `notify = ${daemon.notifyObj}\n` +
          '      nodename = node-7');
        app.addServant(new Probe(), 'Note.Server.ProbeObj');
        await app.start();
        await until(() => daemon.notify.reports.length === 1, 'the restart report');
        app.notify('error', 'disk almost full');
        app.notify('warn', 'slow backend');
        app.report('[alarm] something odd');
        await until(() => daemon.notify.reports.length === 4, 'the alerts');
        await app.close();
        const {REPORT, NOTIFY} = NotifyF.ReportType;
        const {NOTIFYNORMAL, NOTIFYWARN, NOTIFYERROR} = NotifyF.NOTIFYLEVEL;
        expect(daemon.notify.summary()).to.deep.equal([
          `Note.Server ${REPORT}/${NOTIFYNORMAL} restart`,
          `Note.Server ${NOTIFY}/${NOTIFYERROR} disk almost full`,
          `Note.Server ${NOTIFY}/${NOTIFYWARN} slow backend`,
          `Note.Server ${REPORT}/${NOTIFYNORMAL} [alarm] something odd`,
          `Note.Server ${REPORT}/${NOTIFYNORMAL} stop`,
        ]);
        expect(daemon.notify.reports[0]).to.include({sNodeName: 'node-7', sThreadId: String(process.pid), sSet: ''});
        expect(app.notifyStats).to.include({sent: 5, failed: 0, dropped: 0});
      });

    it('a notify daemon that is away costs a counter, never the start or the stop', async () => {
      const port = await deadPort();
      const app = application('Note', 'Server', 'Note.Server.ProbeObj',
        `notify = tars.tarsnotify.NotifyObj@tcp -h 127.0.0.1 -p ${port}`);
      app.addServant(new Probe(), 'Note.Server.ProbeObj');
      await app.start();
      app.notify('error', 'nobody hears this');
      await app.close();
      // restart, the alert and stop: each given up at the stop (reports wait for their next try behind the first
      // that failed, and a closed application tries no more) or still on its way.
      expect(app.notifyStats).to.include({sent: 0, retrying: 0});
      expect(app.notifyStats!.failed).to.be.at.least(1);
      expect(app.notifyStats!.dropped + app.notifyStats!.pending).to.equal(3);
    });
  });
});

/** `tcp -h 127.0.0.1 -p <port>` of the application's one servant adapter. */
function formatOf(app: Application): string {
  const ep = app.servantAdapters[0]!.endpoint;
  return `tcp -h ${ep.host} -p ${ep.port}`;
}
