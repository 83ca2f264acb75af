import {DaemonStopCommand} from '@tars-ts/kit';

import {patchDaemon} from '../../daemon.js';

export default class PatchStop extends DaemonStopCommand {
  static override daemon = patchDaemon;
  static override summary = 'Stop the patch server.';
}
