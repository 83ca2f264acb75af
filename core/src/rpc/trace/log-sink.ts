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

  add(span: SpanRecord): void {
    const time = logTimestamp();
    for (const line of spanLines(span)) this.remote.write(this.target, `${time}|${line}`);
  }

  flush(): Promise<void> {
    return this.remote.flush();
  }
}
