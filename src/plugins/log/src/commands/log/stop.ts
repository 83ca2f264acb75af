import {DaemonStopCommand} from '@tars-ts/kit';

import {logDaemon} from '../../daemon.js';

export default class LogStop extends DaemonStopCommand {
  static override daemon = logDaemon;
  static override summary = 'Stop the log server gracefully: queued lines are written first (SIGKILL after --timeout).';
}
