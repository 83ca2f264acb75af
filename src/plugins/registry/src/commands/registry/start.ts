import {Flags} from '@oclif/core';
import {DaemonStartCommand} from '@tars-ts/kit';

import {registryDaemon} from '../../daemon.js';

export default class RegistryStart extends DaemonStartCommand {
  static override daemon = registryDaemon;
  static override summary = 'Start the registry: QueryObj, RegistryObj, AdminRegObj and RegistryCtlObj.';
  static override description = `${DaemonStartCommand.description}

The registry answers QueryF (tars.tarsregistry.QueryObj: official clients resolve names through it), takes nodes'
registrations and heart-beats (RegistryObj), the operators' commands (AdminRegObj) and \`tars registry\`'s own
(RegistryCtlObj). Ports: 17890, 17891, 12000, 17892, or P..P+3 with --port P. Its state is DIR/registry.db
(SQLite): registrations survive restarts. A node that sends no heart-beat for --node-timeout leaves the active
lists with its servers.`;

  static override flags = {
    'node-timeout': Flags.integer({summary: 'A node silent this long is inactive, with its servers; ms (min 15000).',
      default: 250_000, min: 15_000, helpValue: 'MS'}),
    'reap-interval': Flags.integer({summary: 'How often silent nodes are written inactive, ms.', default: 60_000,
      min: 1000, helpValue: 'MS'}),
    'sync-interval': Flags.integer({summary: 'How often the registry takes what the other registries of its store ' +
      'wrote (--db shared by several), ms.', default: 1000, min: 100, helpValue: 'MS'}),
    'registry-timeout': Flags.integer({summary: 'Another registry of the store silent this long is listed inactive, ' +
      'ms.', default: 10_000, min: 1000, helpValue: 'MS'}),
  };
}
