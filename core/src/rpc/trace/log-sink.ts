/**
 * Spans to the log daemon: each finished span as its two `_t_trace_` lines (span.ts), through the application's
 * remote log (batched, bounded, never blocking; lines it cannot send are dropped and counted there), as TarsCpp's
 * FDLOG(TRACE_LOG_FILENAME) sends them: a day log `_t_trace_` of the server, each line after the time.
 */
import {LogInfo} from '../../framework/LogFTars.js';
import type {RemoteLog, RemoteLogTarget} from '../log/remote-log.js';
import {logTimestamp} from '../logger.js';
import {type SpanRecord, TRACE_LOG_FILE, spanLines} from './span.js';
import type {SpanSink} from './tracer.js';

export class LogSpanSink implements SpanSink {
  private readonly target: RemoteLogTarget;

  constructor(private readonly remote: RemoteLog, app: string, server: string) {
    this.target = {kind: 'info', info: LogInfo.create({appname: app, servername: server, sFilename: TRACE_LOG_FILE,
      sFormat: '%Y%m%d', sLogType: '1day', setdivision: ''})};
  }

  /** The time prefix of the last millisecond a span was added in (many spans share one under load). */
  private stampMs = 0;
  private stamp = '';

  add(span: SpanRecord): void {
    const now = Date.now();
    if (now !== this.stampMs) {
      this.stampMs = now;
      this.stamp = logTimestamp(new Date(now));
    }
    // Each record ends its line, as TarsCpp's FDLOG(...) << ... << endl sends it: the daemon writes lines as given.
    const [open, close] = spanLines(span);
    this.remote.write(this.target, `${this.stamp}|${open}\n`);
    this.remote.write(this.target, `${this.stamp}|${close}\n`);
  }
}
