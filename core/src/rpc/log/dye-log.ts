/**
 * The dye log: every line a service logs while serving a dyed request, and one line per dyed request it serves, on
 * every hop. Local: `<logpath>/tars_dyeing/dyeing_<YYYYMMDD>.log` (TarsCpp's local dye day log); remote:
 * `LogF.logger("tars_dyeing", "dyeing", "day", "%Y%m%d", lines)` as TarsCpp sends it, which the log daemon keeps as
 * `<its logpath>/tars_dyeing/dyeing/tars_dyeing.dyeing_day_<YYYYMMDD>.log`.
 *
 * Line layout: `<App>.<Server>|<time>|<LEVEL>|<dye key>|<message>` (sent to the daemon with its newline, as TarsCpp
 * sends its lines). TarsCpp writes `<App>.<Server>|<its line>` with
 * no key (its dyeing is switched per key by an admin command); the key is added here as the fourth field so that the
 * lines of one dyed request can be picked out of the shared file (`tars log dye <key>`).
 */
import path from 'node:path';

import type {LogLevel} from '../../protocol/constants.js';
import {type ClosableSink, dateFileSink, logTimestamp} from '../logger.js';
import type {RemoteLog, RemoteLogTarget} from './remote-log.js';

/** The app, server and file TarsCpp names its remote dye logs with (DYEING_DIR, DYEING_FILE, "day"). */
export const DYE_LOG_TARGET: RemoteLogTarget = {kind: 'logger', app: 'tars_dyeing', server: 'dyeing', file: 'day',
  format: '%Y%m%d'};
/** The directory (under logpath) and base name of the local dye log (TarsCpp's DYEING_DIR / DYEING_FILE). */
export const DYE_LOG_DIR = 'tars_dyeing';
export const DYE_LOG_NAME = 'dyeing';

export class DyeLog {
  private local?: ClosableSink;
  /** Lines written (locally or handed to the remote log). */
  written = 0;

  /**
   * @param logpath local dye files under `<logpath>/tars_dyeing/`; none when undefined
   * @param remote where the lines go to the log daemon; none when undefined
   */
  constructor(private readonly app: string, private readonly server: string,
    private readonly logpath: string | undefined, private readonly remote: RemoteLog | undefined) {}

  /** Writes one line of a dyed request. Never throws. */
  write(level: LogLevel, message: string, key: string): void {
    const line = `${this.app}.${this.server}|${logTimestamp()}|${level}|${key}|${message.replace(/\n/g, ' ')}`;
    this.written++;
    try {
      if (this.logpath) {
        this.local ??= dateFileSink(path.join(this.logpath, DYE_LOG_DIR), DYE_LOG_NAME);
        this.local(line);
      }
    } catch {
      // A dye line must never fail the request it describes.
    }
    this.remote?.write(DYE_LOG_TARGET, `${line}\n`);
  }

  close(): void {
    this.local?.close();
  }
}
