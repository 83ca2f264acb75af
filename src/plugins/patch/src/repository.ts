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
