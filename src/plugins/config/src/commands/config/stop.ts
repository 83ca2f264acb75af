import {DaemonStopCommand} from '@tars-ts/kit';

import {configDaemon} from '../../daemon.js';

export default class ConfigStop extends DaemonStopCommand {
  static override daemon = configDaemon;
  static override summary = 'Stop the config center gracefully (SIGKILL after --timeout).';
}
