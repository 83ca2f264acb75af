import {Flags} from '@oclif/core';
import {DaemonStartCommand} from '@tars-ts/kit';

import {nodeDaemon} from '../../daemon.js';

export default class NodeStart extends DaemonStartCommand {
  static override daemon = nodeDaemon;
  static override summary = 'Start the node: ServerObj and NodeObj, registered with the registry (--locator).';
  static override description = `${DaemonStartCommand.description}

The node registers with the registry given by --locator (required: a node cannot work without one) under --name,
then sends it a keepAlive with the machine's load every --keepalive-interval. A registry that is away is retried,
never fatal; a name another live node holds fails the start. It then runs the servers the registry assigns to it
(tars server deploy), adopting those still running from before, and checks them every --check-interval. Ports: ServerObj 19386 (the servers' heart-beats) and
NodeObj 19385 (the registry's commands), or P and P+1 with --port P.`;

  static override flags = {
    name: Flags.string({summary: 'The node\'s name (default: this host\'s IP address, else its host name).',
      helpValue: 'NAME'}),
    'keepalive-interval': Flags.integer({summary: 'How often the node tells the registry it lives, ms.',
      default: 10_000, min: 50, helpValue: 'MS'}),
    'check-interval': Flags.integer({summary: 'How often the node checks its servers (pid, heart-beat), ms.',
      default: 1000, min: 50, helpValue: 'MS'}),
  };
}
