/**
 * @tars-ts/plugin-patch: the TARS patch server. The archive check, the service over an abstract
 * {@link PatchRepository}, the servants of PatchObj (official Patch) and PatchCtlObj, and the pack step of
 * `tars patch upload`.
 *
 * The durable repository (./sql-repository.ts) is not exported here: it loads the kit's store; the daemon imports
 * that module itself.
 */
export {
  type ArchiveLimits, ArchiveRefused, type ArchiveSummary, DEFAULT_MAX_BYTES, DEFAULT_MAX_FILES, MAX_TARS_FILE_BYTES,
  checkArchive, isGzipFile, packagePath,
} from './archive-check.js';
export type {PatchRepository, VersionRow} from './repository.js';
export {
  DEFAULT_CHUNK_SIZE, type ListedFile, MAX_PACKAGE_BYTES, PatchRefused, PatchService, type PatchServiceOptions,
  md5File, nameProblem,
} from './patch-service.js';
export {PATCH_CTL_OBJ, PATCH_OBJ, PatchCtlServant, PatchObjServant, wireVersion} from './servants.js';
export {PATCH_DB, patchDaemon} from './daemon.js';
export {packDirectory} from './pack.js';
