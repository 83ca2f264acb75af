import {TarsReader} from '../../codec/reader.js';
import {TarsError} from '../../errors/tars-error.js';
import {T} from '../../codec/types.js';
import {
  MessageType, PacketType, ReturnCode, StatusKey, TARS_DESCRIBE, TARS_PING, Version,
} from '../../protocol/constants.js';
import {interfaceToJson} from '../../protocol/descriptor-json.js';
import {encodeResponseBody, writeResponseBody} from '../../protocol/operation.js';
import {
  type RequestPacket, encodeRequestFrame, encodeResponseFrame, encodeResponseFrameWith, readRequestPacket,
  requestPacket, responsePacket,
} from '../../protocol/packets.js';
import type {UniAttributeOptions} from '../../protocol/tup.js';
import type {ServerInterceptor, ServerOutcome} from '../interceptors.js';
import type {ServerSpan, Tracer} from '../trace/tracer.js';
import {CallContext, type DispatchResult, type Servant, type CallSuccess, thrown} from '../servant.js';
import {type SetId, acceptsSetCall, parseSetId} from '../set-routing.js';
import type {ServerStatScope, StatReporter} from '../stat/stat-reporter.js';

/** Where a request came from, as the transport knows it. */
export interface RequestOrigin {
  readonly adapter: string;
  readonly remote?: {readonly host: string; readonly port: number};
}

const EMPTY = new Uint8Array(0);
const NO_ENTRIES: ReadonlyMap<string, string> = new Map();
/** An empty UniAttribute: what a TUP reply with nothing to return carries (@tars/rpc's client cannot read less). */
const EMPTY_TUP = Uint8Array.from([0x08, 0x0c]);
const SUPPORTED_VERSIONS = new Set<number>([Version.TARSVERSION, Version.TUP_COMPLEX, Version.TUPVERSION,
  Version.JSONVERSION]);

/**
 * Turns request frames into response frames for a set of servants (design.md "Runtime behaviour"): an unknown
 * servant gets -4, an unknown function -3, undecodable arguments -1, a thrown business error -99 with its message,
 * `tars_ping` 0 with an empty body; one-way requests get nothing; TUP v2/v3 requests are answered in kind (a
 * RequestPacket-shaped reply with STATUS_RESULT_CODE/DESC), every reply echoes iVersion, iRequestId and
 * iMessageType. Servants are kept in a `Map`: wire names are never object keys.
 */
export class Dispatcher {
  private readonly servants = new Map<string, Servant>();
  private interceptors: readonly ServerInterceptor[] = [];
  private tracer?: Tracer;
  /** Runs around dyed requests only: see {@link onDyed}. */
  private dyeHook?: ServerInterceptor;
  /** Where served requests are counted for the stat daemon: see {@link reportStatsTo}. */
  private statHost?: {readonly statReporter?: StatReporter | undefined};
  private statIdentity?: {app: string; server: string; localip: string; setdivision?: string | undefined};
  /** The reporter the scope was made for, and the scope. */
  private statOf?: StatReporter;
  private statScopeOf?: ServerStatScope;

  /**
   * @param ownSet this server's SET when it is in one: set-routed calls from another area of the same set name are
   * refused with -11 (TarsCpp's checkset).
   */
  constructor(private readonly ownSet?: SetId, private readonly reflection = true) {}

  add(name: string, servant: Servant): void {
    this.servants.set(name, servant);
  }

  /**
   * Adds an interceptor around every servant call (after the framework checks; never for tars_ping or
   * tars_describe). The first added is the outermost. See core/src/rpc/interceptors.ts for the contract.
   */
  use(interceptor: ServerInterceptor): this {
    this.interceptors = [...this.interceptors, interceptor];
    return this;
  }

  /**
   * Runs `hook` around every dyed request (TARSMESSAGETYPEDYED), outside the interceptors: the application's dye
   * log and dye context (core/src/rpc/dye.ts). Requests that are not dyed never reach it, so an undyed call costs one
   * bit test.
   */
  onDyed(hook: ServerInterceptor | undefined): this {
    this.dyeHook = hook;
    return this;
  }

  /**
   * Counts every servant call in the call statistics of `host` (a communicator) while it has a stat reporter, as
   * callee-side reports of server `app.server` at `localip` (in SET `setdivision` if given): its iRet and the time
   * from its arrival to its answer, and requests the adapter's queue refused ({@link countRefusal}). tars_ping,
   * tars_describe and requests the dispatcher refuses (version, SET, unknown servant) are not counted.
   */
  reportStatsTo(host: {readonly statReporter?: StatReporter | undefined}, app: string, server: string, localip: string,
    setdivision?: string): this {
    this.statHost = host;
    this.statIdentity = {app, server, localip, setdivision};
    this.statOf = undefined;
    return this;
  }

  /** The scope requests are counted in now; undefined while there is no stat reporter. */
  private statScope(): ServerStatScope | undefined {
    const reporter = this.statHost?.statReporter;
    if (reporter === undefined) return undefined;
    if (this.statOf !== reporter) {
      const id = this.statIdentity!;
      this.statOf = reporter;
      this.statScopeOf = reporter.serverScope(id.app, id.server, id.localip, id.setdivision);
    }
    return this.statScopeOf;
  }

  /**
   * Counts in the call statistics a request the adapter refused before it reached its servant (-9 queue full, -6
   * waited past queuetimeout), as the call it would have been: so overload shows in the callee-side counts.
   */
  countRefusal(req: RequestPacket, origin: RequestOrigin, iRet: number, arrivedAt: number): void {
    if (this.statHost === undefined || req.sFuncName === TARS_PING || !this.servants.has(req.sServantName)) return;
    this.statScope()?.record(req.sFuncName, origin.remote?.host ?? '', iRet, req.cPacketType === PacketType.TARSONEWAY,
      performance.now() - arrivedAt);
  }

  has(name: string): boolean {
    return this.servants.has(name);
  }

  get(name: string): Servant | undefined {
    return this.servants.get(name);
  }

  names(): string[] {
    return [...this.servants.keys()];
  }

  /**
   * Decodes a request frame (length prefix included). Throws a TarsError when the frame is not a RequestPacket:
   * then there is no request id to answer to, and the caller closes the connection.
   */
  decode(frame: Uint8Array): RequestPacket {
    try {
      return readRequestPacket(new TarsReader(frame, 4, frame.length));
    } catch (error) {
      throw new TarsError('PACKET_MALFORMED', `cannot decode a RequestPacket: ${(error as Error).message}`);
    }
  }

  /**
   * Serves one decoded request: the response frame, or null when nothing is to be sent (one-way); a promise of
   * either only when the servant answers asynchronously. Never throws or rejects. `arrivedAt` (performance.now()
   * when the request was read) starts the time the stat report counts, so it includes the wait in the queue, as
   * TarsGo's does; without it the time starts here.
   */
  handle(req: RequestPacket, origin: RequestOrigin, arrivedAt?: number): Buffer | null | Promise<Buffer | null> {
    const refusal = this.refusal(req);
    if (refusal) return this.answer(req, refusal);
    const servant = this.servants.get(req.sServantName);
    if (!servant) {
      return this.answer(req, {iRet: ReturnCode.TARSSERVERNOSERVANTERR, sBuffer: EMPTY,
        sResultDesc: `no servant "${req.sServantName}" here (this server has ${this.names().join(', ') || 'none'})`});
    }
    if (this.reflection && req.sFuncName === TARS_DESCRIBE) return this.answer(req, describe(servant, req.iVersion));
    const ctx = new CallContext({
      servant: req.sServantName, func: req.sFuncName, requestId: req.iRequestId, version: req.iVersion,
      oneway: req.cPacketType === PacketType.TARSONEWAY, messageType: req.iMessageType, context: req.context,
      status: req.status, adapter: origin.adapter, timeout: req.iTimeout, remote: origin.remote,
    });
    const stat = this.statHost === undefined ? undefined : this.statScope();
    const started = stat === undefined ? 0 : arrivedAt ?? performance.now();
    const span = this.tracer === undefined ? undefined : this.tracer.serverSpan(ctx, req.sBuffer.length);
    const outcome = span === undefined ? this.serve(req, ctx, servant)
      : span.run(() => this.serve(req, ctx, servant));
    if (outcome instanceof Promise) return outcome.then((o) => this.finish(req, ctx, o, stat, started, span));
    return this.finish(req, ctx, outcome, stat, started, span);
  }

  /** The servant's outcome: through the dye hook for a dyed request, through the interceptors when there are some. */
  private serve(req: RequestPacket, ctx: CallContext, servant: Servant): ServerOutcome | Promise<ServerOutcome> {
    return (req.iMessageType & MessageType.TARSMESSAGETYPEDYED) !== 0 && this.dyeHook !== undefined
      ? this.dyed(this.dyeHook, ctx, servant, req.sBuffer)
      : this.interceptors.length === 0 ? servant.$call(ctx, req.sBuffer)
        : this.intercepted(this.interceptors, 0, ctx, servant, req.sBuffer);
  }

  /** Traces the requests this tracer samples or whose callers trace them (core/src/rpc/trace). */
  traceWith(tracer: Tracer): this {
    this.tracer = tracer;
    return this;
  }

  /**
   * Runs interceptor `i` of `chain` around the rest of it, the servant at its end. What an interceptor throws or
   * rejects with is answered as a servant's error would be: the chain, like the servant, never throws.
   */
  private intercepted(chain: readonly ServerInterceptor[], i: number, ctx: CallContext, servant: Servant,
    body: Uint8Array): ServerOutcome | Promise<ServerOutcome> {
    if (i === chain.length) return servant.$call(ctx, body);
    try {
      const outcome = chain[i]!(ctx, () => this.intercepted(chain, i + 1, ctx, servant, body));
      return outcome instanceof Promise ? outcome.catch(thrown) : outcome;
    } catch (error) {
      return thrown(error);
    }
  }

  /** A dyed request: the dye hook around the interceptors and the servant; what it throws is answered as theirs. */
  private dyed(hook: ServerInterceptor, ctx: CallContext, servant: Servant, body: Uint8Array):
    ServerOutcome | Promise<ServerOutcome> {
    const rest = (): ServerOutcome | Promise<ServerOutcome> => (this.interceptors.length === 0
      ? servant.$call(ctx, body) : this.intercepted(this.interceptors, 0, ctx, servant, body));
    try {
      const outcome = hook(ctx, rest);
      return outcome instanceof Promise ? outcome.catch(thrown) : outcome;
    } catch (error) {
      return thrown(error);
    }
  }

  /** The answer to a request that is not for a servant method: bad version, wrong SET, tars_ping. */
  private refusal(req: RequestPacket): DispatchResult | undefined {
    if (!SUPPORTED_VERSIONS.has(req.iVersion)) {
      return {iRet: ReturnCode.TARSSERVERDECODEERR, sBuffer: EMPTY,
        sResultDesc: `protocol version ${req.iVersion} is not supported (1 TARS, 2/3 TUP, 5 JSON)`};
    }
    if (this.ownSet && !this.setAllowed(req)) {
      return {iRet: ReturnCode.TARSINVOKEBYINVALIDESET, sBuffer: EMPTY, sResultDesc: `a call from SET ` +
        `${req.status.get(StatusKey.SETNAME)} may not reach SET ${this.ownSet.name}.${this.ownSet.area}.` +
        this.ownSet.group};
    }
    if (req.sFuncName === TARS_PING) return {iRet: ReturnCode.TARSSERVERSUCCESS, sBuffer: EMPTY, sResultDesc: ''};
    return undefined;
  }

  /** The response frame of a result the dispatcher produced itself (none for one-way requests). */
  private answer(req: RequestPacket, result: DispatchResult): Buffer | null {
    return req.cPacketType === PacketType.TARSONEWAY ? null : this.reply(req, result, NO_ENTRIES);
  }

  /**
   * The response frame of a servant call; a TARS-version result is encoded straight into the frame. Whatever cannot
   * be encoded (the result, or a response context the servant filled with non-strings) is answered -2 without the
   * context: every request gets its answer.
   */
  private finish(req: RequestPacket, ctx: CallContext, outcome: DispatchResult | CallSuccess,
    stat: ServerStatScope | undefined, started: number, span?: ServerSpan): Buffer | null {
    if (ctx.oneway) {
      stat?.record(req.sFuncName, ctx.remote?.host ?? '', outcome.iRet, true, performance.now() - started);
      span?.end(outcome.iRet, undefined, 'plan' in outcome ? undefined : outcome.sResultDesc || undefined);
      return null;
    }
    const frame = this.encodeOutcome(req, ctx, outcome);
    if (stat !== undefined) {
      stat.record(req.sFuncName, ctx.remote?.host ?? '', frame === null ? ReturnCode.TARSSERVERENCODEERR : outcome.iRet,
        false, performance.now() - started);
    }
    if (span !== undefined) this.endSpan(span, req, outcome, frame);
    return frame ?? this.reply(req, {iRet: ReturnCode.TARSSERVERENCODEERR, sBuffer: EMPTY,
      sResultDesc: `encoding the answer to ${req.sFuncName}: ${this.encodeError}`}, NO_ENTRIES);
  }

  /** Ends a traced request's span with its answer's code and body size (encoded aside: traced requests only). */
  private endSpan(span: ServerSpan, req: RequestPacket, outcome: DispatchResult | CallSuccess, frame: Buffer | null):
    void {
    if (frame === null) {
      span.end(ReturnCode.TARSSERVERENCODEERR, undefined, this.encodeError);
    } else if ('plan' in outcome) {
      let bytes: number | undefined;
      try {
        bytes = encodeResponseBody(outcome.plan.op, req.iVersion, outcome.result, tupOptionsFor(req)).length;
      } catch {
        bytes = undefined;
      }
      span.end(outcome.iRet, bytes);
    } else {
      span.end(outcome.iRet, outcome.sBuffer.length, outcome.iRet === 0 ? undefined : outcome.sResultDesc);
    }
  }

  /** Why the last {@link encodeOutcome} returned null. */
  private encodeError = '';

  /** The response frame of an outcome; null when it cannot be encoded (then {@link encodeError} says why). */
  private encodeOutcome(req: RequestPacket, ctx: CallContext, outcome: DispatchResult | CallSuccess): Buffer | null {
    const context = ctx.$responseContextIfAny() ?? NO_ENTRIES;
    try {
      if (!('plan' in outcome)) return this.reply(req, outcome, context);
      if (req.iVersion === Version.TARSVERSION) {
        return encodeResponseFrameWith({iVersion: req.iVersion, cPacketType: PacketType.TARSNORMAL,
          iRequestId: req.iRequestId, iMessageType: req.iMessageType, iRet: ReturnCode.TARSSERVERSUCCESS,
          status: NO_ENTRIES, sResultDesc: '', context},
        (w) => writeResponseBody(w, outcome.plan, outcome.result));
      }
      const sBuffer = encodeResponseBody(outcome.plan.op, req.iVersion, outcome.result, tupOptionsFor(req));
      return this.reply(req, {iRet: ReturnCode.TARSSERVERSUCCESS, sBuffer, sResultDesc: ''}, context);
    } catch (error) {
      this.encodeError = (error as Error).message;
      return null;
    }
  }

  private setAllowed(req: RequestPacket): boolean {
    if ((req.iMessageType & MessageType.TARSMESSAGETYPESETNAME) === 0) return true;
    const caller = parseSetId(req.status.get(StatusKey.SETNAME));
    return !caller || acceptsSetCall(this.ownSet!, caller);
  }

  /** The response frame for a request and its outcome (also used for -6/-9 answers of the queue). */
  reply(req: RequestPacket, result: DispatchResult, context: ReadonlyMap<string, string>): Buffer {
    if (req.iVersion === Version.TUPVERSION || req.iVersion === Version.TUP_COMPLEX) {
      // TUP replies are RequestPacket-shaped; the framework result travels in the status map. Both keys are always
      // written (as @tars/stream does); TarsCpp and TarsGo clients read a missing code as 0 anyway.
      return encodeRequestFrame(requestPacket({
        iVersion: req.iVersion, cPacketType: PacketType.TARSNORMAL, iMessageType: req.iMessageType,
        iRequestId: req.iRequestId, sServantName: req.sServantName, sFuncName: req.sFuncName,
        sBuffer: result.sBuffer.length === 0 ? EMPTY_TUP : result.sBuffer, iTimeout: req.iTimeout, context,
        status: new Map([[StatusKey.RESULT_CODE, String(result.iRet)], [StatusKey.RESULT_DESC, result.sResultDesc]]),
      }));
    }
    return encodeResponseFrame(responsePacket({
      iVersion: req.iVersion, cPacketType: PacketType.TARSNORMAL, iRequestId: req.iRequestId,
      iMessageType: req.iMessageType, iRet: result.iRet, sBuffer: result.sBuffer, sResultDesc: result.sResultDesc,
      context,
    }));
  }
}

const LIST_UPPER = Buffer.from('List<');

/** TUP v2 replies spell list type names as the request did (@tars/stream: "List<", TarsJava/TarsCpp: "list<"). */
function tupOptionsFor(req: RequestPacket): UniAttributeOptions | undefined {
  if (req.iVersion !== Version.TUP_COMPLEX) return undefined;
  return Buffer.from(req.sBuffer.buffer, req.sBuffer.byteOffset, req.sBuffer.byteLength).includes(LIST_UPPER)
    ? {listSpelling: 'List'} : undefined;
}

const DESCRIBE_OP = {name: TARS_DESCRIBE, ret: T.string, params: []};

/** The answer to tars_describe: the servant's interface as JSON, returned as a string. */
function describe(servant: Servant, version: number): DispatchResult {
  const text = JSON.stringify(interfaceToJson(servant.$interface));
  return {iRet: ReturnCode.TARSSERVERSUCCESS, sBuffer: encodeResponseBody(DESCRIBE_OP, version, {ret: text}),
    sResultDesc: ''};
}
