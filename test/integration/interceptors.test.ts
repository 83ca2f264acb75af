// Interceptor chains on both sides of a call (core/src/rpc/interceptors.ts): order, changing the call, answering
// without the transport or the servant, errors, one-way calls. Real sockets on 127.0.0.1.
import {expect} from 'chai';

import {
  type ClientInterceptor, Communicator, ReturnCode, type ServerInterceptor, TarsCallError, refusal,
} from '@tars-ts/core';

import {ProbeProxy} from '../golden/codegen/rpctestTars.js';
import {Probe} from '../support/probe.js';
import {type TestServer, startServer} from '../support/test-server.js';
import {until} from '../support/wait.js';

const OBJ = 'Icpt.Server.ProbeObj';

describe('interceptors', function () {
  this.timeout(20_000);
  let server: TestServer;
  let probe: Probe;
  let comm: Communicator;

  beforeEach(async () => {
    probe = new Probe();
    server = await startServer({[OBJ]: probe});
    comm = new Communicator();
  });

  afterEach(async () => {
    comm.close();
    await server.close();
  });

  describe('client side', () => {
    it('run outermost first, communicator before proxy, each seeing the call and the result', async () => {
      const order: string[] = [];
      const tag = (name: string): ClientInterceptor => async (call, next) => {
        order.push(`${name}>${call.func}`);
        const result = await next(call);
        order.push(`${name}<${result.response?.iRet}`);
        return result;
      };
      const proxy = comm.stringToProxy(ProbeProxy, server.proxyString(OBJ));
      comm.use(tag('comm1')).use(tag('comm2'));
      comm.objectProxy(server.proxyString(OBJ)).use(tag('proxy'));
      expect(await proxy.echo('x')).to.deep.equal({ret: 'x'});
      expect(order).to.deep.equal(['comm1>echo', 'comm2>echo', 'proxy>echo', 'proxy<0', 'comm2<0', 'comm1<0']);
    });

    it('may change the call: a context entry added by an interceptor reaches the servant', async () => {
      comm.use((call, next) => next({...call, options: {...call.options, context: {token: 't-1'}}}));
      const {ret} = await comm.stringToProxy(ProbeProxy, server.proxyString(OBJ)).whoami();
      expect(ret.context.get('token')).to.equal('t-1');
    });

    it('may answer without the transport: nothing is sent', async () => {
      const proxy = comm.objectProxy(server.proxyString(OBJ));
      const endpoint = (await proxy.activeEndpoints())[0]!;
      proxy.use(async () => ({response: null, endpoint, ms: 0}));
      await comm.stringToProxy(ProbeProxy, server.proxyString(OBJ)).note('never sent');
      expect(server.app.servantAdapters[0]!.stats.requests).to.equal(0);
      expect(probe.notes).to.deep.equal([]);
    });

    it('see failures as TarsCallErrors and may replace them', async () => {
      const seen: number[] = [];
      comm.use(async (call, next) => {
        try {
          return await next(call);
        } catch (error) {
          seen.push((error as TarsCallError).returnCode);
          throw new TarsCallError(ReturnCode.TARSSERVERUNKNOWNERR, 'rewritten', {obj: call.obj, func: call.func}, true);
        }
      });
      const error = await comm.stringToProxy(ProbeProxy, server.proxyString(OBJ)).boom('tars').catch((e) => e);
      expect(seen).to.deep.equal([ReturnCode.TARSSERVEROVERLOAD]);
      expect(error).to.be.instanceOf(TarsCallError);
      expect((error as TarsCallError).what).to.equal('rewritten');
    });

    it('an interceptor that throws fails the call with its error', async () => {
      comm.use(() => {
        throw new Error('refused locally');
      });
      const error = await comm.stringToProxy(ProbeProxy, server.proxyString(OBJ)).echo('x').catch((e) => e);
      expect((error as Error).message).to.equal('refused locally');
    });

    it('one-way calls pass through with no response', async () => {
      const results: unknown[] = [];
      comm.use(async (call, next) => {
        const result = await next(call);
        results.push(result.response);
        return result;
      });
      await comm.stringToProxy(ProbeProxy, server.proxyString(OBJ)).note('one way', {oneway: true});
      await until(() => probe.notes.length === 1, 'the note arrives');
      expect(results).to.deep.equal([null]);
    });
  });

  describe('server side', () => {
    it('run outermost first around the servant and see its outcome', async () => {
      const order: string[] = [];
      const tag = (name: string): ServerInterceptor => async (ctx, next) => {
        order.push(`${name}>${ctx.func}`);
        const outcome = await next();
        order.push(`${name}<${outcome.iRet}`);
        return outcome;
      };
      server.app.use(tag('a')).use(tag('b'));
      const proxy = comm.stringToProxy(ProbeProxy, server.proxyString(OBJ));
      await proxy.echo('x');
      await proxy.boom('tars').catch(() => undefined);
      expect(order).to.deep.equal(['a>echo', 'b>echo', 'b<0', 'a<0',
        'a>boom', 'b>boom', `b<${ReturnCode.TARSSERVEROVERLOAD}`, `a<${ReturnCode.TARSSERVEROVERLOAD}`]);
    });

    it('may refuse without the servant (authentication): the caller gets the code, the servant nothing', async () => {
      server.app.dispatcher.use((ctx, next) => (ctx.context.get('token') === 'ok' ? next()
        : refusal(ReturnCode.TARSSERVERNOFUNCERR, 'not authorised')));
      const proxy = comm.stringToProxy(ProbeProxy, server.proxyString(OBJ));
      const error = await proxy.echo('x').catch((e) => e) as TarsCallError;
      expect(error.returnCode).to.equal(ReturnCode.TARSSERVERNOFUNCERR);
      expect(error.what).to.equal('not authorised');
      expect(probe.calls).to.equal(0);
      expect(await proxy.echo('y', {context: {token: 'ok'}})).to.deep.equal({ret: 'y'});
      expect(probe.calls).to.equal(1);
    });

    it('an interceptor that throws or rejects is answered like a throwing servant, and the server goes on', async () => {
      let mode: 'throw' | 'reject' | 'pass' = 'throw';
      server.app.dispatcher.use(async (_ctx, next) => {
        if (mode === 'reject') throw new Error('rejected');
        return next();
      });
      server.app.dispatcher.use((_ctx, next) => {
        if (mode === 'throw') throw new Error('thrown');
        return next();
      });
      const proxy = comm.stringToProxy(ProbeProxy, server.proxyString(OBJ));
      for (const [m, text] of [['throw', 'thrown'], ['reject', 'rejected']] as const) {
        mode = m;
        const error = await proxy.echo('x').catch((e) => e) as TarsCallError;
        expect(error.returnCode).to.equal(ReturnCode.TARSSERVERUNKNOWNERR);
        expect(error.what).to.equal(text);
      }
      mode = 'pass';
      expect(await proxy.echo('z')).to.deep.equal({ret: 'z'});
    });

    it('one-way requests pass the chain, and tars_ping does not', async () => {
      const funcs: string[] = [];
      server.app.dispatcher.use((ctx, next) => {
        funcs.push(`${ctx.func}${ctx.oneway ? ' (one-way)' : ''}`);
        return next();
      });
      await comm.stringToProxy(ProbeProxy, server.proxyString(OBJ)).note('n', {oneway: true});
      await until(() => probe.notes.length === 1, 'the note arrives');
      const pings = await comm.objectProxy(server.proxyString(OBJ)).ping();
      expect(pings[0]!.error).to.equal(undefined);
      expect(funcs).to.deep.equal(['note (one-way)']);
    });
  });
});
