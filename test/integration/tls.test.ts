// ssl endpoints: our server listening with TLS (certificates from the config file as TarsCpp and TarsGo name them)
// and our client connecting with TLS; verify-client; the hostile and mistaken cases (wrong CA, wrong host, a
// plaintext client on the TLS port, a TLS client on a plaintext port, missing files); istcp 2 from the registry.
import {expect} from 'chai';
import {rmSync} from 'node:fs';
import net from 'node:net';

import {
  ADAPTER_DEFAULTS, Application, type ClientTlsSettings, Communicator, Dispatcher, ReturnCode, ServantAdapter,
  TarsCallError, TarsError, formatEndpoint, fromEndpointF, parseEndpoint,
} from '@tars-ts/core';
import {EndpointF as EndpointFFile} from '@tars-ts/core/framework';

import {ProbeProxy} from '../golden/codegen/rpctestTars.js';
import {FixedRegistry} from '../support/fixed-registry.js';
import {Probe} from '../support/probe.js';
import {freePort} from '../support/ports.js';
import {startServer} from '../support/test-server.js';
import {type TestCerts, haveOpenssl, makeTestCerts} from '../support/tls-certs.js';

const OBJ = 'RpcTest.ProbeServer.ProbeObj';
const PLAIN_OBJ = 'RpcTest.ProbeServer.PlainObj';

/** A config with an ssl adapter for OBJ and a tcp one for PLAIN_OBJ; `server` and `adapter` add keys. */
function tlsConfig(server: string, adapter = ''): string {
  return `<tars>
  <application>
    <server>
      app = RpcTest
      server = ProbeServer
      local = tcp -h 127.0.0.1 -p 0 -t 10000
      loglevel = NONE
${server}
      <${OBJ}Adapter>
        endpoint = ssl -h 127.0.0.1 -p 0 -t 60000
        servant = ${OBJ}
${adapter}
      </${OBJ}Adapter>
      <${PLAIN_OBJ}Adapter>
        endpoint = tcp -h 127.0.0.1 -p 0 -t 60000
        servant = ${PLAIN_OBJ}
      </${PLAIN_OBJ}Adapter>
    </server>
  </application>
</tars>
`;
}

async function failure(p: Promise<unknown>): Promise<TarsCallError> {
  try {
    await p;
  } catch (error) {
    expect(error).to.be.instanceOf(TarsCallError);
    return error as TarsCallError;
  }
  return expect.fail('the call should have failed');
}

function errorOf(f: () => unknown): Error {
  try {
    f();
  } catch (error) {
    return error as Error;
  }
  return expect.fail('it should have thrown');
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (error) {
    return error as Error;
  }
  return expect.fail('it should have rejected');
}

describe('TLS: ssl endpoints', function () {
  this.timeout(30_000);
  let certs: TestCerts;
  const apps: Application[] = [];
  const comms: Communicator[] = [];

  before(function () {
    // Certificates are made with the openssl command; without it there is nothing to test with.
    if (!haveOpenssl()) this.skip();
    certs = makeTestCerts();
  });

  after(() => {
    if (certs) rmSync(certs.dir, {recursive: true, force: true});
  });

  afterEach(async () => {
    for (const c of comms.splice(0)) c.close();
    await Promise.all(apps.splice(0).map((a) => a.close()));
  });

  /** Starts the app of `text` with a Probe on each adapter. */
  async function serve(text: string): Promise<{app: Application; probe: Probe; plain: Probe; ssl: string;
    tcp: string}> {
    const app = Application.fromText(text, {graceMs: 500});
    const probe = new Probe();
    const plain = new Probe();
    app.addServant(probe, OBJ).addServant(plain, PLAIN_OBJ);
    apps.push(app);
    await app.start();
    const at = (obj: string): string => `${obj}@${formatEndpoint(app.servantAdapters.find((a) => a.config.servant ===
      obj)!.endpoint)}`;
    return {app, probe, plain, ssl: at(OBJ), tcp: at(PLAIN_OBJ)};
  }

  function client(tls?: ClientTlsSettings): Communicator {
    const comm = new Communicator({...(tls ? {tls} : {}), syncInvokeTimeout: 5000});
    comms.push(comm);
    return comm;
  }

  function serverKeys(extra = ''): string {
    return `      cert = ${certs.serverCert}\n      key = ${certs.serverKey}\n${extra}`;
  }

  it('echoes over ssl with the <server> cert and key; the tcp adapter beside it stays plaintext', async () => {
    const s = await serve(tlsConfig(serverKeys()));
    expect(s.ssl).to.match(/@ssl -h 127\.0\.0\.1 -p \d+/);
    const comm = client({ca: certs.ca});
    const proxy = comm.stringToProxy(ProbeProxy, s.ssl);
    expect(await proxy.echo('over tls')).to.deep.equal({ret: 'over tls'});
    // Many calls in flight on the one TLS connection, large ones too (several TLS records per frame).
    const big = 'x'.repeat(200_000);
    const answers = await Promise.all(Array.from({length: 50}, (_, i) => proxy.echo(i % 10 === 0 ? big : `n${i}`)));
    expect(answers.map((a) => a.ret.length)).to.deep.equal(Array.from({length: 50}, (_, i) =>
      (i % 10 === 0 ? big.length : `n${i}`.length)));
    expect(s.app.servantAdapters.find((a) => a.config.servant === OBJ)!.stats.connections).to.equal(1);
    // The plain adapter takes a plaintext client.
    expect(await comm.stringToProxy(ProbeProxy, s.tcp).echo('plain')).to.deep.equal({ret: 'plain'});
  });

  it('an adapter\'s own cert and key come before the <server> ones', async () => {
    // <server> has the certificate of the other CA; the adapter its own, of the CA the client trusts.
    const s = await serve(tlsConfig(`      cert = ${certs.otherServerCert}\n      key = ${certs.otherServerKey}`,
      serverKeys()));
    expect(await client({ca: certs.ca}).stringToProxy(ProbeProxy, s.ssl).echo('own')).to.deep.equal({ret: 'own'});
  });

  it('a server built from options (no file) takes tls for its adapters', async () => {
    const app = Application.fromOptions({app: 'RpcTest', server: 'ProbeServer', loglevel: 'NONE',
      adapters: [{servant: 'ProbeObj', endpoint: 'ssl -h 127.0.0.1 -p 0 -t 60000',
        tls: {cert: certs.serverCert, key: certs.serverKey, ca: certs.ca, verifyClient: true}}]});
    app.addServant(new Probe(), OBJ);
    apps.push(app);
    await app.start();
    const at = `${OBJ}@${formatEndpoint(app.servantAdapters[0]!.endpoint)}`;
    expect(await client({ca: certs.ca, cert: certs.clientCert, key: certs.clientKey}).stringToProxy(ProbeProxy, at)
      .echo('opts')).to.deep.equal({ret: 'opts'});
    const refused = await failure(client({ca: certs.ca}).stringToProxy(ProbeProxy, at).echo('no cert'));
    expect(refused.returnCode).to.be.oneOf([ReturnCode.TARSPROXYCONNECTERR, ReturnCode.TARSSENDREQUESTERR]);
  });

  describe('verifyclient = 1', () => {
    it('refuses a client with no certificate or one of another CA; serves one with a certificate of ca', async () => {
      const s = await serve(tlsConfig(serverKeys(`      ca = ${certs.ca}\n      verifyclient = 1`)));
      const none = await failure(client({ca: certs.ca}).stringToProxy(ProbeProxy, s.ssl).echo('no cert'));
      expect(none.returnCode).to.be.oneOf([ReturnCode.TARSPROXYCONNECTERR, ReturnCode.TARSSENDREQUESTERR]);
      expect(none.what).to.match(/certificate/i);
      const other = await failure(client({ca: certs.ca, cert: certs.otherClientCert, key: certs.otherClientKey})
        .stringToProxy(ProbeProxy, s.ssl).echo('other ca'));
      expect(other.returnCode).to.be.oneOf([ReturnCode.TARSPROXYCONNECTERR, ReturnCode.TARSSENDREQUESTERR]);
      expect(s.probe.calls, 'nothing refused reached the servant').to.equal(0);
      const ok = client({ca: certs.ca, cert: certs.clientCert, key: certs.clientKey});
      expect(await ok.stringToProxy(ProbeProxy, s.ssl).echo('with cert')).to.deep.equal({ret: 'with cert'});
      expect(s.probe.calls).to.equal(1);
      expect(s.app.servantAdapters.find((a) => a.config.servant === OBJ)!.stats.refusedConnections)
        .to.be.at.least(2);
    });

    it('per-object client settings (<client><Obj>) take the place of the common ones', async () => {
      const s = await serve(tlsConfig(serverKeys(`      ca = ${certs.ca}\n      verifyclient = 1`)));
      const comm = new Communicator({tls: {ca: certs.otherCa, objects: {[OBJ]: {ca: certs.ca, cert: certs.clientCert,
        key: certs.clientKey}}}});
      comms.push(comm);
      expect(await comm.stringToProxy(ProbeProxy, s.ssl).echo('per object')).to.deep.equal({ret: 'per object'});
    });
  });

  it('a client refuses a server whose certificate is of a CA it does not trust, sending nothing', async () => {
    const s = await serve(tlsConfig(serverKeys()));
    const error = await failure(client({ca: certs.otherCa}).stringToProxy(ProbeProxy, s.ssl).echo('x'));
    expect(error.returnCode).to.equal(ReturnCode.TARSPROXYCONNECTERR);
    expect(error.what).to.match(/TLS handshake with 127\.0\.0\.1:\d+ failed: .*not signed by a trusted CA/);
    expect(s.probe.calls).to.equal(0);
    // Without any ca, the system's CAs are used: a private CA is not among them.
    const system = await failure(client().stringToProxy(ProbeProxy, s.ssl).echo('x'));
    expect(system.what).to.match(/TLS handshake .* failed/);
  });

  it('a client refuses a server whose certificate does not name the endpoint\'s host', async () => {
    const s = await serve(tlsConfig(`      cert = ${certs.wrongHostCert}\n      key = ${certs.wrongHostKey}`));
    const error = await failure(client({ca: certs.ca}).stringToProxy(ProbeProxy, s.ssl).echo('x'));
    expect(error.returnCode).to.equal(ReturnCode.TARSPROXYCONNECTERR);
    expect(error.what).to.match(/127\.0\.0\.1.*not for this host/);
    expect(s.probe.calls).to.equal(0);
  });

  it('a plaintext client on the TLS port is refused with nothing executed; the server keeps serving', async () => {
    const s = await serve(tlsConfig(serverKeys()));
    const tlsPort = /-p (\d+)/.exec(s.ssl)![1];
    // Our own client told the endpoint is tcp: it sends a TARS frame where a TLS hello is due.
    const plain = await failure(client().stringToProxy(ProbeProxy, `${OBJ}@tcp -h 127.0.0.1 -p ${tlsPort}`)
      .echo('in clear'));
    expect(plain.returnCode).to.be.oneOf([ReturnCode.TARSPROXYCONNECTERR, ReturnCode.TARSSENDREQUESTERR]);
    // A raw socket sending a frame: closed without an answer.
    const frame = Buffer.from([0, 0, 0, 8, 1, 2, 3, 4]);
    const answered = await new Promise<Buffer>((resolve) => {
      const sock = net.connect(Number(tlsPort), '127.0.0.1', () => sock.write(frame));
      const got: Buffer[] = [];
      sock.on('data', (d) => got.push(d));
      sock.on('error', () => undefined);
      sock.on('close', () => resolve(Buffer.concat(got)));
      setTimeout(() => sock.destroy(), 5000).unref();
    });
    // Whatever came back is a TLS alert record (content type 21), never a TARS response.
    if (answered.length > 0) expect(answered[0]).to.equal(21);
    expect(s.probe.calls).to.equal(0);
    const adapter = s.app.servantAdapters.find((a) => a.config.servant === OBJ)!;
    expect(adapter.stats.refusedConnections).to.be.at.least(2);
    expect(adapter.stats.requests).to.equal(0);
    expect(await client({ca: certs.ca}).stringToProxy(ProbeProxy, s.ssl).echo('still')).to.deep.equal({ret: 'still'});
  });

  it('a TLS client on a plaintext port fails cleanly as a connect failure; the server keeps serving', async () => {
    const s = await serve(tlsConfig(serverKeys()));
    const tcpPort = /-p (\d+)/.exec(s.tcp)![1];
    const error = await failure(client({ca: certs.ca}).stringToProxy(ProbeProxy,
      `${PLAIN_OBJ}@ssl -h 127.0.0.1 -p ${tcpPort}`).echo('x'));
    expect(error.returnCode).to.equal(ReturnCode.TARSPROXYCONNECTERR);
    expect(error.what).to.match(/TLS handshake|socket disconnected|ECONNRESET/);
    expect(s.plain.calls).to.equal(0);
    expect(await client().stringToProxy(ProbeProxy, s.tcp).echo('plain')).to.deep.equal({ret: 'plain'});
  });

  it('an ssl endpoint nobody listens on fails as any connect does, with no TLS words', async () => {
    const port = await freePort();
    const error = await failure(client({ca: certs.ca}).stringToProxy(ProbeProxy,
      `${OBJ}@ssl -h 127.0.0.1 -p ${port}`).echo('x'));
    expect(error.returnCode).to.equal(ReturnCode.TARSPROXYCONNECTERR);
    expect(error.what).to.match(/ECONNREFUSED/);
    expect(error.what).to.not.match(/TLS/);
  });

  it('an adapter made in code for an ssl endpoint without tls refuses to listen', async () => {
    const adapter = new ServantAdapter({name: 'A', endpoint: parseEndpoint('ssl -h 127.0.0.1 -p 0'), servant: OBJ,
      ...ADAPTER_DEFAULTS, allow: [], protocol: 'tars'}, new Dispatcher());
    const error = await rejection(adapter.listen());
    expect(error.message).to.equal('adapter A listens on ssl but has no certificate: set cert and key (in <server>, ' +
      'or in the adapter\'s domain)');
    await adapter.close(0);
  });

  it('endpoint auth (-e 1) works over TLS: the handshake goes inside the TLS session', async () => {
    const s = await serve(tlsConfig(serverKeys(), '        accesskey = ak1\n        secretkey = sk1')
      .replace(/endpoint = ssl (.*)/, 'endpoint = ssl $1 -e 1'));
    expect(s.ssl).to.match(/@ssl .* -e 1/);
    const good = new Communicator({tls: {ca: certs.ca}, auth: {[OBJ]: {accesskey: 'ak1', secretkey: 'sk1'}}});
    comms.push(good);
    expect(await good.stringToProxy(ProbeProxy, s.ssl).echo('both')).to.deep.equal({ret: 'both'});
    const bad = new Communicator({tls: {ca: certs.ca}, auth: {[OBJ]: {accesskey: 'ak1', secretkey: 'wrong'}}});
    comms.push(bad);
    await failure(bad.stringToProxy(ProbeProxy, s.ssl).echo('x'));
    expect(s.probe.calls).to.equal(1);
  });

  it('an endpoint with istcp 2 from the registry is called over TLS', async () => {
    expect(fromEndpointF(EndpointFFile.EndpointF.create({host: '10.0.0.1', port: 1, istcp: 2})).protocol)
      .to.equal('ssl');
    const s = await serve(tlsConfig(serverKeys()));
    const port = Number(/-p (\d+)/.exec(s.ssl)![1]);
    const registry = await startServer({'tars.tarsregistry.QueryObj': new FixedRegistry(() => [
      EndpointFFile.EndpointF.create({host: '127.0.0.1', port, timeout: 3000, istcp: 2})])});
    try {
      const comm = new Communicator({locator: registry.proxyString('tars.tarsregistry.QueryObj'),
        tls: {ca: certs.ca}});
      comms.push(comm);
      expect(await comm.stringToProxy(ProbeProxy, OBJ).echo('located')).to.deep.equal({ret: 'located'});
    } finally {
      await registry.close();
    }
  });

  describe('configuration mistakes stop the start with one line naming the file and the key', () => {
    it('a missing cert file', async () => {
      const app = Application.fromText(tlsConfig(`      cert = ${certs.dir}/nope.crt\n      key = ${certs.serverKey}`));
      app.addServant(new Probe(), OBJ).addServant(new Probe(), PLAIN_OBJ);
      const error = await rejection(app.start());
      expect(error).to.be.instanceOf(TarsError);
      expect((error as TarsError).code).to.equal('CONFIG_INVALID');
      expect(error.message).to.equal(`cannot read the TLS certificate ${certs.dir}/nope.crt (<server> cert in config): ` +
        'no such file');
      expect(app.servantAdapters).to.have.length(0);
      await app.close();
    });

    it('an ssl adapter with no certificate anywhere', async () => {
      const app = Application.fromText(tlsConfig(''));
      app.addServant(new Probe(), OBJ).addServant(new Probe(), PLAIN_OBJ);
      const error = await rejection(app.start());
      expect(error.message).to.equal(`adapter ${OBJ}Adapter listens on ssl but config gives it no certificate: set ` +
        `cert and key in <server> (every ssl adapter) or in <${OBJ}Adapter>`);
      await app.close();
    });

    it('a key that is not the certificate\'s, verifyclient without ca, a bad switch', async () => {
      for (const [keys, message] of [
        [`cert = ${certs.serverCert}\n key = ${certs.clientKey}`, /does not belong to the certificate/],
        [`cert = ${certs.serverCert}\n key = ${certs.serverKey}\n verifyclient = 1`,
          /<server> verifyclient in config is on but no CA .* set <server> ca in config/],
        [`cert = ${certs.serverCert}\n key = ${certs.serverKey}\n verifyclient = maybe`,
          /<server> verifyclient in config = maybe is not a switch/],
        [`cert = ${certs.serverCert}\n key = ${certs.ca}`, /the TLS private key .*ca\.crt \(<server> key in config\) is not PEM/],
        [`cert = ${certs.serverKey}\n key = ${certs.serverKey}`, /the TLS certificate .* is not PEM/],
        [`cert = ${certs.serverCert}\n key = ${certs.serverKey}\n ciphers = NO-SUCH-CIPHER`, /no cipher of the list/],
      ] as const) {
        const app = Application.fromText(tlsConfig(keys));
        app.addServant(new Probe(), OBJ).addServant(new Probe(), PLAIN_OBJ);
        const error = await rejection(app.start());
        expect(error.message).to.match(message);
        expect(error.message).to.not.include('\n');
        await app.close();
      }
    });

    it('client settings: a missing ca, a cert without key', () => {
      expect(errorOf(() => new Communicator({tls: {ca: `${certs.dir}/none.pem`}})).message).to.equal(
        `cannot read the TLS CA certificates ${certs.dir}/none.pem (tls.ca): no such file`);
      expect(errorOf(() => new Communicator({tls: {cert: certs.clientCert}})).message).to.match(
        /needs both tls.cert and tls.key/);
      expect(errorOf(() => Application.fromText(`<tars>\n<application>\n<client>\n<${OBJ}>\nca = ${certs.dir}/gone.pem\n` +
        `</${OBJ}>\n</client>\n<server>\napp = A\nserver = B\n</server>\n</application>\n</tars>\n`)).message).to.equal(
        `cannot read the TLS CA certificates ${certs.dir}/gone.pem (<client><${OBJ}> ca in config): no such file`);
    });
  });
});
