// Our client (Communicator + the generated EchoProxy of test/fixtures/idl/interop.tars) against @tars/rpc's server
// hosting the tars2node-style servant of test/support/rpc-oracle.ts: strings, structs, containers, out-parameters,
// one-way calls, timeouts, errors sent or thrown by the servant, tars_ping, context, and TUP (v3, and v2 with
// @tars/stream's "List<...>" spelling), per call and per proxy.
import {expect} from 'chai';

import {Communicator, TarsCallError} from '@tars-ts/core';

import {EchoProxy, Pair} from '../golden/codegen/interopTars.js';
import {type OfficialServer, OracleRecorder, createEchoImp, startOfficialServer} from '../support/rpc-oracle.js';

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

const STRINGS: [string, string][] = [
  ['empty', ''],
  ['unicode', 'héllo wörld ✓ 漢字 🚀'],
  ['exactly 255 bytes (STRING1)', 'x'.repeat(255)],
  ['256 bytes of two-byte characters (STRING4)', 'é'.repeat(128)],
  ['70000 bytes', 'abcdefg'.repeat(10000)],
  ['a NUL byte and control characters', 'a\u0000b\r\n\t'],
];

async function rejection(p: Promise<unknown>): Promise<TarsCallError> {
  try {
    await p;
  } catch (error) {
    expect(error).to.be.instanceOf(TarsCallError);
    return error as TarsCallError;
  }
  return expect.fail('the call succeeded; it should have failed');
}

describe('interop: our client -> @tars/rpc server', function () {
  this.timeout(15000);
  let official: OfficialServer;
  let recorder: OracleRecorder;
  let comm: Communicator;
  let proxy: EchoProxy;

  before(async () => {
    recorder = new OracleRecorder();
    official = await startOfficialServer(createEchoImp(recorder));
    comm = new Communicator();
    proxy = comm.stringToProxy(EchoProxy, official.proxyString, {timeout: 3000});
  });

  after(() => {
    comm?.close();
    official?.stop();
  });

  const last = (func: string) => [...recorder.calls].reverse().find((c) => c.func === func)!;

  describe('TARS (iVersion 1)', () => {
    for (const [what, s] of STRINGS) {
      it(`echoes a string: ${what}`, async () => {
        expect(await proxy.echoString(s)).to.deep.equal({ret: s});
        expect(last('echoString').args).to.deep.equal([s]);
        expect(last('echoString').version).to.equal(1);
      });
    }

    it('passes a struct in and gets the return value and the out struct back, long exact over 64 bits', async () => {
      for (const [value, next] of [[LONG_MIN, LONG_MIN + 1n], [2n ** 62n, 2n ** 62n + 1n], [0n, 1n], [-1n, 0n],
        [LONG_MAX - 1n, LONG_MAX]] as const) {
        const result = await proxy.echoStruct(Pair.create({name: 'ключ', value}));
        expect(result).to.deep.equal({ret: 1, q: {name: 'ключ!', value: next}});
        expect(last('echoStruct').args).to.deep.equal([{name: 'ключ', value: String(value)}]);
      }
    });

    it('passes vector<int>, map<string, Pair> and vector<byte> and gets three out containers back', async () => {
      const v = [INT_MIN, -1, 0, 1, 127, 128, 32767, 32768, INT_MAX];
      const m = new Map([['a', Pair.create({name: 'one', value: 1n})],
        ['ключ', Pair.create({name: 'two', value: LONG_MIN})], ['', Pair.create({name: '', value: 0n})]]);
      const b = Buffer.from(Array.from({length: 256}, (_x, i) => i));
      const result = await proxy.echoContainers(v, m, b);
      expect(result.ret).to.equal(v.length);
      expect(result.v2).to.deep.equal([...v].reverse());
      expect(result.m2).to.deep.equal(new Map([...m].map(([k, x]) => [k, {...x, name: x.name.toUpperCase()}])));
      expect(Buffer.from(result.b2)).to.deep.equal(Buffer.from(b).reverse());
      const seen = last('echoContainers').args as [number[], Map<string, unknown>, Buffer];
      expect(seen[0]).to.deep.equal(v);
      expect(seen[1]).to.deep.equal(new Map([...m].map(([k, x]) => [k, {name: x.name, value: String(x.value)}])));
      expect(seen[2]).to.deep.equal(b);
    });

    it('passes empty containers', async () => {
      const result = await proxy.echoContainers([], new Map(), new Uint8Array(0));
      expect(result.ret).to.equal(0);
      expect(result.v2).to.deep.equal([]);
      expect(result.m2).to.deep.equal(new Map());
      expect(result.b2).to.have.length(0);
    });

    it('calls a void operation two-way: it resolves once the servant has answered', async () => {
      expect(await proxy.fire('two-way')).to.deep.equal({});
      expect(last('fire')).to.include({packetType: 0});
      expect(last('fire').args).to.deep.equal(['two-way']);
    });

    it('sends a one-way call: our promise resolves without a response and the servant sees cPacketType 1', async () => {
      expect(await proxy.fire('one-way', {oneway: true})).to.deep.equal({});
      const seen = await recorder.waitFor((c) => c.func === 'fire' && c.args[0] === 'one-way');
      expect(seen.packetType).to.equal(1);
      // The connection is still in step: the next two-way call gets its own answer.
      expect(await proxy.echoString('after one-way')).to.deep.equal({ret: 'after one-way'});
    });

    it('times out a call the servant answers too late with -7 and a message naming the call and a remedy', async () => {
      const error = await rejection(proxy.sleepMs(1000, {timeout: 200}));
      expect(error.returnCode).to.equal(-7);
      expect(error.local).to.equal(true);
      expect(error.message).to.contain('TARSINVOKETIMEOUT').and.to.contain('200 ms')
        .and.to.contain(`${official.servant}.sleepMs`).and.to.contain(`-p ${official.port}`)
        .and.to.contain('tars ping');
      expect(error.endpoint).to.contain(`-p ${official.port}`);
      // The late answer is dropped; the proxy keeps working.
      expect(await proxy.echoString('still here')).to.deep.equal({ret: 'still here'});
    });

    it('reports the code the servant sent with current.sendErrorResponse, with its text', async () => {
      for (const code of [-42, -99, 1, 7]) {
        const error = await rejection(proxy.fail(`send:${code}`));
        expect(error.returnCode).to.equal(code);
        expect(error.local).to.equal(false);
        expect(error.message).to.contain(`send:${code}`).and.to.contain(`${official.servant}.fail`);
      }
    });

    it('reports a servant exception: its code when it has one, else -1 (as @tars/rpc sends)', async () => {
      const coded = await rejection(proxy.fail('throwcode:-99'));
      expect(coded.returnCode).to.equal(-99);
      expect(coded.message).to.contain('TARSSERVERUNKNOWNERR').and.to.contain('BindAdapter Exception:throwcode:-99');
      // @tars/rpc's BindAdapter answers an exception without a code as -1 (TARSSERVERDECODEERR), not -99.
      const plain = await rejection(proxy.fail('throw'));
      expect(plain.returnCode).to.equal(-1);
      expect(plain.message).to.contain('BindAdapter Exception:throw');
      expect(await proxy.fail('fine')).to.deep.equal({ret: 0});
    });

    it('reports -3 for a function the servant does not have', async () => {
      const error = await rejection(comm.objectProxy(official.proxyString).call({func: 'noSuchFunction',
        sBuffer: new Uint8Array(0)}));
      expect(error.returnCode).to.equal(-3);
      expect(error.message).to.contain('TARSSERVERNOFUNCERR').and.to.contain('noSuchFunction');
    });

    it('reports -1 when the servant cannot decode the arguments', async () => {
      // echoStruct's tag 1 holds a string instead of a struct.
      const error = await rejection(comm.objectProxy(official.proxyString).call({func: 'echoStruct',
        sBuffer: new Uint8Array([0x16, 0x01, 0x41])}));
      expect(error.returnCode).to.equal(-1);
      expect(error.message).to.contain('read struct type mismatch');
    });

    it('pings the server with tars_ping (ObjectProxy.ping)', async () => {
      const results = await comm.objectProxy(official.proxyString).ping({timeout: 2000});
      expect(results).to.have.length(1);
      expect(results[0]!.error).to.equal(undefined);
      expect(results[0]!.endpoint.port).to.equal(official.port);
      expect(results[0]!.ms).to.be.a('number');
    });

    it('sends the request context; the servant sees it and its response context comes back', async () => {
      const context = {trace: 'abc', 'ключ': 'значение', empty: ''};
      expect(await proxy.echoString('ctx', {context})).to.deep.equal({ret: 'ctx'});
      expect(last('echoString').context).to.deep.equal(context);
      const {response} = await comm.objectProxy(official.proxyString).call({func: 'echoString',
        sBuffer: new Uint8Array([0x16, 0x01, 0x41])}, {context});
      expect(Object.fromEntries(response!.context)).to.deep.equal(context);
    });
  });

  describe('TUP', () => {
    for (const [what, s] of STRINGS) {
      it(`v3 per call: echoes a string: ${what}`, async () => {
        expect(await proxy.echoString(s, {version: 3})).to.deep.equal({ret: s});
        expect(last('echoString').version).to.equal(3);
        expect(last('echoString').args).to.deep.equal([s]);
      });
    }

    it('v3 per call: struct in, struct out', async () => {
      const result = await proxy.echoStruct(Pair.create({name: 'p', value: LONG_MIN}), {version: 3});
      expect(result).to.deep.equal({ret: 1, q: {name: 'p!', value: LONG_MIN + 1n}});
      expect(last('echoStruct').version).to.equal(3);
    });

    it('v3 through ProxyOptions: containers in and out, context', async () => {
      const p3 = comm.stringToProxy(EchoProxy, official.proxyString, {version: 3});
      const m = new Map([['k', Pair.create({name: 'n', value: 5n})],
        ['l', Pair.create({name: 'ü', value: LONG_MAX})]]);
      const result = await p3.echoContainers([INT_MIN, 0, INT_MAX], m, Buffer.from([0, 1, 255]), {context: {a: 'b'}});
      expect(result).to.deep.equal({ret: 3, v2: [INT_MAX, 0, INT_MIN],
        m2: new Map([['k', {name: 'N', value: 5n}], ['l', {name: 'Ü', value: LONG_MAX}]]),
        b2: Buffer.from([255, 1, 0])});
      expect(last('echoContainers')).to.deep.include({version: 3, context: {a: 'b'}});
    });

    it('v3: a void call two-way and one-way', async () => {
      const p3 = comm.stringToProxy(EchoProxy, official.proxyString, {version: 3});
      expect(await p3.fire('tup two-way')).to.deep.equal({});
      expect(await p3.fire('tup one-way', {oneway: true})).to.deep.equal({});
      const seen = await recorder.waitFor((c) => c.func === 'fire' && c.args[0] === 'tup one-way');
      expect(seen).to.include({version: 3, packetType: 1});
    });

    it('v3: the code the servant sent comes back from STATUS_RESULT_CODE', async () => {
      const error = await rejection(proxy.fail('send:-42', {version: 3}));
      expect(error.returnCode).to.equal(-42);
      expect(error.message).to.contain('send:-42');
    });

    it('v3: a timeout is -7 as in TARS', async () => {
      const error = await rejection(proxy.sleepMs(1000, {version: 3, timeout: 200}));
      expect(error.returnCode).to.equal(-7);
    });

    it('v3: tars_ping', async () => {
      const results = await comm.objectProxy(official.proxyString, {version: 3}).ping();
      expect(results[0]!.error).to.equal(undefined);
    });

    it('v2 with the "List<...>" spelling @tars/stream expects (tupListSpelling: "List")', async () => {
      const p2 = comm.stringToProxy(EchoProxy, official.proxyString, {version: 2, tupListSpelling: 'List'});
      expect(await p2.echoString('v2 ✓')).to.deep.equal({ret: 'v2 ✓'});
      expect(await p2.echoStruct(Pair.create({name: 'a', value: 7n})))
        .to.deep.equal({ret: 1, q: {name: 'a!', value: 8n}});
      const result = await p2.echoContainers([1, 2, 3], new Map([['k', Pair.create({name: 'n', value: 5n})]]),
        Buffer.from([1, 2, 3]));
      expect(result).to.deep.equal({ret: 3, v2: [3, 2, 1], m2: new Map([['k', {name: 'N', value: 5n}]]),
        b2: Buffer.from([3, 2, 1])});
      expect(last('echoContainers').version).to.equal(2);
    });

    it('v2 with the default "list<...>" spelling: @tars/stream finds no lists (-1), as documented', async () => {
      const p2 = comm.stringToProxy(EchoProxy, official.proxyString, {version: 2});
      const error = await rejection(p2.echoContainers([1], new Map(), new Uint8Array(0)));
      expect(error.returnCode).to.equal(-1);
      expect(error.message).to.contain('type match fail').and.to.contain('List<int32>');
    });
  });
});
