// `tars patch start`: the patch server as a daemon of the kit's host. PatchObj on the official port 18793 and this
// toolkit's PatchCtlObj on 18794 (or P and P+1 with --port P); versions in DIR/patch.db (SQLite), packages under
// DIR/packages/ (the root PatchObj serves), uploads under DIR/uploads/. Started with --locator, the kit lists both
// servants in that registry, so that nodes and `tars patch` find them by name.
import path from 'node:path';

import type {DaemonSpec} from '@tars-ts/kit';

import {PATCH_CTL_OBJ, PATCH_OBJ} from './servants.js';

/** The patch server's store file inside its data directory. */
export const PATCH_DB = 'patch.db';

/** The patch server daemon: what `tars patch start|stop|status` run. */
export const patchDaemon: DaemonSpec = {
  name: 'patch',
  servants: [
    {obj: PATCH_OBJ, port: 18793},
    {obj: PATCH_CTL_OBJ, port: 18794, admin: true},
  ],
  async create(ctx) {
    const [{openPatchStore}, {PatchService}, servants, check] = await Promise.all([import('./sql-repository.js'),
      import('./patch-service.js'), import('./servants.js'), import('./archive-check.js')]);
    const file = path.join(ctx.dataDir, PATCH_DB);
    const store = await openPatchStore(file);
    const setting = (name: string): number | undefined => ctx.settings[name] as number | undefined;
    let service;
    try {
      service = await PatchService.open(ctx.dataDir, store.repository, {
        limits: {maxFiles: setting('max-files') ?? check.DEFAULT_MAX_FILES,
          maxBytes: setting('max-bytes') ?? check.DEFAULT_MAX_BYTES},
        ...(setting('chunk-size') === undefined ? {} : {chunkSize: setting('chunk-size')}),
      });
    } catch (error) {
      await store.close();
      throw error;
    }
    ctx.logger.info(`patch: packages under ${service.packages}`);
    return {
      servants: {[PATCH_OBJ]: new servants.PatchObjServant(service),
        [PATCH_CTL_OBJ]: new servants.PatchCtlServant(service)},
      store: file,
      onClose: () => store.close(),
    };
  },
};
