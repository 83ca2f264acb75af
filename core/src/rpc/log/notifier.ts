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
}

export interface NotifierStats {
  sent: number;
  failed: number;
  dropped: number;
  pending: number;
  lastError: string;
}

/** The NOTIFYLEVEL of a level name or value. */
export function notifyLevelOf(level: NotifyLevel): NOTIFYLEVEL {
  if (typeof level === 'number') return level;
  return level === 'error' ? NOTIFYLEVEL.NOTIFYERROR : level === 'warn' ? NOTIFYLEVEL.NOTIFYWARN
    : NOTIFYLEVEL.NOTIFYNORMAL;
}

export class Notifier {
  private readonly counters: NotifierStats = {sent: 0, failed: 0, dropped: 0, pending: 0, lastError: ''};
  private readonly inFlight = new Set<Promise<void>>();
  private readonly maxPending: number;
  private readonly timeoutMs: number;

  constructor(private readonly proxy: NotifyProxy, private readonly identity: NotifierIdentity,
    options: NotifierOptions = {}) {
    this.maxPending = Math.max(1, options.maxPending ?? 64);
    this.timeoutMs = options.timeoutMs ?? 500;
  }

  get stats(): NotifierStats {
    return {...this.counters};
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
    this.counters.pending++;
    const call = runUndyed(() => this.proxy.reportNotifyInfo(info, {timeout: this.timeoutMs})).then(() => {
      this.counters.sent++;
    }, (error: unknown) => {
      this.counters.failed++;
      this.counters.dropped++;
      this.counters.lastError = (error as Error)?.message ?? String(error);
    }).finally(() => {
      this.counters.pending--;
      this.inFlight.delete(call);
    });
    this.inFlight.add(call);
  }

  /** Resolves once the reports in flight now have settled, or after `waitMs`. Never rejects. */
  async flush(waitMs = 1000): Promise<void> {
    let giveUp: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all([...this.inFlight]),
      new Promise((resolve) => (giveUp = setTimeout(resolve, waitMs)))]);
    clearTimeout(giveUp);
  }
}
