import {TarsError} from '../../errors/tars-error.js';
import {MessageType, PacketType, ReturnCode, StatusKey, TARS_PING, Version} from '../../protocol/constants.js';
import {type Endpoint, type ProxyTarget, endpointKey} from '../../protocol/endpoint.js';
import type {TarsWriter} from '../../codec/writer.js';
import {
  type OperationDef, RECEIVED_BODY, decodeResponseBody, encodeRequestArgs, operationPlan, readResponseBody,
  writeRequestArgs,
} from '../../protocol/operation.js';
import {type ResponsePacket, encodeRequestFrame, encodeRequestFrameWith} from '../../protocol/packets.js';
import type {CallOptions} from '../call-options.js';
import {type ClientCall, type ClientInterceptor, type ClientNext, type RawCall, type RawResult, composeClient} from
  '../interceptors.js';
import type {Invoker} from '../servant-proxy.js';
import {TarsCallError} from '../../errors/call-error.js';
import {type Channel, LocalFailure} from './channel.js';
import {EndpointManager, type HashType, type PickOptions} from './governance/endpoint-manager.js';
import type {BlockingPolicy} from './governance/types.js';
import {parseSetId, selectBySet} from '../set-routing.js';
import {currentDyeKey, dyeingStarted} from '../dye.js';
import {type ClientStatScope, StatOutcome, type StatReporter} from '../stat/stat-reporter.js';

/** Options of one proxy (what `stringToProxy` takes besides the object). */
export interface ProxyOptions {
  /**
   * Load balancing of calls without a hash code: `round-robin`, `weighted` (by `-w`), `hash`, `consistent-hash`, or
   * any registered strategy. Default: `weighted` when every endpoint has `-v 1`, else round robin (TarsCpp's rule).
   */
  loadBalance?: string;
  /** How a call's hash code picks an endpoint: `modulo` (default, TarsCpp tars_hash) or `consistent`. */
  hashType?: HashType;
  /** Default timeout of its calls, ms (else the communicator's sync-invoke-timeout). */
  timeout?: number;
  /** Protocol version of its calls: 1 TARS (default), 2 or 3 TUP, 5 JSON. */
  version?: number;
  /** TUP v2: spell list type names "List<...>" for @tars/stream peers. */
  tupListSpelling?: 'list' | 'List';
}

/** What a locator lookup found. */
export interface Located {
  active: Endpoint[];
  inactive: Endpoint[];
  /**
   * Set when the registry could not be asked and these lists are the last ones kept (the endpoint cache file): the
   * failure. The proxy uses them only when it knows nothing newer, and retries the registry as after a failure.
   */
  stale?: unknown;
}

/** What an object proxy needs from its communicator. */
export interface ProxyHost {
  /** Endpoint blocking knobs (framework.md 5.1). */
  readonly blocking: Partial<BlockingPolicy>;
  readonly syncInvokeTimeout: number;
  readonly asyncInvokeTimeout: number;
  readonly setdivision?: string;
  nextRequestId(): number;
  channel(endpoint: Endpoint, servant?: string): Channel;
  /** Active and inactive endpoints of an object, from the locator (throws NO_LOCATOR when there is none). */
  locate(objName: string): Promise<Located>;
  readonly refreshEndpointInterval: number;
  /** Interceptors of every proxy of the host, outermost first (replaced, never mutated, when one is added). */
  readonly interceptors: readonly ClientInterceptor[];
  /** Where calls are counted for the stat daemon; undefined when no `stat` object is configured. */
  readonly statReporter?: StatReporter | undefined;
}

/** A request whose connection failed goes to another endpoint only with at least this much of its timeout left, ms. */
const RESEND_MIN_MS = 5;
/** A proxy whose calls find nothing that answers looks its endpoints up again at most this often, ms. */
const EARLY_REFRESH_MS = 2000;
/** The wait before retrying a failed locator lookup; doubled for each failure in a row. */
export const LOOKUP_BACKOFF_MS = 1000;

/** Shared by calls without context or status: encoding only reads it. */
const NO_ENTRIES: ReadonlyMap<string, string> = new Map();

function toMap(m: ReadonlyMap<string, string> | Readonly<Record<string, string>> | undefined): Map<string, string> {
  if (!m) return new Map();
  return m instanceof Map ? new Map(m) : new Map(Object.entries(m));
}

/** A 31-bit non-negative hash of a hash code given as number, bigint or string (what a hashed call routes by). */
export function hashOf(code: number | bigint | string): number {
  if (typeof code === 'number') return Math.abs(Math.trunc(code)) % 2147483647;
  if (typeof code === 'bigint') return Number((code < 0n ? -code : code) % 2147483647n);
  let h = 0;
  for (let i = 0; i < code.length; i++) h = (Math.imul(h, 31) + code.charCodeAt(i)) | 0;
  return Math.abs(h);
}

/**
 * The client side of one servant (object): encodes calls, picks an endpoint, sends through the communicator's
 * channels, enforces timeouts and turns failures into {@link TarsCallError}s. Endpoints are fixed (`Obj@...`) or
 * resolved through the locator and refreshed every `refresh-endpoint-interval`. Implements {@link Invoker} for
 * generated proxies.
 */
export class ObjectProxy implements Invoker {
  readonly objName: string;
  private readonly fixed: boolean;
  private resolving?: Promise<void>;
  private resolvedAt = 0;
  /** Failed locator lookups in a row, and when the next one may be tried (exponential back-off). */
  private lookupFailures = 0;
  private retryAt = 0;
  private lastLookupError?: unknown;
  /** Membership, health (blocking) and load balancing of this object's endpoints. */
  readonly endpointManager: EndpointManager;
  private own: readonly ClientInterceptor[] = [];
  /** The composed chain and the interceptor lists it was composed from; undefined while there is none. */
  private chain?: {next: ClientNext; host: readonly ClientInterceptor[]; own: readonly ClientInterceptor[]};
  /** The end of every chain: the transport, with the call's own options and endpoint. */
  private readonly transportNext: ClientNext = (c) => this.transport(c, c.options, c.endpoint);
  /** The reporter {@link statScope} was taken from, and the scope (null: this object's calls are not counted). */
  private statOf?: StatReporter;
  private statScopeOf: ClientStatScope | null = null;

  constructor(private readonly host: ProxyHost, target: ProxyTarget, readonly options: ProxyOptions = {}) {
    this.objName = target.objName;
    this.fixed = target.endpoints !== undefined;
    this.endpointManager = new EndpointManager({policy: host.blocking,
      ...(options.loadBalance ? {balancer: options.loadBalance} : {})});
    if (target.endpoints) this.endpointManager.setEndpoints(this.inOwnSet(target.endpoints));
  }

  /**
   * Adds an interceptor to this proxy's calls, inside the communicator's (which run first). See
   * core/src/rpc/interceptors.ts for the contract.
   */
  use(interceptor: ClientInterceptor): this {
    this.own = [...this.own, interceptor];
    return this;
  }

  /** The chain for the next call, recomposed only when an interceptor list changed. */
  private currentChain(): ClientNext | undefined {
    const host = this.host.interceptors;
    if (host.length === 0 && this.own.length === 0) return undefined;
    if (this.chain?.host !== host || this.chain.own !== this.own) {
      this.chain = {next: composeClient([...host, ...this.own], this.transportNext), host, own: this.own};
    }
    return this.chain.next;
  }

  /** Where this call is counted: null without a stat reporter, for the stat objects themselves and for tars_ping. */
  private statScope(func: string): ClientStatScope | null {
    const reporter = this.host.statReporter;
    if (reporter === undefined || func === TARS_PING) return null;
    if (this.statOf !== reporter) {
      this.statOf = reporter;
      this.statScopeOf = reporter.scope(this.objName);
    }
    return this.statScopeOf;
  }

  /** The endpoints currently known (after a locator lookup for names without `@`). */
  async activeEndpoints(): Promise<Endpoint[]> {
    await this.ensureEndpoints();
    return [...this.endpointManager.endpoints];
  }

  /** Inside a SET, only the endpoints the SET rules allow (the registry applies them too; fixed lists need it). */
  private inOwnSet(list: readonly Endpoint[]): Endpoint[] {
    const own = parseSetId(this.host.setdivision);
    return own ? selectBySet(list, own) : [...list];
  }

  /**
   * Makes sure the endpoints of a name without `@` are known and fresh. A failed lookup is not repeated by every
   * call: the next try waits {@link LOOKUP_BACKOFF_MS}, doubling with each failure in a row up to the refresh
   * interval; meanwhile calls go on with the old list, or, with none, fail at once with the last lookup's error.
   */
  private ensureEndpoints(): Promise<void> {
    if (this.fixed) return Promise.resolve();
    const known = this.endpointManager.endpoints.length > 0;
    const now = Date.now();
    const stale = now - this.resolvedAt > this.host.refreshEndpointInterval;
    if (known && !stale) return Promise.resolve();
    if (!this.resolving && now < this.retryAt) {
      return known ? Promise.resolve() : Promise.reject(this.lastLookupError);
    }
    const failed = (error: unknown): void => {
      this.lookupFailures++;
      this.lastLookupError = error;
      this.retryAt = Date.now() + Math.min(LOOKUP_BACKOFF_MS * 2 ** (this.lookupFailures - 1),
        Math.max(LOOKUP_BACKOFF_MS, this.host.refreshEndpointInterval));
    };
    this.resolving ??= this.host.locate(this.objName).then(({active, stale}) => {
      const list = this.inOwnSet(active);
      if (stale !== undefined) {
        // The registry is away: the kept lists serve only a proxy that knows nothing newer.
        if (!known && list.length > 0) this.endpointManager.setEndpoints(list);
        failed(stale);
        if (!known && list.length === 0) throw stale;
        return;
      }
      // An empty answer keeps the old list (TarsCpp, TarsGo): a registry hiccup must not stop the traffic.
      if (list.length > 0 || !known) this.endpointManager.setEndpoints(list);
      this.resolvedAt = Date.now();
      this.lookupFailures = 0;
      this.retryAt = 0;
    }, (error: unknown) => {
      failed(error);
      throw error;
    }).finally(() => {
      this.resolving = undefined;
    });
    // With endpoints known, a refresh runs in the background and calls go on with the old list.
    if (known) {
      this.resolving.catch(() => undefined);
      return Promise.resolve();
    }
    return this.resolving;
  }

  /** {@link Invoker}: a typed call from a generated proxy. */
  async invoke(op: OperationDef, args: readonly unknown[], options: CallOptions = {}): Promise<Record<string, unknown>> {
    const version = options.version ?? this.options.version ?? Version.TARSVERSION;
    const plan = operationPlan(op);
    let sBuffer: RawCall['sBuffer'];
    if (version === Version.TARSVERSION) {
      sBuffer = (w) => writeRequestArgs(w, plan, args); // straight into the request frame
    } else {
      const tup = this.options.tupListSpelling ? {listSpelling: this.options.tupListSpelling} : undefined;
      sBuffer = encodeRequestArgs(op, version, args, tup);
    }
    const routeKey = plan.routeParam >= 0 ? String(args[plan.routeParam]) : undefined;
    const {response, endpoint} = await this.call({func: op.name, sBuffer, version, routeKey}, options);
    if (!response) return {};
    try {
      // A TARS body is read from the received frame itself (large byte arrays as views of it).
      return response.iVersion === Version.TARSVERSION ? readResponseBody(plan, response.sBuffer, RECEIVED_BODY)
        : decodeResponseBody(op, response.iVersion, response.sBuffer);
    } catch (error) {
      throw new TarsCallError(ReturnCode.TARSCLIENTDECODEERR, `cannot decode the response: ${(error as Error).message}`,
        {obj: this.objName, func: op.name, endpoint: endpointKey(endpoint)}, true);
    }
  }

  /**
   * Sends one request through the interceptor chain and waits for its response (none for one-way calls). A
   * response with a non-zero iRet rejects with a TarsCallError carrying that code and the server's text.
   */
  call(raw: RawCall, options: CallOptions = {}, endpointOverride?: Endpoint): Promise<RawResult> {
    const chain = this.currentChain();
    if (chain === undefined) return this.transport(raw, options, endpointOverride);
    const call: ClientCall = {func: raw.func, sBuffer: raw.sBuffer, version: raw.version, routeKey: raw.routeKey,
      obj: this.objName, options, endpoint: endpointOverride};
    try {
      return chain(call);
    } catch (error) {
      // An interceptor that throws instead of rejecting: callers see a rejected promise either way.
      return Promise.reject(error);
    }
  }

  /** The end of the chain: picks an endpoint, encodes the request, sends it and maps failures. */
  private async transport(raw: RawCall, options: CallOptions, endpointOverride: Endpoint | undefined):
    Promise<RawResult> {
    const started = performance.now();
    if (!endpointOverride && !this.fixed) {
      try {
        await this.ensureEndpoints();
      } catch (error) {
        if (error instanceof TarsError && error.code === 'NO_LOCATOR') throw error;
        throw new TarsCallError(ReturnCode.TARSADAPTERNULL,
          `cannot resolve the object through the locator: ${(error as Error).message}`, {obj: this.objName,
            func: raw.func}, true);
      }
    }
    let picked = endpointOverride;
    const pickOptions = options.hashCode === undefined ? undefined
      : {hash: hashOf(options.hashCode), hashType: options.hashType ?? this.options.hashType ?? 'modulo'};
    if (!picked) {
      const pick = this.endpointManager.pick(pickOptions);
      if (pick.kind === 'none') {
        throw new TarsCallError(ReturnCode.TARSADAPTERNULL, this.fixed ? pick.reason
          : `the locator lists no active endpoint${this.host.setdivision ? ` in SET ${this.host.setdivision}` : ''}`,
        {obj: this.objName, func: raw.func}, true);
      }
      picked = pick.endpoint;
    }
    let endpoint: Endpoint = picked;
    const oneway = options.oneway === true;
    let messageType: number = MessageType.TARSMESSAGETYPENULL;
    let status: ReadonlyMap<string, string> = NO_ENTRIES;
    // A call made while serving a dyed request carries its dye on (core/src/rpc/dye.ts); one boolean test otherwise.
    const dyeKey = options.dyeKey ?? (dyeingStarted() ? currentDyeKey() : undefined);
    const needsStatus = options.status !== undefined || dyeKey !== undefined || raw.routeKey !== undefined ||
      this.host.setdivision !== undefined;
    if (needsStatus) {
      const s = toMap(options.status);
      if (dyeKey !== undefined) {
        messageType |= MessageType.TARSMESSAGETYPEDYED;
        s.set(StatusKey.DYED, dyeKey);
      }
      if (raw.routeKey !== undefined) {
        messageType |= MessageType.TARSMESSAGETYPEGRID;
        s.set(StatusKey.GRID, raw.routeKey);
      }
      if (this.host.setdivision) {
        messageType |= MessageType.TARSMESSAGETYPESETNAME;
        s.set(StatusKey.SETNAME, this.host.setdivision);
      }
      // A traced call (core/src/rpc/trace) says so in the message type, as TarsCpp's servers expect.
      if (s.has(StatusKey.TRACE)) messageType |= MessageType.TARSMESSAGETYPETRACE;
      status = s;
    }
    if (options.hashCode !== undefined) messageType |= MessageType.TARSMESSAGETYPEHASH;
    if (options.async) messageType |= MessageType.TARSMESSAGETYPEASYNC;
    const timeout = options.timeout ?? this.options.timeout ??
      (options.async ? this.host.asyncInvokeTimeout : this.host.syncInvokeTimeout);
    const requestId = this.host.nextRequestId();
    const packet = {
      iVersion: raw.version ?? Version.TARSVERSION, cPacketType: oneway ? PacketType.TARSONEWAY : PacketType.TARSNORMAL,
      iMessageType: messageType, iRequestId: requestId, sServantName: this.objName, sFuncName: raw.func,
      iTimeout: timeout, context: options.context ? toMap(options.context) : NO_ENTRIES, status,
    };
    const frame = typeof raw.sBuffer === 'function' ? encodeRequestFrameWith(packet, raw.sBuffer)
      : encodeRequestFrame({...packet, sBuffer: raw.sBuffer});
    let response: ResponsePacket | null;
    let tried: Endpoint[] | undefined;
    for (;;) {
      try {
        const left = tried ? Math.max(1, Math.round(timeout - (performance.now() - started))) : timeout;
        response = await this.host.channel(endpoint, this.objName).send(frame, requestId, left, oneway);
        break;
      } catch (error) {
        if (!(error instanceof LocalFailure)) throw error;
        // Endpoint health counts what TarsGo counts: local timeouts and send/connect failures, not server answers.
        const timedOut = error.code === ReturnCode.TARSINVOKETIMEOUT;
        this.endpointManager.report(endpoint, timedOut ? 'timeout' : error.connectFailed ? 'connect-failure'
          : 'failure');
        // No answer: TarsGo's returnValue -1.
        this.statScope(raw.func)?.record(endpoint, raw.func, -1, timedOut ? StatOutcome.TIMEOUT : StatOutcome.ERROR,
          performance.now() - started);
        const next = endpointOverride ? undefined : this.resendTo(error, endpoint, (tried ??= []), pickOptions,
          timeout - (performance.now() - started));
        if (!next) {
          if (!endpointOverride && (timedOut || error.connectFailed)) this.refreshSoon();
          throw new TarsCallError(error.code, error.message, {obj: this.objName, func: raw.func,
            endpoint: endpointKey(endpoint)}, true);
        }
        endpoint = next;
      }
    }
    this.endpointManager.report(endpoint, 'success');
    const ms = performance.now() - started;
    const stat = this.statScope(raw.func);
    if (response && response.iRet !== 0) {
      stat?.record(endpoint, raw.func, response.iRet, StatOutcome.ERROR, ms);
      throw new TarsCallError(response.iRet, response.sResultDesc || 'the server reported a failure',
        {obj: this.objName, func: raw.func, endpoint: endpointKey(endpoint)}, false);
    }
    if (stat !== null) stat.record(endpoint, raw.func, 0, StatOutcome.SUCCESS, ms);
    return {response, endpoint, ms};
  }

  /**
   * Where a request goes after `failed` could not take it, or undefined when it fails as it is: only a request that
   * never left (its connection could not be opened, so no server saw it; gRPC's transparent retry) goes again, to
   * an endpoint not tried yet for it (the failed one is blocked by now, so the pick moves on), while at least
   * RESEND_MIN_MS of its timeout are left. A refused auth handshake is not resent: every endpoint would refuse it.
   */
  private resendTo(error: LocalFailure, failed: Endpoint, tried: Endpoint[], pickOptions: PickOptions | undefined,
    leftMs: number): Endpoint | undefined {
    if (!error.connectFailed || error.code !== ReturnCode.TARSPROXYCONNECTERR || leftMs < RESEND_MIN_MS) return undefined;
    tried.push(failed);
    const picked = this.endpointManager.pick(pickOptions);
    if (picked.kind === 'none' || tried.some((e) => endpointKey(e) === endpointKey(picked.endpoint))) return undefined;
    return picked.endpoint;
  }

  /**
   * After a call that nothing answered and that had nowhere else to go: the list may be out of date (its servers
   * gone, others registered since), so the next call looks it up again, in the background, instead of waiting for
   * the refresh interval; at most once per {@link EARLY_REFRESH_MS} a proxy. A list given with `@` has nothing to
   * refresh.
   */
  private refreshSoon(): void {
    if (this.fixed) return;
    const due = Date.now() - this.host.refreshEndpointInterval;
    if (this.resolvedAt > due && Date.now() - this.resolvedAt >= EARLY_REFRESH_MS) this.resolvedAt = due - 1;
  }

  /** `tars_ping` to every endpoint: the round-trip time of each, or its error. */
  async ping(options: CallOptions = {}): Promise<{endpoint: Endpoint; ms?: number; error?: TarsError}[]> {
    await this.ensureEndpoints();
    return Promise.all(this.endpointManager.endpoints.map(async (endpoint) => {
      try {
        const {ms} = await this.call({func: TARS_PING, sBuffer: new Uint8Array(0)}, options, endpoint);
        return {endpoint, ms};
      } catch (error) {
        if (error instanceof TarsError) return {endpoint, error};
        throw error;
      }
    }));
  }
}
