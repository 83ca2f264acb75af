import {TarsError, TarsReturnCodeError} from '../errors/tars-error.js';
import {MessageType, ReturnCode, StatusKey, Version} from '../protocol/constants.js';
import {
  type InterfaceDef, type OperationDef, type OperationPlan, RECEIVED_BODY, decodeRequestArgs, encodeResponseBody,
  operationPlan, readRequestArgs,
} from '../protocol/operation.js';
import type {UniAttributeOptions} from '../protocol/tup.js';

/** The facts of one request, as the server fills them. */
export interface CallInfo {
  /** Servant (object) name the request was addressed to. */
  readonly servant: string;
  /** Function (operation) name as on the wire. */
  readonly func: string;
  readonly requestId: number;
  /** Protocol version of the request: 1 TARS, 2/3 TUP, 5 JSON. */
  readonly version: number;
  /** True for one-way requests: whatever the method returns is not sent. */
  readonly oneway: boolean;
  readonly messageType: number;
  /** Request context. */
  readonly context: ReadonlyMap<string, string>;
  /** Request status (framework keys such as STATUS_DYED_KEY). */
  readonly status: ReadonlyMap<string, string>;
  /** Caller's address, when the transport knows it. */
  readonly remote?: {readonly host: string; readonly port: number} | undefined;
  /** Name of the adapter the request came through. */
  readonly adapter?: string | undefined;
  /** The request's own timeout (ms), 0 when it gave none. */
  readonly timeout?: number | undefined;
}

/** What a servant method returns when it answers later: the responder {@link CallContext.deferResponse} gave. */
export interface Deferred {
  readonly $deferred: true;
}

/** Answers a request later, after the servant method has returned (see {@link CallContext.deferResponse}). */
export interface Responder<R = unknown> extends Deferred {
  /** Sends the result (`{ret, <out>...}`), as the method would have returned it. */
  send(result: R): void;
  /** Sends a failure: a TARS return code and a message, or an error (its TARS code when it has one, else -99). */
  fail(error: number | Error, message?: string): void;
}

/**
 * What a servant method learns about the call it serves; servants receive it as their last argument. Besides the
 * request facts ({@link CallInfo}) it carries the response context and the means to answer later.
 */
// The interface merges the CallInfo fields into the class, so they are declared once.
// eslint-disable-next-line @typescript-eslint/no-empty-interface, @typescript-eslint/no-unsafe-declaration-merging
export interface CallContext extends CallInfo {}
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class CallContext {
  private rc?: Map<string, string>;
  private deferred?: Promise<unknown>;

  /** Context sent back with the response; the servant may set entries. Created on first use. */
  get responseContext(): Map<string, string> {
    this.rc ??= new Map();
    return this.rc;
  }

  /** @internal The response context if a servant touched it. */
  $responseContextIfAny(): Map<string, string> | undefined {
    return this.rc;
  }

  constructor(info: CallInfo) {
    // Field by field: one object shape for every context, and 4x faster than Object.assign (made per request).
    const self = this as {-readonly [K in keyof CallInfo]: CallInfo[K]};
    self.servant = info.servant;
    self.func = info.func;
    self.requestId = info.requestId;
    self.version = info.version;
    self.oneway = info.oneway;
    self.messageType = info.messageType;
    self.context = info.context;
    self.status = info.status;
    self.remote = info.remote;
    self.adapter = info.adapter;
    self.timeout = info.timeout;
  }

  /** The dye key of a dyed call (TARSMESSAGETYPEDYED with STATUS_DYED_KEY), if any. */
  get dyeKey(): string | undefined {
    return (this.messageType & MessageType.TARSMESSAGETYPEDYED) !== 0 ? this.status.get(StatusKey.DYED) : undefined;
  }

  /**
   * Takes the response out of the method's return: the method returns the responder (generated servant types allow
   * it), and the request is answered when the responder is called (from a callback, a timer, another call...).
   */
  deferResponse<R = unknown>(): Responder<R> {
    let responder!: Responder<R>;
    this.deferred = new Promise<R>((resolve, reject) => {
      responder = {
        $deferred: true,
        send: (result) => resolve(result),
        fail: (error, text) => reject(typeof error === 'number' ? new TarsReturnCodeError(error, text ?? '') : error),
      };
    });
    // Observed here so that a failure is never an unhandled rejection: the method may also have thrown after
    // deferring, and then nobody awaits the deferred answer.
    this.deferred.catch(() => undefined);
    return responder;
  }

  /** @internal The pending deferred answer, if the method deferred it. */
  $deferred(): Promise<unknown> | undefined {
    return this.deferred;
  }
}

/**
 * @internal A successful call: the result object of the implementation, not yet encoded (the dispatcher writes a
 * TARS-version result straight into the response frame).
 */
export interface CallSuccess {
  iRet: typeof ReturnCode.TARSSERVERSUCCESS;
  plan: OperationPlan;
  result: Record<string, unknown>;
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && typeof v === 'object' && typeof (v as {then?: unknown}).then === 'function';
}

/** The outcome of dispatching one request to a servant. */
export interface DispatchResult {
  /** Framework code for ResponsePacket.iRet (0 on success). */
  iRet: number;
  sBuffer: Uint8Array;
  sResultDesc: string;
}

/**
 * Base of generated servants. A generated `XxxServant` declares one abstract method per operation; the
 * implementation subclasses it. Members of the base start with `$` so that no operation name can clash.
 */
export abstract class Servant {
  /** The interface the generated subclass serves. */
  static readonly $interface: InterfaceDef;
  private $ops?: Map<string, OperationDef>;

  /** The served interface (the generated subclass's static `$interface`). */
  get $interface(): InterfaceDef {
    return (this.constructor as unknown as {$interface: InterfaceDef}).$interface;
  }

  /** The operation named `func` on the wire, if the interface has it. A `Map`: wire names are never object keys. */
  $operation(func: string): OperationDef | undefined {
    if (!this.$ops) this.$ops = new Map(this.$interface.operations.map((op) => [op.name, op]));
    return this.$ops.get(func);
  }

  /**
   * @internal Decodes the arguments and calls the implementation, synchronously when it answers synchronously (no
   * promise, no deferred answer). The result is not encoded here. Never throws: decode failures give -1, an unknown
   * function -3, an error thrown by the implementation its TARS code when it is a TarsError with one, else -99.
   */
  $call(ctx: CallContext, sBuffer: Uint8Array): DispatchResult | CallSuccess | Promise<DispatchResult | CallSuccess> {
    const op = this.$operation(ctx.func);
    if (!op) {
      return failure(ReturnCode.TARSSERVERNOFUNCERR,
        `no function "${ctx.func}" in ${this.$interface.name} (servant ${ctx.servant})`);
    }
    const plan = operationPlan(op);
    let args: unknown[];
    try {
      args = ctx.version === Version.TARSVERSION ? readRequestArgs(plan, sBuffer, RECEIVED_BODY)
        : decodeRequestArgs(op, ctx.version, sBuffer);
    } catch (error) {
      return failure(ReturnCode.TARSSERVERDECODEERR, `decoding the arguments of ${op.name}: ${message(error)}`);
    }
    const method = (this as unknown as Record<string, unknown>)[plan.method];
    if (typeof method !== 'function' || method === (Object.prototype as Record<string, unknown>)[plan.method]) {
      return failure(ReturnCode.TARSSERVERNOFUNCERR, `${this.$interface.name} does not implement ${op.name}`);
    }
    let result: unknown;
    try {
      args.push(ctx);
      result = (method as (...a: unknown[]) => unknown).apply(this, args);
    } catch (error) {
      return thrown(error);
    }
    if (isThenable(result) || ctx.$deferred()) return settle(ctx, plan, result);
    return {iRet: ReturnCode.TARSSERVERSUCCESS, plan, result: (result ?? {}) as Record<string, unknown>};
  }

  /**
   * Decodes the arguments of a request, calls the implementation and encodes its result, in the request's protocol
   * version. Never throws: failures as {@link $call} gives them, and -2 when the result cannot be encoded.
   */
  async $dispatch(ctx: CallContext, sBuffer: Uint8Array, tup?: UniAttributeOptions): Promise<DispatchResult> {
    const outcome = await this.$call(ctx, sBuffer);
    if (!('plan' in outcome)) return outcome;
    try {
      const body = encodeResponseBody(outcome.plan.op, ctx.version, outcome.result, tup);
      return {iRet: ReturnCode.TARSSERVERSUCCESS, sBuffer: body, sResultDesc: ''};
    } catch (error) {
      return failure(ReturnCode.TARSSERVERENCODEERR, `encoding the result of ${ctx.func}: ${message(error)}`);
    }
  }
}

const EMPTY = new Uint8Array(0);

async function settle(ctx: CallContext, plan: OperationPlan, pending: unknown): Promise<DispatchResult | CallSuccess> {
  let result: unknown;
  try {
    result = await pending;
    const deferred = ctx.$deferred();
    if (deferred) result = await deferred;
  } catch (error) {
    return thrown(error);
  }
  return {iRet: ReturnCode.TARSSERVERSUCCESS, plan, result: (result ?? {}) as Record<string, unknown>};
}

/** @internal The answer to an error thrown while serving: its TARS code when it has one, else -99; its message. */
export function thrown(error: unknown): DispatchResult {
  const code = error instanceof TarsReturnCodeError ? error.returnCode
    : error instanceof TarsError && error.wireCode !== undefined ? error.wireCode : ReturnCode.TARSSERVERUNKNOWNERR;
  return failure(code, message(error));
}

function failure(iRet: number, sResultDesc: string): DispatchResult {
  return {iRet, sBuffer: EMPTY, sResultDesc};
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
