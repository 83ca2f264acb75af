import {DaemonStatusCommand} from '@tars-ts/kit';

import {configDaemon} from '../../daemon.js';

export default class ConfigStatus extends DaemonStatusCommand {
  static override daemon = configDaemon;
  static override summary = 'Show whether the config center runs: pid, uptime, endpoints, store.';
}
