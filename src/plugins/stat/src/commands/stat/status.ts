import {DaemonStatusCommand} from '@tars-ts/kit';

import {statDaemon} from '../../daemon.js';

export default class StatStatus extends DaemonStatusCommand {
  static override daemon = statDaemon;
  static override summary = 'Show whether the stat daemon runs: pid, uptime, endpoints, store.';
}
