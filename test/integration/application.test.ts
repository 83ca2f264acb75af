// The embeddable Application: built from options as from a file, onClose hooks, a start that fails half-way leaves
// nothing listening, listen errors as one line, and no process.exit anywhere in the runtime.
import {
  Application, Communicator, LOG_LEVELS, Logger, OPTIONS_SOURCE, TarsError, listenFailure, parseTarsConfig,
  serverConfigDomain, serverConfigFromOptions, serverConfigOf, writeTarsConfig,
} from '@tars-ts/core';
import {AdminF} from '@tars-ts/core/framework';
import {expect} from 'chai';
import net from 'node:net';

import {ProbeProxy} from '../golden/codegen/rpctestTars.js';
import {Probe} from '../support/probe.js';
import {connects, freePorts} from '../support/ports.js';
import {until} from '../support/wait.js';


/** A socket listening on `port` of 127.0.0.1, standing for another process that holds it. */
async function hold(port: number): Promise<net.Server> {
  const s = net.createServer();
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.listen(port, '127.0.0.1', resolve);
  });
  return s;
}


/** A logger that keeps its lines, to see what the application reported. */
function memoryLogger(): {logger: Logger; lines: string[]} {
  const lines: string[] = [];
  return {logger: new Logger('DEBUG', (line) => lines.push(line)), lines};
}

function rejection(p: Promise<unknown>): Promise<TarsError> {
  return p.then(() => expect.fail('expected a rejection'), (error: unknown) => {
    expect(error).to.be.instanceOf(TarsError);
    return error as TarsError;
  });
}

describe('Application.fromOptions', () => {
  it('gives the same ServerConfig as a config file with the same keys (defaults from one place)', () => {
    const text = `<tars>
  <application>
    enableset = y
    setdivision = gz.a.1
    <client>
      locator = tars.tarsregistry.QueryObj@tcp -h 127.0.0.1 -p 17890
      sync-invoke-timeout = 1500
      blocking-fail-ratio = 0.25
    </client>
    <server>
      app = tars
      server = tarsregistry
      local = tcp -h 127.0.0.1 -p 0 -t 10000
      logpath = /tmp/logs
      loglevel = warn
      reflection = n
      <tars.tarsregistry.QueryObjAdapter>
        endpoint = tcp -h 127.0.0.1 -p 17890 -t 60000
        servant = tars.tarsregistry.QueryObj
        queuecap = 10000
        allow = 127.0.0.1;10.0.0.*
      </tars.tarsregistry.QueryObjAdapter>
      <Reg>
        endpoint = udp -h 127.0.0.1 -p 17891
        servant = tars.tarsregistry.RegistryObj
        protocol = not_tars
      </Reg>
    </server>
  </application>
</tars>
`;
    const fromFile = serverConfigOf(parseTarsConfig(text, 'x.conf'), 'x.conf');
    const fromOptions = serverConfigFromOptions({
      app: 'tars', server: 'tarsregistry', local: 'tcp -h 127.0.0.1 -p 0 -t 10000', logpath: '/tmp/logs',
      loglevel: 'warn', reflection: false, enableset: true, setdivision: 'gz.a.1',
      client: {locator: 'tars.tarsregistry.QueryObj@tcp -h 127.0.0.1 -p 17890', syncInvokeTimeout: 1500,
        blocking: {failRatio: 0.25}},
      adapters: [
        {servant: 'QueryObj', endpoint: 'tcp -h 127.0.0.1 -p 17890 -t 60000', queuecap: 10000,
          allow: ['127.0.0.1', '10.0.0.*']},
        {name: 'Reg', servant: 'tars.tarsregistry.RegistryObj', endpoint: fromFile.adapters[1].endpoint,
          protocol: 'not_tars'},
      ],
    });
    const {raw: _r1, file: file1, ...a} = fromFile;
    const {raw: _r2, file: file2, ...b} = fromOptions;
    expect(b).to.deep.equal(a);
    expect([file1, file2]).to.deep.equal(['x.conf', OPTIONS_SOURCE]);
    // The defaults a file gets for what it leaves out, the options get too.
    expect(fromOptions.adapters[1]).to.include({maxconns: 128, queuecap: 1024, queuetimeout: 10000, concurrency: 1024});
    expect(fromOptions.client.asyncInvokeTimeout).to.equal(5000);
  });

  it('the tree of the options writes as a config file that reads back the same', () => {
    const options = {app: 'A', server: 'S', local: 'tcp -h 127.0.0.1 -p 0',
      adapters: [{servant: 'EchoObj', endpoint: 'tcp -h 127.0.0.1 -p 0', maxconns: 7}]};
    const text = writeTarsConfig(serverConfigDomain(options));
    const {raw: _a, file: _f, ...fromText} = serverConfigOf(parseTarsConfig(text));
    const {raw: _b, file: _g, ...fromOptions} = serverConfigFromOptions(options);
    expect(fromText).to.deep.equal(fromOptions);
    expect(fromOptions.adapters[0]).to.include({name: 'A.S.EchoObjAdapter', servant: 'A.S.EchoObj', maxconns: 7});
  });

  for (const [what, options, message] of [
    ['no app', {server: 'S'}, /server options: app is required/],
    ['a dotted server name', {app: 'A', server: 'S.x'}, /server options: server "S\.x" is not a valid name/],
    ['an adapter without an endpoint', {app: 'A', server: 'S', adapters: [{servant: 'EchoObj'}]},
      /server options: adapters\[0\] \(A\.S\.EchoObj\) needs an endpoint/],
    ['a bad endpoint', {app: 'A', server: 'S', adapters: [{servant: 'EchoObj', endpoint: 'tcp -p 1'}]},
      /server options: adapter <A\.S\.EchoObjAdapter>: bad endpoint "tcp -p 1"/],
    ['a fractional queuecap', {app: 'A', server: 'S', adapters: [{servant: 'EchoObj', endpoint: 'tcp -h h -p 1',
      queuecap: 1.5}]}, /server options: adapters\[0\]\.queuecap must be a non-negative integer \(got 1\.5\)/],
    ['a servant of another server', {app: 'A', server: 'S', adapters: [{servant: 'B.T.EchoObj',
      endpoint: 'tcp -h h -p 1'}]}, /which is not a servant of A\.S/],
    ['two adapters of one name', {app: 'A', server: 'S', adapters: [{servant: 'X', endpoint: 'tcp -h h -p 1'},
      {servant: 'A.S.X', endpoint: 'tcp -h h -p 2'}]}, /adapters\[1\]: a second adapter named A\.S\.XAdapter/],
  ] as const) {
    it(`rejects ${what} with a CONFIG_INVALID error naming the option`, () => {
      let caught: unknown;
      try {
        Application.fromOptions(options as unknown as Parameters<typeof Application.fromOptions>[0]);
      } catch (error) {
        caught = error;
      }
      expect(caught).to.be.instanceOf(TarsError);
      expect((caught as TarsError).code).to.equal('CONFIG_INVALID');
      expect((caught as TarsError).message).to.match(message);
    });
  }

  it('serves, with the application options (logger) taken from the same object', async () => {
    const {logger, lines} = memoryLogger();
    const app = Application.fromOptions({app: 'RpcTest', server: 'ProbeServer', logger, graceMs: 500,
      adapters: [{servant: 'ProbeObj', endpoint: 'tcp -h 127.0.0.1 -p 0 -t 60000'}]});
    app.addServant(new Probe(), 'RpcTest.ProbeServer.ProbeObj');
    await app.start();
    const comm = new Communicator();
    try {
      const {port} = app.adapter('RpcTest.ProbeServer.ProbeObjAdapter')!.endpoint;
      const probe = comm.stringToProxy(ProbeProxy, `RpcTest.ProbeServer.ProbeObj@tcp -h 127.0.0.1 -p ${port}`);
      expect(await probe.echo('options')).to.deep.equal({ret: 'options'});
    } finally {
      comm.close();
      await app.close();
    }
    expect(app.logger).to.equal(logger);
    expect(lines.some((l) => l.endsWith('|INFO|RpcTest.ProbeServer started'))).to.equal(true);
    expect(LOG_LEVELS).to.include(logger.level);
  });
});

describe('Application.onClose', () => {
  it('runs the hooks once, in order, after the adapters stopped; a throwing hook is logged, the rest still run',
    async () => {
      const {logger, lines} = memoryLogger();
      const app = Application.fromOptions({app: 'A', server: 'S', logger, local: 'tcp -h 127.0.0.1 -p 0',
        adapters: [{servant: 'ProbeObj', endpoint: 'tcp -h 127.0.0.1 -p 0'}]});
      app.addServant(new Probe(), 'A.S.ProbeObj');
      await app.start();
      const port = app.servantAdapters[0].endpoint.port;
      const adminPort = app.admin!.endpoint.port;
      const ran: string[] = [];
      app.onClose(async () => {
        // Nothing listens any more when the hooks run.
        ran.push(`first ${await connects(port)} ${await connects(adminPort)}`);
      }).onClose(() => {
        throw new Error('hook broke');
      }).onClose(() => Promise.reject(new Error('async hook broke'))).onClose(() => {
        ran.push('last');
      });
      await Promise.all([app.close(), app.close()]);
      await app.close();
      expect(ran).to.deep.equal(['first false false', 'last']);
      expect(lines.filter((l) => l.includes('|ERROR|'))).to.have.length(2);
      expect(lines.some((l) => l.endsWith('|ERROR|A.S: close hook 2 failed: hook broke'))).to.equal(true);
      expect(lines.some((l) => l.endsWith('|ERROR|A.S: close hook 3 failed: async hook broke'))).to.equal(true);
      expect(lines.at(-1)).to.match(/\|INFO\|A\.S stopped$/);
    });

  it('AdminObj.shutdown closes the application (hooks run) and leaves the process to its owner', async () => {
    const app = Application.fromOptions({app: 'A', server: 'S', logger: new Logger('NONE'),
      local: 'tcp -h 127.0.0.1 -p 0', adapters: []});
    await app.start();
    let closed = false;
    app.onClose(() => {
      closed = true;
    });
    const comm = new Communicator();
    try {
      const admin = comm.stringToProxy(AdminF.AdminFProxy, `AdminObj@tcp -h 127.0.0.1 -p ${app.admin!.endpoint.port}`);
      await admin.shutdown();
      // Were the process exited, this test (and the whole run) would end here.
      await until(() => closed, 'the onClose hook ran');
    } finally {
      comm.close();
    }
    const error = await rejection(app.start());
    expect(error.code).to.equal('CLOSED');
  });
});

describe('Application.start, when an adapter cannot listen', () => {
  const held: net.Server[] = [];
  const apps: Application[] = [];

  afterEach(async () => {
    await Promise.all(apps.map((a) => a.close()));
    apps.length = 0;
    await Promise.all(held.map((s) => new Promise((r) => s.close(r))));
    held.length = 0;
  });

  function twoAdapters(ports: number[], local: number, file?: string): Application {
    const config = `<tars><application><server>
      app = A
      server = S
      local = tcp -h 127.0.0.1 -p ${local}
      <A.S.OneObjAdapter>
        endpoint = tcp -h 127.0.0.1 -p ${ports[0]}
        servant = A.S.OneObj
      </A.S.OneObjAdapter>
      <A.S.TwoObjAdapter>
        endpoint = tcp -h 127.0.0.1 -p ${ports[1]}
        servant = A.S.TwoObj
      </A.S.TwoObjAdapter>
    </server></application></tars>`.replaceAll(/></g, '>\n<');
    const app = file === undefined ? Application.fromText(config, {logger: new Logger('NONE')})
      : new Application(serverConfigOf(parseTarsConfig(config, file), file), {logger: new Logger('NONE')});
    app.addServant(new Probe(), 'A.S.OneObj').addServant(new Probe(), 'A.S.TwoObj');
    apps.push(app);
    return app;
  }

  it('a later adapter failing closes the ones already opened, with one line naming adapter, endpoint and fix',
    async () => {
      const [one, two, admin] = await freePorts(3);
      held.push(await hold(two));
      const app = twoAdapters([one, two], admin, 'config.conf');
      const error = await rejection(app.start());
      expect(error.code).to.equal('LISTEN_ADDRESS_IN_USE');
      expect(error.message).to.equal(`adapter A.S.TwoObjAdapter cannot listen on tcp -h 127.0.0.1 -p ${two}: the ` +
        'address is in use (another process listens there); change its endpoint in config.conf or stop the other ' +
        'process');
      expect(error.message).to.not.include('\n');
      expect(await connects(one)).to.equal(false);
      expect(await connects(admin)).to.equal(false);
      expect(app.servantAdapters).to.have.length(0);
      expect(app.admin).to.equal(undefined);

      // Once the port is free, start may be tried again.
      await new Promise((r) => held.pop()!.close(r));
      await app.start();
      expect([await connects(one), await connects(two), await connects(admin)]).to.deep.equal([true, true, true]);
    });

  it('the admin endpoint failing closes every servant adapter; the fix names local', async () => {
    const [one, two, admin] = await freePorts(3);
    held.push(await hold(admin));
    const app = twoAdapters([one, two], admin, 'config.conf');
    const error = await rejection(app.start());
    expect(error.code).to.equal('LISTEN_ADDRESS_IN_USE');
    expect(error.message).to.match(new RegExp(`^adapter AdminAdapter cannot listen on tcp -h 127\\.0\\.0\\.1 -p ${admin}: ` +
      '.*; change local in config\\.conf or stop the other process$'));
    expect(await connects(one)).to.equal(false);
    expect(await connects(two)).to.equal(false);
  });

  it('an address this machine does not have is LISTEN_ADDRESS_NOT_AVAILABLE', async () => {
    // 192.0.2.1 is TEST-NET-1 (RFC 5737): never an address of a real machine.
    const app = Application.fromOptions({app: 'A', server: 'S', logger: new Logger('NONE'),
      adapters: [{servant: 'OneObj', endpoint: 'tcp -h 192.0.2.1 -p 0'}]});
    app.addServant(new Probe(), 'A.S.OneObj');
    apps.push(app);
    const error = await rejection(app.start());
    expect(error.code).to.equal('LISTEN_ADDRESS_NOT_AVAILABLE');
    expect(error.message).to.equal('adapter A.S.OneObjAdapter cannot listen on tcp -h 192.0.2.1 -p 0: 192.0.2.1 is ' +
      'not an address of this machine; change its endpoint to 127.0.0.1, 0.0.0.0 or one of its addresses');
  });

  it('listenFailure words each system error, keeping it as the cause', () => {
    const ep = {protocol: 'tcp' as const, host: '127.0.0.1', port: 80, timeout: 3000, weight: -1, weightType: 0,
      grid: 0, qos: 0, authType: 0};
    const errno = (code: string): NodeJS.ErrnoException => Object.assign(new Error(`listen ${code}`), {code});
    const denied = listenFailure('X', ep, errno('EACCES'), '--port');
    expect(denied.code).to.equal('LISTEN_PERMISSION_DENIED');
    expect(denied.message).to.equal('adapter X cannot listen on tcp -h 127.0.0.1 -p 80: permission denied (ports ' +
      'below 1024 need privileges); change --port to a port above 1023');
    expect((denied.cause as Error).message).to.equal('listen EACCES');
    const other = listenFailure('X', ep, errno('EMFILE'));
    expect(other.code).to.equal('LISTEN_FAILED');
    expect(other.message).to.equal('adapter X cannot listen on tcp -h 127.0.0.1 -p 80: listen EMFILE; check its ' +
      'endpoint');
  });
});
