import {Flags} from '@oclif/core';
import {DaemonStartCommand} from '@tars-ts/kit';

import {DEFAULT_MAX_BYTES, DEFAULT_MAX_FILES} from '../../archive-check.js';
import {patchDaemon} from '../../daemon.js';
import {DEFAULT_CHUNK_SIZE} from '../../patch-service.js';
import {DEFAULT_UPLOAD_IDLE_MS} from '../../shared-patch-service.js';

export default class PatchStart extends DaemonStartCommand {
  static override daemon = patchDaemon;
  static override summary = 'Start the patch server: PatchObj and PatchCtlObj.';
  static override description = `${DaemonStartCommand.description}

The patch server answers the official Patch interface (tars.tarspatch.PatchObj: nodes download packages from it,
uploads arrive through it) and the versions of \`tars patch\` (tars.tarspatch.PatchCtlObj). Ports: 18793 and 18794,
or P and P+1 with --port P. Packages are under DIR/packages/, versions in DIR/patch.db (SQLite); with --db
postgres://... both are in that database, which several patch servers may share (each serves every package). An upload
becomes a version only once its archive passes the check (no path out of it, no link out, no device, under
--max-files and --max-bytes). With --locator it lists both servants in that registry.`;

  static override flags = {
    'max-files': Flags.integer({summary: 'Most entries (files, directories, links) one package may hold.', default: DEFAULT_MAX_FILES, min: 1,
      helpValue: 'N'}),
    'max-bytes': Flags.integer({summary: 'Most bytes one package may unpack to.', default: DEFAULT_MAX_BYTES, min: 1,
      helpValue: 'BYTES'}),
    'chunk-size': Flags.integer({summary: 'Most bytes one Patch.download call returns.', default: DEFAULT_CHUNK_SIZE,
      min: 1, max: 64 * 1024 * 1024, helpValue: 'BYTES'}),
    'upload-idle': Flags.integer({summary: 'With --db: remove an upload that had no chunk for this long, ms (one ' +
      'whose client or patch server died half way).', default: DEFAULT_UPLOAD_IDLE_MS, min: 1000, helpValue: 'MS'}),
  };
}
