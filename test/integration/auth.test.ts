// Endpoint auth (-e 1) with real sockets: our client and our server with the right keys work (calls made before the
// handshake is answered wait for it); hostile first packets (no handshake, wrong access key, wrong secret, a
// recorded old handshake, garbage) close the connection with nothing executed, each logged; the server keeps
// serving others throughout.
import net from 'node:net';

import {expect} from 'chai';

import {
  ADAPTER_DEFAULTS, Application, Communicator, Dispatcher, Logger, ServantAdapter, TarsCallError, authPackage,
  authRequestFrame, encodeRequestFrame, formatEndpoint, parseEndpoint, requestPacket,
} from '@tars-ts/core';

import {ProbeProxy} from '../golden/codegen/rpctestTars.js';
import {freePorts} from '../support/ports.js';
import {Probe} from '../support/probe.js';

// The names of the test vector (docs/auth.md), so that its recorded handshake can be replayed.
const OBJ = 'TestApp.AuthServer.AuthObj';
const AK = 'tars-test-user';
const SK = '123456';
/** The test vector's handshake frame: recorded at iTime 1700000000 (November 2023). */
const RECORDED = Buffer.from('000000aa10012c30404001561a546573744170702e417574685365727665722e417574684f626a660f49' +
  '6e6e6572417574685365727665727d000069161a546573744170702e417574685365727665722e417574684f626a260e746172732d7465' +
  '73742d75736572326553f100460473686131563019c4e6bcb94f29a9cef2f7f97f2912844d6886b427ca7bb8a8b3b7c6cf5807e7df4f43' +
  'fafcb00599adef5384f91b88198c980ca80c', 'hex');

/**
 * Sends `chunks` on a fresh connection; resolves with what came back once the server closed it, or once `enough`
 * says what came back suffices (bounded by 3 s).
 */
function sendRaw(port: number, chunks: Buffer[], enough?: (received: Buffer) => boolean):
  Promise<{received: Buffer; closedByServer: boolean}> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({host: '127.0.0.1', port});
    const got: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({received: Buffer.concat(got), closedByServer: false});
    }, 3000);
    socket.on('connect', () => {
      for (const c of chunks) socket.write(c);
    });
    socket.on('data', (d) => {
      got.push(d);
      if (enough?.(Buffer.concat(got))) {
        clearTimeout(timer);
        socket.destroy();
        resolve({received: Buffer.concat(got), closedByServer: false});
      }
    });
    socket.on('error', (e) => {
      if ((e as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(e);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({received: Buffer.concat(got), closedByServer: true});
    });
  });
}

function echoFrame(id: number, text: string): Buffer {
  // echo(string s): the argument at tag 1.
  const arg = Buffer.concat([Buffer.from([0x16, text.length]), Buffer.from(text)]);
  return encodeRequestFrame(requestPacket({iRequestId: id, sServantName: OBJ, sFuncName: 'echo', sBuffer: arg}));
}

describe('endpoint auth (-e 1)', function () {
  this.timeout(20_000);
  let impl: Probe;
  let adapter: ServantAdapter;
  let lines: string[];
  let ms: number;
  const comms: Communicator[] = [];
  let ep: string;

  beforeEach(async () => {
    impl = new Probe();
    lines = [];
    ms = 0;
    const dispatcher = new Dispatcher();
    dispatcher.add(OBJ, impl);
    adapter = new ServantAdapter({
      ...ADAPTER_DEFAULTS, name: `${OBJ}Adapter`, endpoint: parseEndpoint('tcp -h 127.0.0.1 -p 0 -t 60000 -e 1'),
      servant: OBJ, allow: [], protocol: 'tars', accesskey: AK, secretkey: SK,
    }, dispatcher, {logger: new Logger('WARN', (line) => lines.push(line)),
      // Every refusal logged (the rate limit has its unit test): the log clock moves 2 s per refusal.
      auth: {nowMs: () => (ms += 2000)}});
    await adapter.listen();
    ep = formatEndpoint(adapter.endpoint);
    expect(ep).to.contain('-e 1');
  });

  afterEach(async () => {
    for (const c of comms.splice(0)) c.close();
    await adapter.close(1000);
  });

  function client(keys?: {accesskey: string; secretkey: string}): ProbeProxy {
    const comm = new Communicator(keys ? {auth: {[OBJ]: keys}} : {});
    comms.push(comm);
    return comm.stringToProxy(ProbeProxy, `${OBJ}@${ep}`);
  }

  async function refusedCall(probe: ProbeProxy): Promise<TarsCallError> {
    try {
      await probe.echo('should not run');
    } catch (error) {
      return error as TarsCallError;
    }
    return expect.fail('the call succeeded');
  }

  it('with the right keys calls work, and calls made before the handshake is answered wait for it', async () => {
    const probe = client({accesskey: AK, secretkey: SK});
    // All sent at once: the first opens the connection, the others are held until AUTH_SUCC.
    const answers = await Promise.all(Array.from({length: 20}, (_, i) => probe.echo(`m${i}`)));
    expect(answers.map((a) => a.ret)).to.deep.equal(Array.from({length: 20}, (_, i) => `m${i}`));
    expect(await probe.echo('again')).to.deep.equal({ret: 'again'});
    expect(impl.calls).to.equal(21);
    expect(adapter.authGate).to.include({accepted: 1, refused: 0});
    expect(lines.filter((l) => l.includes('refused'))).to.deep.equal([]);
  });

  it('a call with no handshake is refused: connection closed, servant not executed, logged', async () => {
    // A client that does not know about -e 1 (the endpoint without it) sends its request first.
    const comm = new Communicator();
    comms.push(comm);
    const unaware = comm.stringToProxy(ProbeProxy, `${OBJ}@${ep.replace(' -e 1', '')}`);
    const error = await refusedCall(unaware);
    expect(error.returnCode).to.equal(-8);
    const raw = await sendRaw(adapter.endpoint.port, [echoFrame(5, 'raw')]);
    expect(raw).to.deep.equal({received: Buffer.alloc(0), closedByServer: true});
    expect(impl.calls).to.equal(0);
    expect(adapter.authGate!.refused).to.equal(2);
    expect(lines.filter((l) => l.includes('AUTH_PROTO_ERR') && l.includes(`${OBJ}.echo`))).to.have.length(2);
  });

  it('a wrong access key and a wrong secret are refused with the auth code, nothing executed', async () => {
    const wrongAk = await refusedCall(client({accesskey: 'intruder', secretkey: SK}));
    expect(wrongAk.returnCode).to.equal(-106);
    expect(wrongAk.message).to.match(/^-106 AUTH_ERROR: authentication refused by tcp -h 127\.0\.0\.1 -p \d+.* for /);
    expect(wrongAk.hint).to.contain('accesskey');
    const wrongSk = await refusedCall(client({accesskey: AK, secretkey: 'guess'}));
    expect(wrongSk.returnCode).to.equal(-106);
    expect(impl.calls).to.equal(0);
    expect(lines.some((l) => l.includes('AUTH_WRONG_AK') && l.includes('"intruder"'))).to.equal(true);
    expect(lines.some((l) => l.includes('AUTH_ERROR') && l.includes(`"${AK}"`))).to.equal(true);
  });

  it('a refused endpoint is treated as a connect failure: the next call in the back-off fails at once', async () => {
    const probe = client({accesskey: AK, secretkey: 'guess'});
    await refusedCall(probe);
    const started = Date.now();
    const again = await refusedCall(probe);
    expect(again.returnCode).to.equal(-106);
    expect(again.message).to.contain('next attempt in');
    expect(Date.now() - started).to.be.below(500);
    expect(adapter.authGate!.refused).to.equal(1);
  });

  it('an -e 1 endpoint where nothing listens is a connect failure (-8), not an auth failure', async () => {
    const [port] = await freePorts(1);
    const comm = new Communicator({auth: {[OBJ]: {accesskey: AK, secretkey: SK}}});
    comms.push(comm);
    const probe = comm.stringToProxy(ProbeProxy, `${OBJ}@tcp -h 127.0.0.1 -p ${port} -t 60000 -e 1`);
    expect((await refusedCall(probe)).returnCode).to.equal(-8);
  });

  it('a client with no keys for an -e 1 endpoint fails at once, without connecting', async () => {
    const error = await refusedCall(client());
    expect(error.returnCode).to.equal(-106);
    expect(error.message).to.contain(`no accesskey/secretkey is configured for ${OBJ}`);
    expect(adapter.stats.connections).to.equal(0);
    expect(adapter.authGate).to.include({accepted: 0, refused: 0});
  });

  it('a recorded old handshake is refused (replay), and requests pipelined behind it never run', async () => {
    const replay = await sendRaw(adapter.endpoint.port, [RECORDED, echoFrame(2, 'smuggled')]);
    expect(replay).to.deep.equal({received: Buffer.alloc(0), closedByServer: true});
    expect(impl.calls).to.equal(0);
    expect(lines.some((l) => l.includes('AUTH_WRONG_TIME'))).to.equal(true);
    expect(adapter.authGate!.refused, 'one refusal: the frame behind it is dropped with the connection').to.equal(1);
    // The same keys, fresh time: accepted, answered AUTH_SUCC, then the request behind it runs.
    const fresh = authRequestFrame(authPackage(OBJ, AK, SK, Date.now() / 1000));
    const ok = await sendRaw(adapter.endpoint.port, [fresh, echoFrame(3, 'fine')],
      (r) => r.includes(Buffer.from('fine')));
    expect(ok.received.includes(Buffer.from('AUTH_SUCC')), 'answered AUTH_SUCC').to.equal(true);
    expect(ok.received.includes(Buffer.from('fine')), 'then the echo').to.equal(true);
    expect(impl.calls).to.equal(1);
  });

  it('garbage as first packet closes that connection only; the server keeps serving others', async () => {
    const good = client({accesskey: AK, secretkey: SK});
    expect(await good.echo('before')).to.deep.equal({ret: 'before'});
    // A frame of the right length holding no RequestPacket, and bytes that are not TARS framing at all.
    const junk = Buffer.concat([Buffer.from([0, 0, 0, 40]), Buffer.alloc(36, 0xee)]);
    expect((await sendRaw(adapter.endpoint.port, [junk])).closedByServer).to.equal(true);
    expect((await sendRaw(adapter.endpoint.port, [Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')]))
      .closedByServer).to.equal(true);
    expect(await good.echo('after')).to.deep.equal({ret: 'after'});
    expect(impl.calls).to.equal(2);
    expect(lines.some((l) => l.includes('AUTH_PROTO_ERR (not a RequestPacket)'))).to.equal(true);
  });
});

describe('endpoint auth keys from config files', function () {
  this.timeout(20_000);

  it('a server reads <adapter> accesskey/secretkey and a client <client><Obj> accesskey/secretkey, as TarsCpp', async () => {
    const text = `<tars>
  <application>
    <client>
      <${OBJ}>
        accesskey = ${AK}
        secretkey = ${SK}
      </${OBJ}>
    </client>
    <server>
      app = TestApp
      server = AuthServer
      loglevel = NONE
      <${OBJ}Adapter>
        endpoint = tcp -h 127.0.0.1 -p 0 -t 60000 -e 1
        servant = ${OBJ}
        accesskey = ${AK}
        secretkey = ${SK}
      </${OBJ}Adapter>
    </server>
  </application>
</tars>
`;
    const app = Application.fromText(text, {graceMs: 1000});
    const impl = new Probe();
    app.addServant(impl, OBJ);
    await app.start();
    const comm = Communicator.fromConfig(app.config);
    try {
      const adapter = app.servantAdapters[0]!;
      expect(adapter.config).to.include({accesskey: AK, secretkey: SK});
      const probe = comm.stringToProxy(ProbeProxy, `${OBJ}@${formatEndpoint(adapter.endpoint)}`);
      expect(await probe.echo('configured')).to.deep.equal({ret: 'configured'});
      expect(adapter.authGate).to.include({accepted: 1, refused: 0});
    } finally {
      comm.close();
      await app.close();
    }
  });
});
