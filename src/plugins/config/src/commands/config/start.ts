import {Flags} from '@oclif/core';
import {DaemonStartCommand} from '@tars-ts/kit';

import {configDaemon} from '../../daemon.js';

export default class ConfigStart extends DaemonStartCommand {
  static override daemon = configDaemon;
  static override summary = 'Start the config center: ConfigObj and ConfigCtlObj.';
  static override description = `${DaemonStartCommand.description}

The config center answers ConfigF (tars.tarsconfig.ConfigObj: services fetch their files from it) and the
commands of \`tars config\` (tars.tarsconfig.ConfigCtlObj). Ports: 18193 and 18194, or P and P+1 with --port P.
Its files and every version of them are in DIR/config.db (SQLite), or with --db postgres://... in that database,
which several config centers may share (each serves what any of them stored). With --locator it lists both servants in that
registry and refuses files for applications, servers or nodes the registry does not know.`;

  static override flags = {
    'max-size': Flags.integer({summary: 'Largest config file, bytes.', default: 1_048_576, min: 1, helpValue: 'BYTES'}),
    'rate-limit': Flags.integer({summary: 'ConfigF calls allowed per caller, server and file in each --rate-interval ' +
      '(beyond: 429); 0 = no limit.', default: 10, min: 0, helpValue: 'N'}),
    'rate-interval': Flags.integer({summary: 'The rate limit\'s window, ms.', default: 60_000, min: 1, helpValue: 'MS'}),
  };
}
