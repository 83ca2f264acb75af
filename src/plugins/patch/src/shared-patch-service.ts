// The patch server when several instances share one store (PostgreSQL), as TARS runs its base services behind one
// object name: uploads and packages are in the database (PackageFiles, ./sql-repository.ts), not in an instance's
// data directory, so that
//   - the chunks of one upload may arrive through different instances (a client spreads its calls over them), and
//     its commit through yet another;
//   - every instance serves every package (listFileInfo, download), also after the one that took the upload died;
//   - a package is visible only once committed: an upload is never in the Patch root, and the commit re-labels the
//     upload as the version's package in the version's own transaction (no copy, no half package), so of two
//     commits of one upload through two instances one wins and the other is told there is no such upload.
// The md5 checks are the same as on one instance: the upload's last chunk answers -3 when the bytes stored are not
// the md5 declared, the commit checks the md5 and the archive again on a copy in DATA/tmp/, and listFileInfo gives
// the md5 a node checks its download against. Uploads that stop half way (their client or their instance died) are
// removed once idle for `uploadIdleMs`, by whichever instance sweeps first.
import {createHash, randomBytes} from 'node:crypto';
import {mkdir, open, rm} from 'node:fs/promises';
import path from 'node:path';

import {type ArchiveLimits, ArchiveRefused, checkArchive} from './archive-check.js';
import {
  DEFAULT_CHUNK_SIZE, type ListedFile, MAX_PACKAGE_BYTES, type PatchBackend, PatchRefused, PatchService, findVersion,
  nameProblem, uploadNameProblem,
} from './patch-service.js';
import type {PackageFiles, PatchRepository, StoredFile, VersionRow} from './repository.js';

/** Default of `tars patch start --upload-idle`: an upload with no chunk for this long is removed (ms). */
export const DEFAULT_UPLOAD_IDLE_MS = 10 * 60 * 1000;

export interface SharedPatchServiceOptions {
  readonly limits: ArchiveLimits;
  /** download's chunk size, bytes (default {@link DEFAULT_CHUNK_SIZE}). */
  readonly chunkSize?: number;
  /** An upload that did not reach its last chunk and had none for this long is removed (default 10 min). */
  readonly uploadIdleMs?: number;
  /** How often idle uploads are looked for (default: a tenth of uploadIdleMs, at least 1 s, at most 1 min). */
  readonly sweepIntervalMs?: number;
  /** What a failed background sweep says (the daemon's log). */
  readonly warn?: (message: string) => void;
  readonly now?: () => number;
}

/**
 * A Patch root path as the store names its files: `/` and the components, no `.` or empty ones, no trailing `/`;
 * undefined for a refused path (a `..` anywhere, as the official refuses it, or a NUL).
 */
export function rootPath(patchPath: string): string | undefined {
  if (patchPath.includes('..') || patchPath.includes('\0')) return undefined;
  const normal = path.posix.normalize(`/${patchPath}`).replace(/\/+$/, '');
  return normal === '' ? '/' : normal;
}

const byPath = (a: StoredFile, b: StoredFile): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/** The patch server over a shared store (see the file's head). */
export class SharedPatchService implements PatchBackend {
  readonly chunkSize: number;
  /** Where a commit puts its copy of the upload to check it. */
  readonly tmp: string;
  private readonly now: () => number;
  private readonly idleMs: number;
  private sweeper: NodeJS.Timeout | undefined;

  private constructor(dataDir: string, private readonly repository: PatchRepository,
    private readonly files: PackageFiles, private readonly options: SharedPatchServiceOptions) {
    this.chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
    this.tmp = path.join(dataDir, 'tmp');
    this.now = options.now ?? Date.now;
    this.idleMs = options.uploadIdleMs ?? DEFAULT_UPLOAD_IDLE_MS;
  }

  /**
   * The service: empties DATA/tmp/ (copies a killed run left), removes idle uploads, and from then on looks for them
   * every sweep interval until {@link close}.
   */
  static async open(dataDir: string, repository: PatchRepository, files: PackageFiles,
    options: SharedPatchServiceOptions): Promise<SharedPatchService> {
    const service = new SharedPatchService(dataDir, repository, files, options);
    await rm(service.tmp, {recursive: true, force: true});
    await mkdir(service.tmp, {recursive: true});
    await service.sweep();
    const every = options.sweepIntervalMs ?? Math.min(60_000, Math.max(1000, Math.floor(service.idleMs / 10)));
    service.sweeper = setInterval(() => {
      service.sweep().catch((error: unknown) => options.warn?.(`patch: removing idle uploads failed: ${
        (error as Error).message}`));
    }, every);
    service.sweeper.unref();
    return service;
  }

  /** Removes the uploads idle for longer than uploadIdleMs; how many. */
  sweep(): Promise<number> {
    return this.files.removeIdleUploads(this.now() - this.idleMs);
  }

  close(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  private static uploadPath(app: string, server: string, name: string): string {
    return `${app}/${server}/${name}`;
  }

  /**
   * The md5 of a stored file; undefined when its bytes are not all there any more (an upload started again, or
   * removed, through another instance meanwhile).
   */
  private async md5Of(file: StoredFile): Promise<string | undefined> {
    const hash = createHash('md5');
    let size = 0;
    try {
      for await (const data of this.files.chunks(file.id)) {
        hash.update(data);
        size += data.length;
      }
    } catch (error) {
      if (await this.files.file(file.area, file.path).then((f) => f?.id === file.id)) throw error;
      return undefined;
    }
    return size === file.size ? hash.digest('hex') : undefined;
  }

  async listFileInfo(patchPath: string): Promise<{ret: number; files: ListedFile[]}> {
    const where = rootPath(patchPath);
    if (!where) return {ret: -1, files: []};
    if (where !== '/') {
      const file = await this.files.file('root', where);
      if (file) {
        return file.size > MAX_PACKAGE_BYTES ? {ret: -1, files: []}
          : {ret: 1, files: [{path: path.posix.basename(where), size: file.size, canExec: false, md5: file.md5}]};
      }
    }
    const prefix = where === '/' ? '/' : `${where}/`;
    const below = (await this.files.rootFiles()).filter((f) => f.path.startsWith(prefix)).sort(byPath);
    // A directory exists while a file is below it (the root always).
    if (below.length === 0 && where !== '/') return {ret: -1, files: []};
    return {ret: 0, files: below.filter((f) => f.size <= MAX_PACKAGE_BYTES).map((f) => ({
      path: `/${f.path.slice(prefix.length)}`, size: f.size, canExec: false, md5: f.md5}))};
  }

  async download(patchPath: string, pos: number): Promise<{ret: number; bytes: Buffer}> {
    const none = Buffer.alloc(0);
    const where = rootPath(patchPath);
    if (!where) return {ret: -1, bytes: none};
    if (!Number.isInteger(pos) || pos < 0) return {ret: -2, bytes: none};
    const file = where === '/' ? undefined : await this.files.file('root', where);
    if (!file) return {ret: -1, bytes: none};
    if (pos >= file.size) return {ret: 1, bytes: none};
    const length = Math.min(this.chunkSize, file.size - pos);
    try {
      const bytes = await this.files.read(file.id, pos, length);
      // Fewer bytes: the file was removed while being read.
      return bytes.length === length ? {ret: 0, bytes} : {ret: -3, bytes: none};
    } catch {
      return {ret: -3, bytes: none};
    }
  }

  async upload(app: string, server: string, chunk: {md5: string; name: string; firstChunk: boolean; lastChunk: boolean;
    content: Uint8Array}): Promise<number> {
    if (nameProblem(app, server) || uploadNameProblem(chunk.name)) return -1;
    const r = await this.files.appendUpload(SharedPatchService.uploadPath(app, server, chunk.name), chunk,
      MAX_PACKAGE_BYTES, this.now());
    if (r.outcome === 'identical') return 1;
    if (r.outcome !== 'ok') return -2;
    if (!chunk.lastChunk) return 0;
    // Outside the write's transaction: reading a big upload back must not hold up every other instance's writes.
    const md5 = await this.md5Of(r.file);
    if (md5 === undefined) return -3; // started again meanwhile: what this chunk completed is gone
    await this.files.setMd5(r.file.id, md5);
    return md5 === r.file.declaredMd5 ? 0 : -3;
  }

  async deleteUpload(app: string, server: string, name: string): Promise<number> {
    if (nameProblem(app, server) || uploadNameProblem(name)) return -1;
    const file = await this.files.file('upload', SharedPatchService.uploadPath(app, server, name));
    return file && await this.files.remove(file.id) ? 0 : -1;
  }

  async preparePatchFile(app: string, server: string, name: string): Promise<{ret: number; result: string}> {
    const problem = nameProblem(app, server) ?? uploadNameProblem(name);
    if (problem) return {ret: -1, result: problem};
    const missing = {ret: -1, result: `no upload ${name} of ${app}.${server}`};
    const file = await this.files.file('upload', SharedPatchService.uploadPath(app, server, name));
    if (!file?.complete) return missing;
    let md5: string | undefined = file.md5;
    if (md5 === '') {
      md5 = await this.md5Of(file);
      if (md5 === undefined) return missing;
      await this.files.setMd5(file.id, md5);
    }
    const copied = await this.files.copyToRoot(file.id, `/TARSBatchPatching/${app}/${server}/${app}.${server}.tgz`,
      md5, this.now());
    return copied ? {ret: 0, result: ''} : missing;
  }

  async commit(app: string, server: string, name: string, comment: string, uploader: string): Promise<VersionRow> {
    const problem = nameProblem(app, server) ?? uploadNameProblem(name);
    if (problem) throw new PatchRefused(problem);
    const upload = await this.files.file('upload', SharedPatchService.uploadPath(app, server, name));
    if (!upload?.complete) {
      throw new PatchRefused(upload
        ? `the upload ${name} of ${app}.${server} did not reach its last chunk: upload it again`
        : `no upload ${name} of ${app}.${server}: send it with Patch.upload first (tars patch upload)`);
    }
    const copy = path.join(this.tmp, `${upload.id}-${randomBytes(6).toString('hex')}.tgz`);
    try {
      const md5 = await this.copyOut(upload, copy);
      if (md5 !== upload.declaredMd5) {
        await this.files.remove(upload.id);
        throw new PatchRefused(`the upload ${name} has md5 ${md5}, not the ${upload.declaredMd5} its upload declared: ` +
          'upload it again');
      }
      let summary;
      try {
        summary = await checkArchive(copy, this.options.limits);
      } catch (error) {
        if (!(error instanceof ArchiveRefused)) throw error;
        await this.files.remove(upload.id);
        throw new PatchRefused(error.message);
      }
      const row = await this.files.commitUpload(app, server, upload.id, md5, (version) => Object.freeze({app, server,
        version, md5, size: upload.size, file: PatchService.packageFile(app, server, version), uploader,
        uploadedAt: this.now(), comment, files: summary.files, unpackedBytes: summary.unpackedBytes,
        tarsFiles: summary.tarsFiles}));
      if (!row) {
        throw new PatchRefused(`no upload ${name} of ${app}.${server}: it was committed or removed meanwhile ` +
          '(tars patch list)');
      }
      return row;
    } finally {
      await rm(copy, {force: true});
    }
  }

  /** Writes the stored upload to `dest`; its md5 (a {@link PatchRefused} when its bytes went meanwhile). */
  private async copyOut(file: StoredFile, dest: string): Promise<string> {
    const hash = createHash('md5');
    const handle = await open(dest, 'w');
    let size = 0;
    let broken: unknown;
    try {
      for await (const data of this.files.chunks(file.id)) {
        hash.update(data);
        await handle.write(data);
        size += data.length;
      }
    } catch (error) {
      broken = error;
    } finally {
      await handle.close();
    }
    if (broken !== undefined || size !== file.size) {
      if (broken !== undefined && await this.files.file(file.area, file.path).then((f) => f?.id === file.id)) {
        throw broken;
      }
      throw new PatchRefused(`the upload ${path.posix.basename(file.path)} was started again or removed while being ` +
        'committed: upload it again');
    }
    return hash.digest('hex');
  }

  list(app: string, server: string): Promise<VersionRow[]> {
    return this.repository.listVersions(app, server);
  }

  version(app: string, server: string, version: string): Promise<VersionRow> {
    return findVersion(this.repository, app, server, version);
  }

  async remove(app: string, server: string, version: string): Promise<void> {
    const row = await this.version(app, server, version === '' ? '-' : version);
    if (!await this.files.removeVersion(app, server, row.version, row.file)) {
      throw new PatchRefused(`${app}.${server} has no version ${version}`);
    }
  }
}
