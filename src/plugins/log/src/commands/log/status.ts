import {type DaemonStatusJson, DaemonStatusCommand} from '@tars-ts/kit';

import {type DaemonCountersJson, countersJson, fetchCounters} from '../../client-command.js';
import {logDaemon} from '../../daemon.js';

/** What `tars log status --json` prints: the daemon's status and its counters (docs/log.md). */
export interface LogStatusJson extends DaemonStatusJson {
  counters?: DaemonCountersJson;
}

export default class LogStatus extends DaemonStatusCommand {
  static override daemon = logDaemon;
  static override summary = 'Show whether the log server runs: pid, endpoints, files, and its counters.';
  static override description = `${DaemonStatusCommand.description}

Below the status come the daemon's counters: lines and bytes written, lines cut at the line limit, calls refused, and
write errors (a full or read-only disk) with the last one. The daemon keeps serving through write errors.`;

  override async run(): Promise<LogStatusJson> {
    const json: LogStatusJson = await super.run();
    const query = json.endpoints.find((e) => e.obj === 'tars.tarslog.LogQueryObj');
    if (!query) return json;
    try {
      const counters = countersJson(await fetchCounters(query.endpoint));
      json.counters = counters;
      this.log(`  written   ${counters.linesWritten} lines, ${counters.bytesWritten} bytes in ` +
        `${counters.batches} appends`);
      this.log(`  refused   ${counters.rejectedCalls} calls; ${counters.truncatedLines} lines cut at ` +
        `${counters.maxLineBytes} bytes`);
      this.log(`  disk      ${counters.diskBytes} bytes at the last sweep (limit ${counters.maxTotalBytes}), ` +
        `${counters.filesDeleted} files deleted by retention`);
      this.log(`  notify    ${counters.notifications} entries taken, newest ${counters.notifyKeep} kept per server`);
      this.log(`  stores    log directory ${counters.logStore}, notify store ${counters.notifyStore} (instances ` +
        'with the same id share it)');
      if (counters.writeErrors > 0) {
        this.log(`  ERRORS    ${counters.writeErrors} failed writes, ${counters.droppedLines} lines lost; last: ` +
          `${counters.lastError} (${counters.lastErrorAt})`);
      }
    } catch (error) {
      this.logToStderr(`note: no counters: ${(error as Error).message}`);
    }
    return json;
  }
}
