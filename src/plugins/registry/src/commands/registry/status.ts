import {DaemonStatusCommand} from '@tars-ts/kit';

import {registryDaemon} from '../../daemon.js';

export default class RegistryStatus extends DaemonStatusCommand {
  static override daemon = registryDaemon;
  static override summary = 'Show whether the registry runs: pid, uptime, endpoints, store.';
}
