// `tars patch start`: the patch server as a daemon of the kit's host. PatchObj on the official port 18793 and this
// toolkit's PatchCtlObj on 18794 (or P and P+1 with --port P); versions in DIR/patch.db (SQLite), packages under
// DIR/packages/ (the root PatchObj serves), uploads under DIR/uploads/. Started with --locator, the kit lists both
// servants in that registry, so that nodes and `tars patch` find them by name. With --db postgres://... uploads and
// packages are in that database too (./shared-patch-service.ts), so that several patch servers on it serve the same.
import path from 'node:path';

import type {DaemonSpec} from '@tars-ts/kit';

import {PATCH_CTL_OBJ, PATCH_OBJ} from './servants.js';

/** The patch server's store file inside its data directory. */
export const PATCH_DB = 'patch.db';

/** The patch server daemon: what `tars patch start|stop|status` run. */
export const patchDaemon: DaemonSpec = {
  name: 'patch',
  store: {file: PATCH_DB},
  servants: [
    {obj: PATCH_OBJ, port: 18793},
    {obj: PATCH_CTL_OBJ, port: 18794, admin: true},
  ],
  async create(ctx) {
    const [{openPatchStore}, {PatchService}, {SharedPatchService}, servants, check] = await Promise.all([
      import('./sql-repository.js'), import('./patch-service.js'), import('./shared-patch-service.js'),
      import('./servants.js'), import('./archive-check.js')]);
    const store = await openPatchStore(ctx.store ?? path.join(ctx.dataDir, PATCH_DB));
    const setting = (name: string): number | undefined => ctx.settings[name] as number | undefined;
    const limits = {maxFiles: setting('max-files') ?? check.DEFAULT_MAX_FILES,
      maxBytes: setting('max-bytes') ?? check.DEFAULT_MAX_BYTES};
    const chunkSize = setting('chunk-size') === undefined ? {} : {chunkSize: setting('chunk-size')};
    let service;
    try {
      if (store.kind === 'postgres') {
        // A server database may be shared by several patch servers: the packages go there too.
        const idle = setting('upload-idle');
        service = await SharedPatchService.open(ctx.dataDir, store.repository, store.files, {limits, ...chunkSize,
          ...(idle === undefined ? {} : {uploadIdleMs: idle}), warn: (m) => ctx.logger.warn(m)});
        ctx.logger.info(`patch: packages in ${store.where}`);
      } else {
        service = await PatchService.open(ctx.dataDir, store.repository, {limits, ...chunkSize});
        ctx.logger.info(`patch: packages under ${service.packages}`);
      }
    } catch (error) {
      await store.close();
      throw error;
    }
    const running = service;
    return {
      servants: {[PATCH_OBJ]: new servants.PatchObjServant(running),
        [PATCH_CTL_OBJ]: new servants.PatchCtlServant(running)},
      store: store.where,
      onClose: async () => {
        running.close();
        await store.close();
      },
    };
  },
};
