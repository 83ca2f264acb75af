/**
 * @tars-ts/plugin-patch: the TARS patch server. The archive check, the services over an abstract
 * {@link PatchRepository} (packages in the data directory, or in a store several instances share), the servants of PatchObj (official Patch) and PatchCtlObj, and the pack step of
 * `tars patch upload`.
 *
 * The durable repository (./sql-repository.ts) is not exported here: it loads the kit's store; the daemon imports
 * that module itself.
 */
export {
  type ArchiveLimits, ArchiveRefused, type ArchiveSummary, DEFAULT_MAX_BYTES, DEFAULT_MAX_FILES, MAX_TARS_FILE_BYTES,
  checkArchive, isGzipFile, packagePath,
} from './archive-check.js';
export type {FileArea, PackageFiles, PatchRepository, StoredFile, UploadChunk, VersionRow} from './repository.js';
export {
  DEFAULT_CHUNK_SIZE, type ListedFile, MAX_PACKAGE_BYTES, type PatchBackend, PatchRefused, PatchService,
  type PatchServiceOptions, findVersion, md5File, nameProblem, uploadNameProblem,
} from './patch-service.js';
export {
  DEFAULT_UPLOAD_IDLE_MS, SharedPatchService, type SharedPatchServiceOptions, rootPath,
} from './shared-patch-service.js';
export {PATCH_CTL_OBJ, PATCH_OBJ, PatchCtlServant, PatchObjServant, wireVersion} from './servants.js';
export {PATCH_DB, patchDaemon} from './daemon.js';
export {packDirectory} from './pack.js';
