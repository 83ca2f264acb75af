// Where the patch server keeps its versions' metadata: an abstract repository (the SQL one is ./sql-repository.ts).
// A version number is handed out once per server and never again, even after the version is removed.

/** One released package of a server, as stored. */
export interface VersionRow {
  readonly app: string;
  readonly server: string;
  /** 1, 2, ... per server. */
  readonly version: number;
  /** md5 of the .tgz, lower-case hex. */
  readonly md5: string;
  /** Bytes of the .tgz. */
  readonly size: number;
  /** The Patch path nodes download: /App/Server/App.Server_N.tgz. */
  readonly file: string;
  readonly uploader: string;
  /** ms since the epoch. */
  readonly uploadedAt: number;
  readonly comment: string;
  /** Regular files in the package. */
  readonly files: number;
  readonly unpackedBytes: number;
  /** The package's .tars files, path inside the package -> content, in path order. */
  readonly tarsFiles: ReadonlyMap<string, string>;
}

export interface PatchRepository {
  /**
   * Stores the next version of (app, server): `make` gets its number and returns the row, and `place` (which puts
   * the package file where the row says) runs before the write is committed. A throw of either stores nothing and
   * the number is not used.
   */
  addVersion(app: string, server: string, make: (version: number) => VersionRow,
    place: (row: VersionRow) => Promise<void>): Promise<VersionRow>;
  /** Versions of (app, server); '' matches every application or server. Oldest first, by app and server. */
  listVersions(app: string, server: string): Promise<VersionRow[]>;
  /** One version; undefined when there is none. */
  getVersion(app: string, server: string, version: number): Promise<VersionRow | undefined>;
  /** The newest version of a server; undefined when it has none. */
  latestVersion(app: string, server: string): Promise<VersionRow | undefined>;
  /** Removes one version's row; false when there was none. */
  removeVersion(app: string, server: string, version: number): Promise<boolean>;
}

/** Where a file of the shared store is: an upload (`App/Server/name`), or a file of the Patch root (`/App/...`). */
export type FileArea = 'upload' | 'root';

/** A file of the shared store (its bytes are in chunks). */
export interface StoredFile {
  /** Handed out once: a file started again (a new first chunk) is a new id. */
  readonly id: number;
  readonly area: FileArea;
  readonly path: string;
  /** Bytes stored so far (all of them once complete). */
  readonly size: number;
  /** md5 of the bytes, lower-case hex; '' while not known yet (an upload whose last chunk is being checked). */
  readonly md5: string;
  /** The md5 an upload declared with its chunks; '' for files of the root. */
  readonly declaredMd5: string;
  /** An upload that received its last chunk; always true for files of the root. */
  readonly complete: boolean;
  /** When a chunk last arrived (ms since the epoch). */
  readonly touchedAt: number;
}

/** One chunk of an upload, as Patch.upload brings it. */
export interface UploadChunk {
  readonly md5: string;
  readonly firstChunk: boolean;
  readonly lastChunk: boolean;
  readonly content: Uint8Array;
}

/**
 * The files of a patch server whose store is shared by several instances (PostgreSQL): uploads and the Patch root
 * (versions' packages, preparePatchFile's copies) in the database, in chunks, so that an upload may arrive through
 * any instance and any instance serves every package. Each write is one transaction of the store (they run one at a
 * time across every instance); reads are single statements.
 */
export interface PackageFiles {
  /** The file at `path` of `area`; undefined when there is none. */
  file(area: FileArea, path: string): Promise<StoredFile | undefined>;
  /** Every file of the root (no bytes), in no particular order. */
  rootFiles(): Promise<StoredFile[]>;
  /**
   * Patch.upload's write: the first chunk starts the upload `path` again as a new file (unless an upload of it is
   * complete with that md5 declared and found: then `identical`, nothing written); a later one appends to an upload
   * that has not had its last chunk (else `none`; `tooBig` past `maxBytes`, the upload then removed). The stored
   * file after it.
   */
  appendUpload(path: string, chunk: UploadChunk, maxBytes: number, now: number):
    Promise<{outcome: 'ok'; file: StoredFile} | {outcome: 'identical' | 'none' | 'tooBig'}>;
  /** Records the md5 of file `id` (when it is still there). */
  setMd5(id: number, md5: string): Promise<void>;
  /**
   * The bytes of file `id` from byte `from` to the end of the stored chunk holding byte `until - 1` (default: all),
   * in stored chunks, in order; throws when a chunk is missing.
   */
  chunks(id: number, from?: number, until?: number): AsyncIterable<Buffer>;
  /** At most `length` bytes of file `id` from byte `pos` (fewer only when the file is shorter). */
  read(id: number, pos: number, length: number): Promise<Buffer>;
  /** Copies the complete upload `id` to the root at `path` (replacing what is there); false when it is gone. */
  copyToRoot(id: number, path: string, md5: string, now: number): Promise<boolean>;
  /** Removes file `id` and its bytes; false when it was gone. */
  remove(id: number): Promise<boolean>;
  /** Removes the uploads that did not reach their last chunk and had none since `before`; how many. */
  removeIdleUploads(before: number): Promise<number>;
  /**
   * Makes the complete upload `id` the next version of (app, server), as {@link PatchRepository.addVersion}: the
   * upload becomes the root file the row names, with `md5`, in the same transaction. Undefined (nothing stored) when
   * the upload is gone (committed or removed through another instance meanwhile).
   */
  commitUpload(app: string, server: string, id: number, md5: string, make: (version: number) => VersionRow):
    Promise<VersionRow | undefined>;
  /** Removes a version's row and its package in one transaction; false when there was no such version. */
  removeVersion(app: string, server: string, version: number, file: string): Promise<boolean>;
}
