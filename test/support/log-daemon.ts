// The log and notify daemons as the runtime sees them, for the tests of remote logging, dyeing and notify reports:
// real LogF and NotifyF servants built from the generated stubs, recording every call and answering, hosted by one
// core Application on ephemeral ports. (The real daemons are the log plugin's; the runtime meets them only over
// these interfaces.)
import {type CallContext, Application, type Deferred, Logger} from '@tars-ts/core';
import {LogF, NotifyF} from '@tars-ts/core/framework';

/** One LogF call as received. */
export interface LogCall {
  func: 'logger' | 'loggerbyInfo';
  app: string;
  server: string;
  file: string;
  format: string;
  info?: LogF.LogInfo;
  lines: string[];
}

/** tarslog's LogObj: records every call; `hang` makes it never answer (a daemon that is stuck). */
export class FakeLog extends LogF.LogServant {
  readonly calls: LogCall[] = [];
  hang = false;

  logger(app: string, server: string, file: string, format: string, buffer: string[], ctx: CallContext): void | Deferred {
    this.calls.push({func: 'logger', app, server, file, format, lines: buffer});
    if (this.hang) return ctx.deferResponse();
  }

  loggerbyInfo(info: LogF.LogInfo, buffer: string[], ctx: CallContext): void | Deferred {
    this.calls.push({func: 'loggerbyInfo', app: info.appname, server: info.servername, file: info.sFilename,
      format: info.sFormat, info, lines: buffer});
    if (this.hang) return ctx.deferResponse();
  }

  /** Every line received for one (app, server, file), in the order received. */
  lines(app: string, server: string, file = ''): string[] {
    return this.calls.filter((c) => c.app === app && c.server === server && c.file === file).flatMap((c) => c.lines);
  }
}

/** tarsnotify's NotifyObj: records every report. */
export class FakeNotify extends NotifyF.NotifyServant {
  readonly reports: NotifyF.ReportInfo[] = [];

  reportNotifyInfo(info: NotifyF.ReportInfo): void {
    this.reports.push(info);
  }

  /** `app.server eType/eLevel message` of each report. */
  summary(): string[] {
    return this.reports.map((r) => `${r.sApp}.${r.sServer} ${r.eType}/${r.eLevel} ${r.sMessage}`);
  }
}

export interface LogDaemon {
  app: Application;
  log: FakeLog;
  notify: FakeNotify;
  /** `tars.tarslog.LogObj@tcp -h 127.0.0.1 -p <port>`. */
  logObj: string;
  notifyObj: string;
  close(): Promise<void>;
}

/** The log and notify daemons as one application of fakes, on ephemeral ports (or `port` for LogObj). */
export async function startLogDaemon(port = 0): Promise<LogDaemon> {
  const log = new FakeLog();
  const notify = new FakeNotify();
  const app = Application.fromOptions({app: 'tars', server: 'tarslog', logger: new Logger('NONE'), graceMs: 200,
    adapters: [
      {servant: 'tars.tarslog.LogObj', endpoint: `tcp -h 127.0.0.1 -p ${port} -t 60000`},
      {servant: 'tars.tarsnotify.NotifyObj', endpoint: 'tcp -h 127.0.0.1 -p 0 -t 60000'},
    ]});
  app.addServant(log, 'tars.tarslog.LogObj');
  app.addServant(notify, 'tars.tarsnotify.NotifyObj');
  await app.start();
  const portOf = (s: string): number => app.servantAdapters.find((a) => a.config.servant === s)!.endpoint.port;
  return {app, log, notify,
    logObj: `tars.tarslog.LogObj@tcp -h 127.0.0.1 -p ${portOf('tars.tarslog.LogObj')}`,
    notifyObj: `tars.tarsnotify.NotifyObj@tcp -h 127.0.0.1 -p ${portOf('tars.tarsnotify.NotifyObj')}`,
    close: () => app.close()};
}
