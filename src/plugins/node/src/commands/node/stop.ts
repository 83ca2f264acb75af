import {DaemonStopCommand} from '@tars-ts/kit';

import {nodeDaemon} from '../../daemon.js';

export default class NodeStop extends DaemonStopCommand {
  static override daemon = nodeDaemon;
  static override summary = 'Stop the node gracefully (its servers keep running; SIGKILL after --timeout).';
}
