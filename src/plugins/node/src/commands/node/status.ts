import {DaemonStatusCommand} from '@tars-ts/kit';

import {nodeDaemon} from '../../daemon.js';

export default class NodeStatus extends DaemonStatusCommand {
  static override daemon = nodeDaemon;
  static override summary = 'Show whether the node runs: pid, uptime, endpoints.';
}
