// The servant of the runtime tests (test/fixtures/idl/rpctest.tars): records what it sees, can be slow, can fail.
import {type CallContext, type Deferred, ReturnCode, TarsReturnCodeError} from '@tars-ts/core';

import {type Probe$Results, ProbeProxy, ProbeServant, Seen} from '../golden/codegen/rpctestTars.js';

/** The client side of {@link Probe}, for plugin tests (which reach the root's test helpers only through test/support). */
export {ProbeProxy};

export class Probe extends ProbeServant {
  /** Strings received by note (one-way tests). */
  readonly notes: string[] = [];
  /** `shard|STATUS_GRID_KEY|grid flag` of each route call. */
  readonly routes: string[] = [];
  /** The durations of the sleep calls that ran. */
  readonly ran: number[] = [];
  /** Calls of echo. */
  calls = 0;
  /** Delay of echo, ms (a slow server). */
  delayMs = 0;

  /** @param id when set, echo answers it instead of its argument (which server answered). */
  constructor(readonly id?: string) {
    super();
  }

  async echo(s: string): Promise<Probe$Results['echo']> {
    this.calls++;
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    return {ret: this.id ?? s};
  }

  async sleep(ms: number): Promise<Probe$Results['sleep']> {
    this.ran.push(ms);
    await new Promise((r) => setTimeout(r, ms));
    return {ret: ms};
  }

  note(s: string): void {
    this.notes.push(s);
  }

  whoami(ctx: CallContext): Probe$Results['whoami'] {
    ctx.responseContext.set('answered-by', 'probe');
    return {ret: Seen.create({servant: ctx.servant, context: new Map(ctx.context), status: new Map(ctx.status),
      messageType: ctx.messageType, remoteHost: ctx.remote?.host ?? '', version: ctx.version,
      dyeKey: ctx.dyeKey ?? ''})};
  }

  /** Answers after `ms` through a deferred response; a negative `ms` fails with -9 instead. */
  later(ms: number, ctx: CallContext): Deferred {
    const reply = ctx.deferResponse<Probe$Results['later']>();
    setTimeout(() => (ms < 0 ? reply.fail(ReturnCode.TARSSERVEROVERLOAD, 'deferred failure')
      : reply.send({ret: ms, how: 'deferred'})), Math.abs(ms));
    return reply;
  }

  /** Throws: a TARS code for "tars", a plain error otherwise. */
  boom(how: string): Probe$Results['boom'] {
    if (how === 'tars') throw new TarsReturnCodeError(ReturnCode.TARSSERVEROVERLOAD, 'busy');
    throw new Error(`boom: ${how}`);
  }

  route(shard: string, ctx: CallContext): Probe$Results['route'] {
    this.routes.push(`${shard}|${ctx.status.get('STATUS_GRID_KEY')}|${ctx.messageType & 0x02}`);
    return {ret: 1};
  }
}

/** A Probe whose echo and boom call the same function of the next hop (a chain A -> B -> C of the tracing tests). */
export class Relay extends Probe {
  next?: ProbeProxy;

  override async echo(s: string): Promise<Probe$Results['echo']> {
    return {ret: (await this.next!.echo(s)).ret};
  }

  override boom(how: string): Probe$Results['boom'] {
    return this.next!.boom(how) as unknown as Probe$Results['boom'];
  }
}
