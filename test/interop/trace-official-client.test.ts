// Trace context from @tars/rpc's client, continued by our server. @tars/rpc itself writes no trace context (only
// STATUS_DYED_KEY and the request context), so the test adds status entries to the RequestPacket @tars/rpc encodes
// (its own RequestF.js, wrapped for the test): the keys a TarsGo OpenTelemetry client (`traceparent`) and a TarsCpp
// client (`STATUS_TRACE_KEY`) write, sent through @tars/rpc's connection, framing and response handling.
import {expect} from 'chai';
import {createRequire} from 'node:module';

import {type CallContext, type SpanRecord, Tracer} from '@tars-ts/core';

import {type Echo$Results, EchoServant} from '../golden/codegen/interopTars.js';
import {EchoProxy, destroyOfficialClient, officialClient} from '../support/rpc-oracle.js';
import {type TestServer, startServer} from '../support/test-server.js';

const SERVANT = 'Interop.Traced.EchoObj';
const T = '4bf92f3577b34da6a3ce929d0e0e4736';
const S = '00f067aa0ba902b7';

class Echo extends EchoServant {
  echoString(s: string, _ctx: CallContext): Echo$Results['echoString'] {
    return {ret: s};
  }
  echoStruct(): Echo$Results['echoStruct'] {
    throw new Error('not used');
  }
  echoContainers(): Echo$Results['echoContainers'] {
    throw new Error('not used');
  }
  fire(): void {}
  sleepMs(): Echo$Results['sleepMs'] {
    throw new Error('not used');
  }
  fail(): Echo$Results['fail'] {
    throw new Error('not used');
  }
}

describe('interop: a trace context set through @tars/rpc\'s client is continued by our server', function () {
  this.timeout(20_000);
  const spans: SpanRecord[] = [];
  let server: TestServer;
  let comm: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  let proxy: EchoProxy;
  let extraStatus: Record<string, string> | undefined;
  let restore: () => void;

  before(async () => {
    const require = createRequire(import.meta.url);
    const {RequestPacket} = require('@tars/rpc/core/rpc-tars/RequestF.js').tars;
    const writeTo = RequestPacket.prototype._writeTo;
    RequestPacket.prototype._writeTo = function (this: {status: {insert(k: string, v: string): void}}, os: unknown) {
      for (const [k, v] of Object.entries(extraStatus ?? {})) this.status.insert(k, v);
      return writeTo.call(this, os);
    };
    restore = () => {
      RequestPacket.prototype._writeTo = writeTo;
    };
    server = await startServer({[SERVANT]: new Echo()});
    server.app.dispatcher.traceWith(new Tracer({moduleName: 'Interop.Traced', sinks: [{add: (s) => spans.push(s)}]}));
    comm = officialClient();
    proxy = comm.stringToProxy(EchoProxy, server.proxyString(SERVANT)) as EchoProxy;
  });

  after(async () => {
    restore();
    destroyOfficialClient(comm);
    await server.close();
  });

  beforeEach(() => {
    spans.length = 0;
  });

  it('W3C traceparent (as TarsGo\'s OpenTelemetry filter writes it): our server span is its child', async () => {
    extraStatus = {traceparent: `00-${T}-${S}-01`, tracestate: 'vendor=1', TARS_MASTER_NAME: 'Go.Client'};
    const r = await proxy.echoString('traced');
    expect(r.response.return).to.equal('traced');
    expect(spans).to.have.length(1);
    expect(spans[0]).to.deep.include({traceId: T, parentSpanId: S, kind: 'server', caller: 'Go.Client',
      callee: SERVANT, func: 'echoString', ret: 0});
    expect(spans[0]!.spanId).to.match(/^[0-9a-f]{16}$/).and.not.equal(S);
  });

  it('TarsCpp\'s STATUS_TRACE_KEY with 32-hex ids: continued, its trace type kept', async () => {
    const cppTrace = 'ee824ad0eb4dacf56b29d230a229c584';
    const cppSpan = '030019ac000044a863ed1a8a00000021';
    extraStatus = {STATUS_TRACE_KEY: `f-${cppTrace}|${cppSpan}`};
    await proxy.echoString('from cpp');
    expect(spans).to.have.length(1);
    expect(spans[0]).to.deep.include({traceId: cppTrace, parentSpanId: cppSpan, tarsFlags: 'f'});
  });

  it('an unsampled traceparent (flags 00), or none, makes no span', async () => {
    extraStatus = {traceparent: `00-${T}-${S}-00`};
    await proxy.echoString('not sampled');
    extraStatus = undefined;
    await proxy.echoString('plain');
    expect(spans).to.deep.equal([]);
  });
});
