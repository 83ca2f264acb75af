// Our server against clients that misbehave on the wire, on raw sockets: junk bytes, a length prefix below the
// minimum, a length of 0x7fffffff, a frame whose body is not a RequestPacket, half a frame, a valid frame written
// byte by byte, many frames in one write, and more connections than maxconns. A bad connection is closed and
// counted; nothing else is disturbed: a well-behaved client (our Communicator) gets its answers before, during and
// after, on the same connection.
import {expect} from 'chai';

import {
  Application, type CallContext, Communicator, type OperationDef, type ServantAdapter, decodeAnyResponseFrame,
  decodeResponseBody, encodeRequestArgs, encodeRequestFrame, encodeResponseFrame, requestPacket, responsePacket,
} from '@tars-ts/core';

import {Echo$def, type Echo$Results, EchoProxy, EchoServant, Pair} from '../golden/codegen/interopTars.js';
import {RawClient} from '../support/rpc-oracle.js';
import {type TestServer, startServer} from '../support/test-server.js';
import {until} from '../support/wait.js';

const SERVANT = 'Interop.Robust.EchoObj';
const echoStringOp: OperationDef = Echo$def.operations.find((o) => o.name === 'echoString')!;

class SimpleEcho extends EchoServant {
  echoString(s: string): Echo$Results['echoString'] {
    return {ret: s};
  }

  echoStruct(p: Pair): Echo$Results['echoStruct'] {
    return {ret: 1, q: Pair.create({name: p.name, value: p.value})};
  }

  echoContainers(v: number[], m: Map<string, Pair>, b: Uint8Array): Echo$Results['echoContainers'] {
    return {ret: v.length, v2: v, m2: m, b2: b};
  }

  fire(): void {}

  async sleepMs(ms: number): Promise<Echo$Results['sleepMs']> {
    await new Promise((r) => setTimeout(r, ms));
    return {ret: ms};
  }

  fail(why: string, _ctx: CallContext): Echo$Results['fail'] {
    throw new Error(why);
  }
}

/** A well-formed echoString request frame. */
function echoFrame(requestId: number, s: string): Buffer {
  return encodeRequestFrame(requestPacket({iVersion: 1, iRequestId: requestId, sServantName: SERVANT,
    sFuncName: 'echoString', sBuffer: encodeRequestArgs(echoStringOp, 1, [s]), iTimeout: 3000}));
}

/** The request id and echoed string of a response frame. */
function readEcho(frame: Buffer): {id: number; ret: string} {
  const resp = decodeAnyResponseFrame(frame);
  expect(resp.iRet, resp.sResultDesc).to.equal(0);
  return {id: resp.iRequestId, ret: decodeResponseBody(echoStringOp, 1, resp.sBuffer).ret as string};
}

describe('server robustness: misbehaving clients on raw sockets', function () {
  this.timeout(15000);
  let server: TestServer;
  let adapter: ServantAdapter;
  let port: number;
  let comm: Communicator;
  let good: EchoProxy;
  const raws: RawClient[] = [];

  async function raw(): Promise<RawClient> {
    const r = await RawClient.connect(port);
    raws.push(r);
    return r;
  }

  async function expectGood(tag: string): Promise<void> {
    expect(await good.echoString(tag, {timeout: 3000})).to.deep.equal({ret: tag});
  }

  /**
   * Runs `bad` while our Communicator keeps calling: one call before, calls in a loop during, one after; all must be
   * answered, on the connection the good client had before.
   */
  async function withGoodTraffic(bad: () => Promise<void>): Promise<void> {
    // Connections of earlier tests are gone first, so that the one left is the good client's.
    await until(() => adapter.stats.connections <= 1, 'earlier connections closed');
    await expectGood('before');
    const goodConnection = adapter.connectionList()[0]!.remote;
    let stop = false;
    const during = (async () => {
      let i = 0;
      while (!stop) await expectGood(`during ${i++}`);
    })();
    try {
      await bad();
    } finally {
      stop = true;
      await during;
    }
    await expectGood('after');
    expect(adapter.connectionList().map((c) => c.remote)).to.include(goodConnection);
  }

  /** Expects `client` to be closed by the server, counted as a bad frame, and gone from the adapter's list. */
  async function expectClosedAsBad(client: RawClient, badFramesBefore: number): Promise<void> {
    expect(await client.waitClosed(3000), 'the server should close the connection').to.equal(true);
    expect(client.received(), 'nothing is answered on a bad connection').to.have.length(0);
    expect(adapter.stats.badFrames).to.equal(badFramesBefore + 1);
    await until(() => adapter.stats.connections === 1, 'the bad connection leaves the adapter');
  }

  before(async () => {
    server = await startServer({[SERVANT]: new SimpleEcho()});
    adapter = server.app.servantAdapters[0]!;
    port = adapter.endpoint.port;
    comm = new Communicator();
    good = comm.stringToProxy(EchoProxy, server.proxyString(SERVANT));
  });

  afterEach(() => {
    for (const r of raws.splice(0)) r.destroy();
  });

  after(async () => {
    comm?.close();
    await server?.close();
  });

  it('closes a connection that sends junk (an HTTP request)', async () => {
    await withGoodTraffic(async () => {
      const bad = adapter.stats.badFrames;
      const junk = await raw();
      await junk.write(Buffer.from('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'));
      await expectClosedAsBad(junk, bad);
    });
  });

  it('closes a connection whose frame has a sane length but a body of junk', async () => {
    await withGoodTraffic(async () => {
      const bad = adapter.stats.badFrames;
      const junk = await raw();
      await junk.write(Buffer.concat([Buffer.from([0, 0, 0, 16]), Buffer.alloc(12, 0xff)]));
      await expectClosedAsBad(junk, bad);
    });
  });

  for (const n of [0, 3, 4]) {
    it(`closes a connection that sends a length prefix of ${n}`, async () => {
      await withGoodTraffic(async () => {
        const bad = adapter.stats.badFrames;
        const client = await raw();
        const bytes = Buffer.alloc(8, 0x41);
        bytes.writeUInt32BE(n, 0);
        await client.write(bytes);
        await expectClosedAsBad(client, bad);
      });
    });
  }

  it('closes a connection announcing 0x7fffffff bytes at the length prefix, without waiting for or buffering them',
    async () => {
      await withGoodTraffic(async () => {
        const bad = adapter.stats.badFrames;
        const client = await raw();
        const memoryBefore = process.memoryUsage();
        // The length prefix alone: a server that tried to collect the body would wait here and never close.
        await client.write(Buffer.from([0x7f, 0xff, 0xff, 0xff]));
        // What a flooding client would go on sending (64 MiB, more than the bound below); the server has stopped
        // reading, so a correct one has closed long before.
        const chunk = Buffer.alloc(64 * 1024, 0x5a);
        for (let i = 0; i < 1024 && !client.closed; i++) await client.write(chunk);
        await expectClosedAsBad(client, bad);
        const memoryAfter = process.memoryUsage();
        const grown = (memoryAfter.heapUsed + memoryAfter.arrayBuffers) -
          (memoryBefore.heapUsed + memoryBefore.arrayBuffers);
        expect(grown, 'bytes held after the flood').to.be.below(16 * 1024 * 1024);
        const status = await server.app.runAdminCommand('tars.viewstatus');
        expect(status).to.match(new RegExp(`bad frames:\\s+${bad + 1}\\b`));
      });
    });

  it('closes a connection whose frame is a ResponsePacket, not a RequestPacket', async () => {
    await withGoodTraffic(async () => {
      const bad = adapter.stats.badFrames;
      const client = await raw();
      await client.write(encodeResponseFrame(responsePacket({iRequestId: 9, iRet: 0, sBuffer: Buffer.from([0x0c])})));
      await expectClosedAsBad(client, bad);
    });
  });

  it('closes a connection whose frame holds a RequestPacket cut short', async () => {
    await withGoodTraffic(async () => {
      const bad = adapter.stats.badFrames;
      const client = await raw();
      const whole = echoFrame(5, 'cut');
      const cut = Buffer.from(whole.subarray(0, 20));
      cut.writeUInt32BE(cut.length, 0);
      await client.write(cut);
      await expectClosedAsBad(client, bad);
    });
  });

  it('holds half a frame while other clients are served, answers once the rest comes, forgets it on close',
    async () => {
      await withGoodTraffic(async () => {
        const client = await raw();
        const frame = echoFrame(41, 'half and half '.repeat(50));
        await client.write(frame.subarray(0, 300));
        await until(() => adapter.connectionList().length === 2, 'the half-frame connection is listed');
        // Other clients are served while this one is mid-frame.
        for (let i = 0; i < 5; i++) await expectGood(`while half a frame waits ${i}`);
        expect(client.closed).to.equal(false);
        await client.write(frame.subarray(300));
        const [answer] = await client.waitFrames(1);
        expect(readEcho(answer!)).to.deep.equal({id: 41, ret: 'half and half '.repeat(50)});
        // Half a frame again, and then nothing: the peer goes away and the server forgets the connection.
        await client.write(echoFrame(42, 'never finished').subarray(0, 10));
        client.socket.end();
        await until(() => adapter.stats.connections === 1, 'the server drops the connection when the peer leaves');
      });
    });

  it('answers a valid frame written one byte per write', async () => {
    await withGoodTraffic(async () => {
      const client = await raw();
      const frame = echoFrame(77, 'byte by byte ✓');
      for (const byte of frame) {
        await client.write(Buffer.from([byte]));
        await new Promise((r) => setImmediate(r));
      }
      const [answer] = await client.waitFrames(1);
      expect(readEcho(answer!)).to.deep.equal({id: 77, ret: 'byte by byte ✓'});
      expect(client.frames()).to.have.length(1);
    });
  });

  it('answers many frames sent in one write, each to its own request id, and a frame split across writes', async () => {
    await withGoodTraffic(async () => {
      const client = await raw();
      const count = 300;
      const frames = Array.from({length: count}, (_x, i) => echoFrame(1000 + i, `frame ${i}`.repeat(1 + (i % 7))));
      const all = Buffer.concat(frames);
      // One write with every frame but the last half of the last one, then the rest.
      const cut = all.length - Math.floor(frames.at(-1)!.length / 2);
      await client.write(all.subarray(0, cut));
      await client.write(all.subarray(cut));
      const answers = (await client.waitFrames(count)).map(readEcho);
      expect(answers.map((a) => a.id).sort((a, b) => a - b)).to.deep.equal(frames.map((_f, i) => 1000 + i));
      for (const a of answers) expect(a.ret).to.equal(`frame ${a.id - 1000}`.repeat(1 + ((a.id - 1000) % 7)));
    });
  });

  it('keeps serving after every kind of bad connection at once', async () => {
    const bad = adapter.stats.badFrames;
    const clients = await Promise.all(Array.from({length: 6}, () => raw()));
    await Promise.all([
      clients[0]!.write(Buffer.from('\u0016\u0003\u0001 TLS hello?')),
      clients[1]!.write(Buffer.from([0, 0, 0, 3])),
      clients[2]!.write(Buffer.from([0x7f, 0xff, 0xff, 0xff])),
      clients[3]!.write(encodeResponseFrame(responsePacket({iRequestId: 1}))),
      clients[4]!.write(Buffer.concat([Buffer.from([0, 0, 0, 9]), Buffer.alloc(5, 0xee)])),
      clients[5]!.write(echoFrame(1, 'fine')),
      expectGood('among the bad ones'),
    ]);
    for (const c of clients.slice(0, 5)) expect(await c.waitClosed(3000)).to.equal(true);
    expect(readEcho((await clients[5]!.waitFrames(1))[0]!)).to.deep.equal({id: 1, ret: 'fine'});
    expect(adapter.stats.badFrames).to.equal(bad + 5);
    await expectGood('after all of them');
  });
});

describe('server robustness: idle connections and maxconns', function () {
  this.timeout(15000);
  const raws: RawClient[] = [];
  let server: TestServer | undefined;

  afterEach(async () => {
    for (const r of raws.splice(0)) r.destroy();
    await server?.close();
    server = undefined;
  });

  it('closes a connection that stays silent mid-frame once the endpoint\'s -t idle timeout passes ' +
    '(as TarsCpp and @tars/rpc do)', async () => {
    // An adapter whose endpoint says -t 300: connections idle for 300 ms are closed (protocol.md 3.2).
    const app = Application.fromText(`<tars>
  <application>
    <server>
      app = Interop
      server = Idle
      loglevel = NONE
      <EchoAdapter>
        endpoint = tcp -h 127.0.0.1 -p 0 -t 300
        servant = Interop.Idle.EchoObj
      </EchoAdapter>
    </server>
  </application>
</tars>
`, {graceMs: 500});
    app.addServant(new SimpleEcho(), 'Interop.Idle.EchoObj');
    await app.start();
    server = {app, proxyString: () => '', close: () => app.close()};
    const client = await RawClient.connect(app.servantAdapters[0]!.endpoint.port);
    raws.push(client);
    await client.write(Buffer.from([0, 0, 0, 100, 0x10, 0x01]));
    expect(await client.waitClosed(3000), 'a peer silent mid-frame for 10x the -t timeout should be closed')
      .to.equal(true);
  });

  it('with maxconns = 2, closes a third connection at once and counts it in tars.viewstatus', async () => {
    server = await startServer({[SERVANT]: new SimpleEcho()}, {adapter: 'maxconns = 2'});
    const adapter = server.app.servantAdapters[0]!;
    const port = adapter.endpoint.port;
    expect(adapter.config.maxconns).to.equal(2);
    const first = await RawClient.connect(port);
    const second = await RawClient.connect(port);
    raws.push(first, second);
    await until(() => adapter.stats.connections === 2, 'two connections accepted');
    const third = await RawClient.connect(port);
    raws.push(third);
    expect(await third.waitClosed(3000), 'the third connection is closed at once').to.equal(true);
    expect(third.received()).to.have.length(0);
    expect(adapter.stats.refusedConnections).to.equal(1);
    const status = await server.app.runAdminCommand('tars.viewstatus');
    const section = status.slice(status.indexOf(`[adapter ${adapter.name}]`));
    expect(section).to.match(/maxconns:\s+2\n/).and.to.match(/refused connections:\s*1\n/);
    // The two admitted connections are served.
    await first.write(echoFrame(1, 'first'));
    await second.write(echoFrame(2, 'second'));
    expect(readEcho((await first.waitFrames(1))[0]!)).to.deep.equal({id: 1, ret: 'first'});
    expect(readEcho((await second.waitFrames(1))[0]!)).to.deep.equal({id: 2, ret: 'second'});
    // Once one leaves, a newcomer is admitted and served; our Communicator is one connection like any other.
    first.destroy();
    await until(() => adapter.stats.connections === 1, 'the first connection is gone');
    const comm = new Communicator();
    try {
      const proxy = comm.stringToProxy(EchoProxy, server.proxyString(SERVANT));
      expect(await proxy.echoString('newcomer')).to.deep.equal({ret: 'newcomer'});
      const fourth = await RawClient.connect(port);
      raws.push(fourth);
      expect(await fourth.waitClosed(3000)).to.equal(true);
      expect(adapter.stats.refusedConnections).to.equal(2);
    } finally {
      comm.close();
    }
  });
});
