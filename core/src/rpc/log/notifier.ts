/**
 * Reports to the notify daemon (NotifyF.reportNotifyInfo, `<server> notify = tars.tarsnotify.NotifyObj`;
 * framework.md 1.11, 2.8, 3.5) without ever blocking the caller: each report is one RPC started at once, at most
 * `maxPending` in flight; a report beyond that, or one the daemon does not take, is dropped and counted.
 *
 * What is sent, as TarsCpp sends it: `report(message)` is eType REPORT (the daemon derives the severity from
 * "[alarm]", "[error]", "[warn]", "[fail]" in the text); `notify(level, message)` is eType NOTIFY with eLevel. sApp,
 * sServer, sSet, sNodeName and sThreadId (the pid here) are filled from the identity.
 */
import {NOTIFYLEVEL, type NotifyProxy, ReportInfo, ReportType} from '../../framework/NotifyFTars.js';
import {runUndyed} from '../dye.js';

/** Levels of a business alert, by name or by NOTIFYLEVEL value. */
export type NotifyLevel = 'normal' | 'warn' | 'error' | NOTIFYLEVEL;

/** Who reports. */
export interface NotifierIdentity {
  readonly app: string;
  readonly server: string;
  /** `name.area.group` when in a SET. */
  readonly setdivision?: string | undefined;
  readonly nodeName?: string | undefined;
}

export interface NotifierOptions {
  /** Most reports in flight (default 64); further ones are dropped and counted. */
  maxPending?: number;
  /** ms a report RPC may take (default 500: TarsCpp's notify proxy timeout). */
  timeoutMs?: number;
  /**
   * ms between tries of a report the daemon did not take (default 5000; 0: never tried again). A failed report is
   * kept (at most `maxPending` of them, the oldest given up first) and sent again until `retries` tries have failed:
   * the report of the notify daemon's own crash, sent while it restarts, arrives once it is back.
   */
  retryMs?: number;
  /** Tries again per report (default 60: five minutes at the default interval). */
  retries?: number;
}

export interface NotifierStats {
  sent: number;
  /** Report calls that failed (a report tried again counts once per try). */
  failed: number;
  /** Reports given up: the pending bound reached, or every try failed. */
  dropped: number;
  pending: number;
  /** Reports waiting for their next try. */
  retrying: number;
  lastError: string;
}

/** The NOTIFYLEVEL of a level name or value. */
export function notifyLevelOf(level: NotifyLevel): NOTIFYLEVEL {
  if (typeof level === 'number') return level;
  return level === 'error' ? NOTIFYLEVEL.NOTIFYERROR : level === 'warn' ? NOTIFYLEVEL.NOTIFYWARN
    : NOTIFYLEVEL.NOTIFYNORMAL;
}

export class Notifier {
  private readonly counters: NotifierStats = {sent: 0, failed: 0, dropped: 0, pending: 0, retrying: 0, lastError: ''};
  private readonly inFlight = new Set<Promise<void>>();
  private readonly maxPending: number;
  private readonly timeoutMs: number;
  private readonly retryMs: number;
  private readonly retries: number;
  private waiting: {info: ReportInfo; tries: number}[] = [];
  private retryTimer?: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly proxy: NotifyProxy, private readonly identity: NotifierIdentity,
    options: NotifierOptions = {}) {
    this.maxPending = Math.max(1, options.maxPending ?? 64);
    this.timeoutMs = options.timeoutMs ?? 500;
    this.retryMs = Math.max(0, options.retryMs ?? 5000);
    this.retries = Math.max(0, options.retries ?? 60);
  }

  get stats(): NotifierStats {
    return {...this.counters, retrying: this.waiting.length};
  }

  /** A framework event or free text (eType REPORT): "restart", "stop", "[alarm] ...". */
  report(message: string, about?: Partial<NotifierIdentity>): void {
    this.send(ReportType.REPORT, NOTIFYLEVEL.NOTIFYNORMAL, message, about);
  }

  /** A business alert with a level (eType NOTIFY). */
  notify(level: NotifyLevel, message: string, about?: Partial<NotifierIdentity>): void {
    this.send(ReportType.NOTIFY, notifyLevelOf(level), message, about);
  }

  private send(eType: ReportType, eLevel: NOTIFYLEVEL, message: string, about?: Partial<NotifierIdentity>): void {
    if (this.counters.pending >= this.maxPending) {
      this.counters.dropped++;
      return;
    }
    const id = {...this.identity, ...about};
    const info = ReportInfo.create({eType, eLevel, sApp: id.app, sServer: id.server, sSet: id.setdivision ?? '',
      sContainer: '', sMessage: message, sThreadId: String(process.pid), sNodeName: id.nodeName ?? ''});
    // Behind reports waiting for their next try: the daemon gets them in the order they were made.
    if (this.waiting.length > 0) this.later(info, 0);
    else this.call(info, 0);
  }

  /** One try of a report; a failed one waits for the next try, or is given up. */
  private call(info: ReportInfo, tries: number): void {
    this.counters.pending++;
    const call = runUndyed(() => this.proxy.reportNotifyInfo(info, {timeout: this.timeoutMs})).then(() => {
      this.counters.sent++;
    }, (error: unknown) => {
      this.counters.failed++;
      this.counters.lastError = (error as Error)?.message ?? String(error);
      this.later(info, tries + 1);
    }).finally(() => {
      this.counters.pending--;
      this.inFlight.delete(call);
    });
    this.inFlight.add(call);
  }

  private later(info: ReportInfo, tries: number, first = false): void {
    if (this.closed || this.retryMs === 0 || tries > this.retries) {
      this.counters.dropped++;
      return;
    }
    if (first) this.waiting.unshift({info, tries});
    else this.waiting.push({info, tries});
    if (this.waiting.length > this.maxPending) {
      this.waiting.shift();
      this.counters.dropped++;
    }
    this.schedule();
  }

  /** The next try of the waiting reports, unless one is set already. */
  private schedule(): void {
    if (this.waiting.length === 0 || this.closed) return;
    // Outside any dye: the timer must not carry the dye of the request that made the report.
    this.retryTimer ??= runUndyed(() => setTimeout(() => {
      this.retryTimer = undefined;
      void this.retry();
    }, this.retryMs).unref());
  }

  /** Sends the waiting reports one at a time, in order; the first that fails again waits, with those after it. */
  private async retry(): Promise<void> {
    while (this.waiting.length > 0 && !this.closed) {
      const w = this.waiting.shift()!;
      this.counters.pending++;
      try {
        await runUndyed(() => this.proxy.reportNotifyInfo(w.info, {timeout: this.timeoutMs}));
        this.counters.sent++;
      } catch (error) {
        this.counters.failed++;
        this.counters.lastError = (error as Error)?.message ?? String(error);
        this.later(w.info, w.tries + 1, true);
        // Given up (its tries are spent) or not, what waits gets its next try.
        this.schedule();
        return;
      } finally {
        this.counters.pending--;
      }
    }
  }

  /** Gives up the reports waiting for another try (counted as dropped); later reports are still sent. */
  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.counters.dropped += this.waiting.length;
    this.waiting = [];
  }

  /** Resolves once the reports in flight now have settled, or after `waitMs`. Never rejects. */
  async flush(waitMs = 1000): Promise<void> {
    let giveUp: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all([...this.inFlight]),
      new Promise((resolve) => (giveUp = setTimeout(resolve, waitMs)))]);
    clearTimeout(giveUp);
  }
}
