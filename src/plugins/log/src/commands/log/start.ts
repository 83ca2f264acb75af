import {Flags} from '@oclif/core';
import {DaemonStartCommand} from '@tars-ts/kit';

import {logDaemon} from '../../daemon.js';

export default class LogStart extends DaemonStartCommand {
  static override daemon = logDaemon;
  static override summary = 'Start the log server: LogObj (remote logs), NotifyObj (notifications) and LogQueryObj.';
  static override description = `${DaemonStartCommand.description}

One daemon serves tarslog's tars.tarslog.LogObj (LogF: logger, loggerbyInfo), tarsnotify's tars.tarsnotify.NotifyObj
(NotifyF) and this toolkit's tars.tarslog.LogQueryObj (what tars log tail|query|dye and tars notify list read).
Ports: 18993, 18593, 18994, or P..P+2 with --port P. Files follow the official layout under DIR/remote_app_log
(--logpath): <App>/[<set>/]<Server>/<App>.<Server>[_<name>]_<date>.log; notifications go to DIR/notify.db. A call is
answered once its lines are appended to the file (not fsynced).`;

  static override flags = {
    logpath: Flags.string({summary: 'Where the log files go (default DIR/remote_app_log).', helpValue: 'DIR'}),
    'max-line': Flags.integer({summary: 'Lines longer than this are cut and marked, bytes.', default: 65_536,
      min: 256, helpValue: 'BYTES'}),
    'max-file-size': Flags.integer({summary: 'A file reaching this continues in <file>.1, <file>.2, ..., MiB ' +
      '(0: never).',
      default: 1024, min: 0, helpValue: 'MIB'}),
    'max-total-size': Flags.integer({summary: 'Retention: the oldest files go when the log directory passes this, ' +
      'MiB (0: no limit).', default: 10_240, min: 0, helpValue: 'MIB'}),
    'retention-days': Flags.integer({summary: 'Retention: files not written for this many days go (0: kept).',
      default: 30, min: 0, helpValue: 'DAYS'}),
    'queue-size': Flags.integer({summary: 'What may wait to be written per file and client; more is refused, MiB.',
      default: 8, min: 1, helpValue: 'MIB'}),
    'sweep-interval': Flags.integer({summary: 'How often retention runs, ms.', default: 60_000, min: 100,
      helpValue: 'MS'}),
    'notify-keep': Flags.integer({summary: 'Notifications kept per App.Server, newest first (0: all).', default: 100,
      min: 0, helpValue: 'N'}),
    hourly: Flags.string({summary: 'App.Server names whose files are hourly whatever the client asks ' +
      '(comma-separated).',
      helpValue: 'LIST'}),
    ipfix: Flags.boolean({summary: 'Prefix each line with the caller\'s node name or IP and the separator.',
      default: true, allowNo: true}),
  };
}
