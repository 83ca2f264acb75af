// `tars call --trace`: the call starts a trace (whatever the services' sample rates: a traced caller's trace is
// continued), the CLI's own span goes to the log daemon as every service's does, and once the call is answered the
// spans are read back through the log daemon's LogQueryObj until the tree stops growing.
import type {Communicator} from '@tars-ts/core';
import type {ResolvedTarget, Trace} from '@tars-ts/kit';

/** The log daemon's objects, resolved by name through the locator. */
const LOG_OBJ = 'tars.tarslog.LogObj';
const LOG_QUERY_OBJ = 'tars.tarslog.LogQueryObj';
/** The name the CLI's spans carry as caller (as its stat reports do). */
const CALLER = 'tars.call';

/** What a traced call found of its trace. */
export interface CollectedTrace {
  readonly traceId: string;
  /** The tree, when the log daemon had the trace. */
  readonly trace?: Trace;
  /** Why there is no tree (no locator, no log daemon, nothing arrived in time). */
  readonly note?: string;
}

export class CallTrace {
  private traceId?: string;
  private readonly startedAt = Date.now();

  private constructor(private readonly tracer: import('@tars-ts/core').Tracer,
    private readonly remote: import('@tars-ts/core').RemoteLog | undefined,
    private readonly queries: (() => Promise<import('@tars-ts/core/framework').LogQuery.LogQueryProxy[]>) | undefined) {}

  /**
   * A tracer on `comm` (its client side installed at once). Through a locator the CLI's span goes to the log daemon
   * and the trace is read back from it; with a direct endpoint the trace context still goes out (the services record
   * their spans) but there is no daemon to ask.
   */
  static async start(comm: Communicator, target: ResolvedTarget): Promise<CallTrace> {
    const [core, {LogF, LogQuery}] = await Promise.all([import('@tars-ts/core'), import('@tars-ts/core/framework')]);
    const viaRegistry = target.via === 'locator';
    let remote: import('@tars-ts/core').RemoteLog | undefined;
    if (viaRegistry) {
      const log = comm.stringToProxy(LogF.LogProxy, LOG_OBJ, {timeout: 2000});
      remote = new core.RemoteLog((t, lines) => (t.kind === 'info' ? log.loggerbyInfo(t.info, lines)
        : log.logger(t.app, t.server, t.file, t.format, lines)), {intervalMs: 200});
    }
    const tracer = new core.Tracer({moduleName: CALLER, sinks: remote ? [new core.LogSpanSink(remote, 'tars', 'call')]
      : [], onActive: (t) => comm.use(t.clientInterceptor)});
    // Every live instance of the log daemon: each service sends each batch of spans to one of them.
    const queries = viaRegistry ? async () => (await comm.objectProxy(LOG_QUERY_OBJ).activeEndpoints())
      .map((e) => comm.stringToProxy(LogQuery.LogQueryProxy, `${LOG_QUERY_OBJ}@${core.formatEndpoint(e)}`,
        {timeout: 3000})) : undefined;
    return new CallTrace(tracer, remote, queries);
  }

  /** Runs the call as the root of a new trace. */
  run<T>(call: () => Promise<T>): Promise<T> {
    const {traceId, result} = this.tracer.runTraced(call);
    this.traceId = traceId;
    return result;
  }

  /**
   * Sends the CLI's span, then reads the trace back until it is whole (every span has both its lines, and two
   * reads 700 ms apart agree) or `waitMs` has passed: the services send their spans with their log lines, in batches
   * about once a second.
   */
  async collect(waitMs = 8000): Promise<CollectedTrace> {
    const traceId = this.traceId!;
    if (this.remote) await Promise.race([this.remote.close(2000), delay(2500)]);
    if (!this.queries) {
      return {traceId, note: 'the call went to an endpoint, not through a registry: no log daemon to read the ' +
        `trace from (tars trace show ${traceId} --locator ... finds it where the services log)`};
    }
    const {readCallChains} = await import('@tars-ts/kit');
    const deadline = Date.now() + waitMs;
    let last: Trace | undefined;
    let lastCount = -1;
    for (;;) {
      let trace: Trace | undefined;
      try {
        const {traces} = await readCallChains(await this.queries(), {traceId, sinceMs: this.startedAt - 60_000});
        trace = traces.find((t) => t.traceId === traceId);
      } catch (error) {
        return {traceId, note: `the log daemon did not answer (${(error as Error).message.split(';')[0]}): ` +
          `tars trace show ${traceId} later`};
      }
      const count = trace?.nodes.length ?? 0;
      const whole = trace !== undefined && trace.nodes.every((n) => !n.span.partial);
      if (whole && count === lastCount) return {traceId, trace: trace!};
      last = trace ?? last;
      lastCount = count;
      if (Date.now() >= deadline) {
        return last ? {traceId, trace: last, note: 'spans may still be on their way: tars trace show ' + traceId}
          : {traceId, note: `no span of ${traceId} reached the log daemon in ${waitMs} ms: are the services ` +
            'deployed with "<server> log" (tars cluster does it)?'};
      }
      await delay(700);
    }
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
