// Calls with no IDL against @tars/rpc's server: arguments inferred from command-line text (or forced with
// --arg-types), sent through our Communicator's raw ObjectProxy.call, the answer decoded by wire type and checked by
// tag. The servant is tars2node-style, reading each argument with @tars/stream's typed reader as the real signature
// says (test/fixtures/idl/untyped.tars for Untyped.Probe, test/fixtures/idl/interop.tars for Interop.Echo).
/* eslint-disable @typescript-eslint/no-explicit-any */
import {expect} from 'chai';

import {
  Communicator, type ObjectProxy, TarsCallError, type UntypedJson, decodeUntyped, encodeUntypedArgs, inferArgs,
  untypedToJson, writeUntypedArgs,
} from '@tars-ts/core';

import {type OfficialServer, OracleRecorder, startOfficialServer} from '../support/rpc-oracle.js';
import {type MixCall, createProbeImp} from '../support/untyped-oracle.js';

// ---- the tests ----------------------------------------------------------------------------------------------------

describe('interop: untyped calls (no IDL) -> @tars/rpc server', function () {
  this.timeout(15000);
  let official: OfficialServer;
  let comm: Communicator;
  let proxy: ObjectProxy;
  const calls: MixCall[] = [];

  before(async () => {
    official = await startOfficialServer(createProbeImp(new OracleRecorder(), calls) as any,
      {servant: 'Untyped.ProbeServer.ProbeObj'});
    comm = new Communicator();
    proxy = comm.objectProxy(official.proxyString, {timeout: 3000});
  });

  after(() => {
    comm?.close();
    official?.stop();
  });

  /** `tars call Obj <func> ...texts [--arg-types types]`, the answer rendered by tag. */
  async function call(func: string, texts: string[], argTypes?: string): Promise<UntypedJson & {signature: string}> {
    const {args, signature} = inferArgs(texts, argTypes === undefined ? {} : {argTypes});
    const {response} = await proxy.call({func, sBuffer: encodeUntypedArgs(args)});
    expect(response, 'a two-way call has a response').to.not.equal(null);
    expect(response!.iRet).to.equal(0);
    return {...untypedToJson(decodeUntyped(response!.sBuffer)), signature};
  }

  it('sends a string, integers, a long beyond 2^53, a bool, a double and a struct by tag, all inferred', async () => {
    const got = await call('mix', ['tars ✓', '-7', '100000', '9007199254740993', 'true', '2.5',
      '{"0": 42, "1": "label", "2": 9223372036854775806}']);
    expect(got.signature).to.equal('(string, int, int, long, bool, double, struct{0: int, 1: string, 2: long})');
    // The servant's typed reader (short, int, long, bool, double...) took every inferred value.
    expect(calls.at(-1)).to.deep.equal({s: 'tars ✓', sh: -7, i: 100000, l: '9007199254740993', b: true, d: 2.5,
      item: {id: 42, label: 'label', big: '9223372036854775806'}});
    // The return value at tag 0, the out-parameters at their positions (8 and 9).
    expect(got.values).to.deep.equal({
      0: 99993,
      8: 'tars ✓|-7|100000|9007199254740993|true|2.5|42|label|9223372036854775806',
      9: {0: 84, 1: 'tars ✓!', 2: '9007199254740994'},
    });
    expect(got.types).to.deep.equal({0: 'int', 8: 'string', 9: {0: 'int', 1: 'string', 2: 'long'}});
  });

  it('leaves out optional struct members, and reads a negative 64-bit long and false', async () => {
    const got = await call('mix', ['', '0', '-2147483648', '-9223372036854775808', 'false', '-0.5', '{"0": -1}']);
    expect(calls.at(-1)).to.deep.equal({s: '', sh: 0, i: -2147483648, l: '-9223372036854775808', b: false,
      d: -0.5, item: {id: -1, label: '', big: '0'}});
    expect(got.values).to.deep.equal({
      0: -2147483648,
      8: '|0|-2147483648|-9223372036854775808|false|-0.5|-1||0',
      9: {0: -2, 1: '!', 2: '-9223372036854775807'},
    });
  });

  it('sends forced types (--arg-types) where inference would guess otherwise', async () => {
    // "5" would be an int and "3" an int; the signature wants a string and a double.
    const got = await call('mix', ['5', '32767', '0x10', '5', 'true', '3', '{"0": 1, "1": "x"}'],
      'string, short, int, long, bool, double, struct');
    expect(got.signature).to.equal('(string, short, int, long, bool, double, struct{0: int, 1: string})');
    expect(calls.at(-1)).to.deep.equal({s: '5', sh: 32767, i: 16, l: '5', b: true, d: 3,
      item: {id: 1, label: 'x', big: '0'}});
    expect(got.values[0]).to.equal(32783);
  });

  it('writes the arguments straight into the request frame (sBuffer as a writer function)', async () => {
    const {args} = inferArgs(['w', '1', '2', '3', 'true', '0.25', '{"0": 7}']);
    const {response} = await proxy.call({func: 'mix', sBuffer: (w) => writeUntypedArgs(w, args)});
    expect(untypedToJson(decodeUntyped(response!.sBuffer)).values).to.deep.equal({
      0: 3, 8: 'w|1|2|3|true|0.25|7||0', 9: {0: 14, 1: 'w!', 2: 4},
    });
  });

  it('a wrong guess is the server\'s decode error: "123" inferred as int where the signature has a string', async () => {
    const before = calls.length;
    const {args} = inferArgs(['123', '1', '2', '3', 'true', '0.5', '{"0": 1}']);
    let error: unknown;
    try {
      await proxy.call({func: 'mix', sBuffer: encodeUntypedArgs(args)});
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(TarsCallError);
    // @tars/rpc answers an exception of the servant (here its typed reader's) with -1, TARSSERVERDECODEERR.
    expect((error as TarsCallError).returnCode).to.equal(-1);
    expect(calls.length).to.equal(before);
  });

  it('calls Interop.Echo\'s echoStruct with the struct by tag: ret and the out struct q (tag 2)', async () => {
    const got = await call('echoStruct', ['{"0": "ключ", "1": 9007199254740993}']);
    expect(got.values).to.deep.equal({0: 1, 2: {0: 'ключ!', 1: '9007199254740994'}});
    expect(got.types).to.deep.equal({0: 'int', 2: {0: 'string', 1: 'long'}});
  });

  it('calls Interop.Echo\'s echoContainers with forced vector<int>, map<string, struct> and vector<byte>', async () => {
    const got = await call('echoContainers', ['[1, 2, 300]', '{"a": {"0": "one", "1": 5}, "b": {"0": "two"}}',
      'AQID'], 'vector<int>, map<string, struct>, vector<byte>');
    expect(got.signature).to.equal('(vector<int>, map<string, struct{0: string, 1: int}>, vector<byte>)');
    expect(got.values).to.deep.equal({
      0: 3, 4: [300, 2, 1], 5: {a: {0: 'ONE', 1: 5}, b: {0: 'TWO', 1: 0}}, 6: 'AwIB',
    });
    expect(got.types).to.deep.equal({
      0: 'int', 4: ['int', 'int', 'int'], 5: {a: {0: 'string', 1: 'int'}, b: {0: 'string', 1: 'int'}},
      6: 'vector<byte>',
    });
  });
});
