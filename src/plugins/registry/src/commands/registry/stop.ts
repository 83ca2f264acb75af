import {DaemonStopCommand} from '@tars-ts/kit';

import {registryDaemon} from '../../daemon.js';

export default class RegistryStop extends DaemonStopCommand {
  static override daemon = registryDaemon;
  static override summary = 'Stop the registry gracefully (SIGKILL after --timeout).';
}
