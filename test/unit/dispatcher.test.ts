import {expect} from 'chai';

import {
  type CallContext, type Deferred, Dispatcher, ReturnCode, decodeAnyResponseFrame, encodeRequestFrame, requestPacket,
} from '@tars-ts/core';

import {Probe} from '../support/probe.js';

/** A servant that misbehaves in the ways the dispatcher must survive. */
class Unruly extends Probe {
  override whoami(ctx: CallContext): ReturnType<Probe['whoami']> {
    (ctx.responseContext as Map<string, unknown>).set('n', 5); // not a string: the context cannot be encoded
    return super.whoami(ctx);
  }

  failLater?: (code: number) => void;

  override later(_ms: number, ctx: CallContext): Deferred {
    const reply = ctx.deferResponse();
    this.failLater = (code) => reply.fail(code, 'too late');
    throw new Error('thrown after deferring');
  }
}

function call(d: Dispatcher, func: string, iRequestId: number): ReturnType<typeof decodeAnyResponseFrame> {
  const frame = encodeRequestFrame(requestPacket({iRequestId, sServantName: 'T.S.Obj', sFuncName: func,
    sBuffer: func === 'later' ? Buffer.from('1005', 'hex') : new Uint8Array(0)}));
  const out = d.handle(d.decode(frame), {adapter: 'a'});
  if (out instanceof Promise || out === null) throw new Error('expected a synchronous answer');
  return decodeAnyResponseFrame(out);
}

describe('dispatcher: every request gets its answer', () => {
  it('a response context that cannot be encoded gives -2, not silence', () => {
    const d = new Dispatcher();
    d.add('T.S.Obj', new Unruly());
    const resp = call(d, 'whoami', 7);
    expect(resp.iRequestId).to.equal(7);
    expect(resp.iRet).to.equal(ReturnCode.TARSSERVERENCODEERR);
    expect(resp.sResultDesc).to.match(/encoding the answer to whoami/);
  });

  it('a method that defers and then throws is answered -99, and failing the deferred answer later is harmless',
    async () => {
      const d = new Dispatcher();
      const servant = new Unruly();
      d.add('T.S.Obj', servant);
      const unhandled: unknown[] = [];
      const onUnhandled = (reason: unknown): void => {
        unhandled.push(reason);
      };
      process.on('unhandledRejection', onUnhandled);
      try {
        const resp = call(d, 'later', 8);
        expect(resp.iRet).to.equal(ReturnCode.TARSSERVERUNKNOWNERR);
        expect(resp.sResultDesc).to.equal('thrown after deferring');
        servant.failLater!(ReturnCode.TARSSERVEROVERLOAD);
        await new Promise((r) => setImmediate(r));
        await new Promise((r) => setImmediate(r));
      } finally {
        process.off('unhandledRejection', onUnhandled);
      }
      expect(unhandled).to.deep.equal([]);
    });
});
