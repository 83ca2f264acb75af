import {DaemonStopCommand} from '@tars-ts/kit';

import {statDaemon} from '../../daemon.js';

export default class StatStop extends DaemonStopCommand {
  static override daemon = statDaemon;
  static override summary = 'Stop the stat daemon gracefully: the open minute is written first (SIGKILL after --timeout).';
}
