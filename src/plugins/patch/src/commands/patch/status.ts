import {DaemonStatusCommand} from '@tars-ts/kit';

import {patchDaemon} from '../../daemon.js';

export default class PatchStatus extends DaemonStatusCommand {
  static override daemon = patchDaemon;
  static override summary = 'Show whether the patch server runs, and where.';
}
