// What the patch server does, below its two servants. Its data directory:
//
//   DATA/patch.db                                   versions (./sql-repository.ts)
//   DATA/packages/                                  the Patch root: what listFileInfo and download serve
//   DATA/packages/<App>/<Server>/<App>.<Server>_<N>.tgz   version N of App.Server
//   DATA/packages/TARSBatchPatching/<App>/<Server>/<App>.<Server>.tgz   preparePatchFile's copy (as the official)
//   DATA/uploads/<App>/<Server>/<name>.part         an upload in progress (Patch.upload chunks)
//   DATA/uploads/<App>/<Server>/<name> + <name>.md5 an upload that reached its last chunk, with the md5 it declared
//
// Only a complete upload can be committed; the commit checks it (./archive-check.ts), then moves it into
// packages/ and records it in one transaction. A refused upload is deleted.
import {createHash} from 'node:crypto';
import {createReadStream} from 'node:fs';
import {appendFile, copyFile, mkdir, open, readdir, readFile, realpath, rename, rm, stat, writeFile} from 'node:fs/promises';
import path from 'node:path';

import {type ArchiveLimits, ArchiveRefused, checkArchive} from './archive-check.js';
import type {PatchRepository, VersionRow} from './repository.js';

/** The official chunk size of download (`<tars> size`, 1M). */
export const DEFAULT_CHUNK_SIZE = 1024 * 1024;
/** FileInfo.size and download's pos are TARS ints: no package may be larger. */
export const MAX_PACKAGE_BYTES = 2 ** 31 - 1;

/** A request the patch server refuses; the message says why, in one line. */
export class PatchRefused extends Error {
  override readonly name = 'PatchRefused';
}

/** Application and server names as TARS writes them. */
const NAME = /^[A-Za-z0-9_-]{1,128}$/;
/** An upload's file name: one plain component. */
const UPLOAD_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}$/;

export function nameProblem(app: string, server: string): string | undefined {
  if (app === 'TARSBatchPatching') return 'application "TARSBatchPatching" is the name of preparePatchFile\'s directory';
  if (!NAME.test(app)) return `application "${app}" is not a TARS name (letters, digits, _ and -)`;
  if (!NAME.test(server)) return `server "${server}" is not a TARS name (letters, digits, _ and -)`;
  return undefined;
}

/** Why `name` cannot be an upload's name, or undefined. */
export function uploadNameProblem(name: string): string | undefined {
  if (!UPLOAD_NAME.test(name) || name.includes('..') || name.endsWith('.part') || name.endsWith('.md5')) {
    return `upload name "${name}" is not a plain file name (letters, digits, _ . -; not ending in .part or .md5)`;
  }
  return undefined;
}

/** md5 of a file, lower-case hex. */
export async function md5File(file: string): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Whether `p` is `root` or below it. */
function within(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel));
}

export interface PatchServiceOptions {
  readonly limits: ArchiveLimits;
  /** download's chunk size, bytes (default {@link DEFAULT_CHUNK_SIZE}). */
  readonly chunkSize?: number;
  /** The clock of uploadedAt (tests). */
  readonly now?: () => number;
}

/** One listed file of listFileInfo. */
export interface ListedFile {
  readonly path: string;
  readonly size: number;
  readonly canExec: boolean;
  readonly md5: string;
}

/**
 * What the servants ask of a patch server: {@link PatchService} keeps packages and uploads in its data directory
 * (one instance, SQLite); SharedPatchService (./shared-patch-service.ts) keeps them in a store that several
 * instances share (PostgreSQL). Both answer the same, with the official return codes.
 */
export interface PatchBackend {
  /** Patch.listFileInfo: 1 and the file, 0 and every file below a directory, -1 for a bad or missing path. */
  listFileInfo(patchPath: string): Promise<{ret: number; files: ListedFile[]}>;
  /** Patch.download: 0 and at most one chunk from `pos`, 1 at or after the end, -1/-2/-3 as the official. */
  download(patchPath: string, pos: number): Promise<{ret: number; bytes: Buffer}>;
  /** Patch.upload: 0, 1 (identical file already complete), -1 bad name, -2 no upload to continue or too big, -3 md5. */
  upload(app: string, server: string, chunk: {md5: string; name: string; firstChunk: boolean; lastChunk: boolean;
    content: Uint8Array}): Promise<number>;
  /** Patch.deletePatchFile: 0, or -1 when there was no such upload. */
  deleteUpload(app: string, server: string, name: string): Promise<number>;
  /** Patch.preparePatchFile: 0, -1 no such upload, -2 cannot place it. */
  preparePatchFile(app: string, server: string, name: string): Promise<{ret: number; result: string}>;
  /** PatchCtl.commitUpload: the new version, or a {@link PatchRefused} saying why not (nothing stored). */
  commit(app: string, server: string, name: string, comment: string, uploader: string): Promise<VersionRow>;
  list(app: string, server: string): Promise<VersionRow[]>;
  /** One version ('' or 'latest': the newest); a {@link PatchRefused} when there is none. */
  version(app: string, server: string, version: string): Promise<VersionRow>;
  /** Removes a version and its package; a {@link PatchRefused} when there is none. */
  remove(app: string, server: string, version: string): Promise<void>;
  /** Stops timers (the daemon's stop); idempotent. */
  close(): void;
}

/** One version of `repository` ('' or 'latest': the newest); a {@link PatchRefused} when there is none. */
export async function findVersion(repository: PatchRepository, app: string, server: string, version: string):
  Promise<VersionRow> {
  const problem = nameProblem(app, server);
  if (problem) throw new PatchRefused(problem);
  if (version === '' || version === 'latest') {
    const latest = await repository.latestVersion(app, server);
    if (!latest) throw new PatchRefused(`${app}.${server} has no version: upload one (tars patch upload)`);
    return latest;
  }
  const n = Number(version);
  const row = /^[1-9][0-9]{0,9}$/.test(version) ? await repository.getVersion(app, server, n) : undefined;
  if (!row) throw new PatchRefused(`${app}.${server} has no version ${version} (tars patch list ${app}.${server})`);
  return row;
}

export class PatchService implements PatchBackend {
  /** The Patch root. */
  readonly packages: string;
  readonly uploads: string;
  readonly chunkSize: number;
  private readonly now: () => number;
  /** md5 of served files by path, valid while size and mtime stay. */
  private readonly md5s = new Map<string, {size: number; mtimeMs: number; md5: string}>();
  /** Work on one upload (its chunks, its commit), by its path: one at a time, in the order it came. */
  private readonly busy = new Map<string, Promise<unknown>>();

  private constructor(dataDir: string, private readonly repository: PatchRepository,
    private readonly options: PatchServiceOptions) {
    this.packages = path.join(dataDir, 'packages');
    this.uploads = path.join(dataDir, 'uploads');
    this.chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
    this.now = options.now ?? Date.now;
  }

  /**
   * The service over `dataDir`: makes its directories, removes what a killed run left (uploads in progress, package
   * files no version names) and returns it.
   */
  static async open(dataDir: string, repository: PatchRepository, options: PatchServiceOptions): Promise<PatchService> {
    const service = new PatchService(dataDir, repository, options);
    await mkdir(service.packages, {recursive: true});
    await mkdir(service.uploads, {recursive: true});
    await service.sweep();
    return service;
  }

  /** Removes `.part` uploads (no transfer survives a restart) and package files without a version. */
  private async sweep(): Promise<void> {
    const known = new Set((await this.repository.listVersions('', '')).map((v) => v.file));
    for (const app of await readdir(this.uploads, {withFileTypes: true})) {
      if (!app.isDirectory()) continue;
      for (const server of await readdir(path.join(this.uploads, app.name), {withFileTypes: true})) {
        if (!server.isDirectory()) continue;
        const dir = path.join(this.uploads, app.name, server.name);
        for (const f of await readdir(dir)) if (f.endsWith('.part')) await rm(path.join(dir, f), {force: true});
      }
    }
    for (const app of await readdir(this.packages, {withFileTypes: true})) {
      if (!app.isDirectory() || app.name === 'TARSBatchPatching') continue;
      for (const server of await readdir(path.join(this.packages, app.name), {withFileTypes: true})) {
        if (!server.isDirectory()) continue;
        const dir = path.join(this.packages, app.name, server.name);
        for (const f of await readdir(dir)) {
          if (!known.has(`/${app.name}/${server.name}/${f}`)) await rm(path.join(dir, f), {force: true});
        }
      }
    }
  }

  /** The package file of version N of App.Server, as a Patch path. */
  static packageFile(app: string, server: string, version: number): string {
    return `/${app}/${server}/${app}.${server}_${version}.tgz`;
  }

  /**
   * Where a Patch path is on disk, or undefined when it is not allowed: a `..` anywhere (as the official), or a path
   * that leaves the package root, also through a symbolic link.
   */
  async resolve(patchPath: string): Promise<string | undefined> {
    if (patchPath.includes('..') || patchPath.includes('\0')) return undefined;
    const where = path.resolve(this.packages, `.${path.sep}${patchPath}`);
    if (!within(this.packages, where)) return undefined;
    try {
      const real = await realpath(where);
      return within(await realpath(this.packages), real) ? real : undefined;
    } catch {
      return where; // does not exist: the caller says so
    }
  }

  private async md5Of(file: string, size: number, mtimeMs: number): Promise<string> {
    const known = this.md5s.get(file);
    if (known && known.size === size && known.mtimeMs === mtimeMs) return known.md5;
    const md5 = await md5File(file);
    this.md5s.set(file, {size, mtimeMs, md5});
    return md5;
  }

  /** Patch.listFileInfo: 1 and the file, 0 and every regular file below a directory, -1 for a bad path. */
  async listFileInfo(patchPath: string): Promise<{ret: number; files: ListedFile[]}> {
    const where = await this.resolve(patchPath);
    if (!where) return {ret: -1, files: []};
    let info;
    try {
      info = await stat(where);
    } catch {
      return {ret: -1, files: []};
    }
    const describe = async (file: string, name: string): Promise<ListedFile | undefined> => {
      const s = await stat(file);
      if (!s.isFile() || s.size > MAX_PACKAGE_BYTES) return undefined;
      return {path: name, size: s.size, canExec: (s.mode & 0o111) !== 0, md5: await this.md5Of(file, s.size, s.mtimeMs)};
    };
    if (info.isFile()) {
      const one = await describe(where, path.basename(where));
      return one ? {ret: 1, files: [one]} : {ret: -1, files: []};
    }
    if (!info.isDirectory()) return {ret: -1, files: []};
    const files: ListedFile[] = [];
    const walk = async (dir: string): Promise<void> => {
      for (const e of (await readdir(dir, {withFileTypes: true})).sort((a, b) => (a.name < b.name ? -1 : 1))) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) await walk(p);
        else if (e.isFile()) {
          const one = await describe(p, `/${path.relative(where, p).split(path.sep).join('/')}`);
          if (one) files.push(one);
        }
      }
    };
    await walk(where);
    return {ret: 0, files};
  }

  /**
   * Patch.download: at most one chunk from byte `pos`; ret 0 with the bytes, 1 at or after the end, -1 when the file
   * cannot be opened (or the path is refused), -2 for a negative position, -3 when reading fails.
   */
  async download(patchPath: string, pos: number): Promise<{ret: number; bytes: Buffer}> {
    const none = Buffer.alloc(0);
    const where = await this.resolve(patchPath);
    if (!where) return {ret: -1, bytes: none};
    if (!Number.isInteger(pos) || pos < 0) return {ret: -2, bytes: none};
    let handle;
    try {
      handle = await open(where, 'r');
    } catch {
      return {ret: -1, bytes: none};
    }
    try {
      const s = await handle.stat();
      if (!s.isFile()) return {ret: -1, bytes: none};
      if (pos >= s.size) return {ret: 1, bytes: none};
      const bytes = Buffer.alloc(Math.min(this.chunkSize, s.size - pos));
      const {bytesRead} = await handle.read(bytes, 0, bytes.length, pos);
      return {ret: 0, bytes: bytes.subarray(0, bytesRead)};
    } catch {
      return {ret: -3, bytes: none};
    } finally {
      await handle.close();
    }
  }

  private uploadDir(app: string, server: string): string {
    return path.join(this.uploads, app, server);
  }

  /**
   * Patch.upload: appends one chunk to the upload `name` of App.Server (the first chunk starts it again). After the
   * last chunk the upload is complete, with the md5 it declared; 0 when that md5 is the file's, -3 when not (the
   * commit will refuse it). 1: the first chunk of a file already uploaded complete with that md5 (nothing written).
   * -1: a bad name or directory; -2: a chunk that continues no upload, or a file past 2 GiB.
   */
  async upload(app: string, server: string, chunk: {md5: string; name: string; firstChunk: boolean; lastChunk: boolean;
    content: Uint8Array}): Promise<number> {
    if (nameProblem(app, server) || uploadNameProblem(chunk.name)) return -1;
    const dir = this.uploadDir(app, server);
    const part = path.join(dir, `${chunk.name}.part`);
    return this.serial(path.join(dir, chunk.name), async () => {
      try {
        await mkdir(dir, {recursive: true});
      } catch {
        return -1;
      }
      const done = path.join(dir, chunk.name);
      if (chunk.firstChunk) {
        const declared = await readFile(`${done}.md5`, 'utf8').catch(() => undefined);
        if (declared !== undefined && declared.trim() === chunk.md5.toLowerCase() &&
          await md5File(done).catch(() => '') === declared.trim()) return 1;
        await writeFile(part, chunk.content);
      } else {
        try {
          const s = await stat(part);
          if (s.size + chunk.content.length > MAX_PACKAGE_BYTES) {
            await rm(part, {force: true});
            return -2;
          }
        } catch {
          return -2;
        }
        await appendFile(part, chunk.content);
      }
      if (!chunk.lastChunk) return 0;
      await rm(done, {force: true});
      await writeFile(`${done}.md5`, `${chunk.md5.toLowerCase()}\n`);
      await rename(part, done);
      return await md5File(done) === chunk.md5.toLowerCase() ? 0 : -3;
    });
  }

  /** Runs `work` after whatever runs on the upload `key`, and before what comes next. */
  private async serial<T>(key: string, work: () => Promise<T>): Promise<T> {
    const run = (this.busy.get(key) ?? Promise.resolve()).catch(() => undefined).then(work);
    this.busy.set(key, run);
    try {
      return await run;
    } finally {
      if (this.busy.get(key) === run) this.busy.delete(key);
    }
  }

  /** Patch.deletePatchFile: removes a complete or partial upload; 0, or -1 when there was none. */
  async deleteUpload(app: string, server: string, name: string): Promise<number> {
    if (nameProblem(app, server) || uploadNameProblem(name)) return -1;
    const file = path.join(this.uploadDir(app, server), name);
    const existed = await stat(file).then(() => true, () => false) || await stat(`${file}.part`).then(() => true,
      () => false);
    await Promise.all([rm(file, {force: true}), rm(`${file}.md5`, {force: true}), rm(`${file}.part`, {force: true})]);
    return existed ? 0 : -1;
  }

  /**
   * Patch.preparePatchFile: copies a complete upload to packages/TARSBatchPatching/App/Server/App.Server.tgz, as the
   * official does; -1 when the upload does not exist, -2 when the directory cannot be made.
   */
  async preparePatchFile(app: string, server: string, name: string): Promise<{ret: number; result: string}> {
    const problem = nameProblem(app, server) ?? uploadNameProblem(name);
    if (problem) return {ret: -1, result: problem};
    const upload = path.join(this.uploadDir(app, server), name);
    const dir = path.join(this.packages, 'TARSBatchPatching', app, server);
    try {
      await mkdir(dir, {recursive: true});
    } catch (error) {
      return {ret: -2, result: `cannot make ${dir}: ${(error as Error).message}`};
    }
    try {
      await copyFile(upload, path.join(dir, `${app}.${server}.tgz`));
    } catch {
      return {ret: -1, result: `no upload ${name} of ${app}.${server}`};
    }
    return {ret: 0, result: ''};
  }

  /**
   * PatchCtl.commitUpload: makes the complete upload `name` the next version of App.Server. Refused (a
   * {@link PatchRefused}): a bad name, no complete upload, an md5 other than the upload declared, or an archive that
   * fails the check; the upload is then deleted (when it exists) and nothing is recorded.
   */
  async commit(app: string, server: string, name: string, comment: string, uploader: string): Promise<VersionRow> {
    const problem = nameProblem(app, server) ?? uploadNameProblem(name);
    if (problem) throw new PatchRefused(problem);
    const upload = path.join(this.uploadDir(app, server), name);
    return this.serial(upload, () => this.commitNow(app, server, name, upload, comment, uploader));
  }

  private async commitNow(app: string, server: string, name: string, upload: string, comment: string,
    uploader: string): Promise<VersionRow> {
    const declared = (await readFile(`${upload}.md5`, 'utf8').catch(() => '')).trim();
    const size = await stat(upload).then((s) => s.size, () => -1);
    if (size < 0 || declared === '') {
      const partial = await stat(`${upload}.part`).then(() => true, () => false);
      throw new PatchRefused(partial
        ? `the upload ${name} of ${app}.${server} did not reach its last chunk: upload it again`
        : `no upload ${name} of ${app}.${server}: send it with Patch.upload first (tars patch upload)`);
    }
    const discard = (): Promise<unknown> => Promise.all([rm(upload, {force: true}), rm(`${upload}.md5`, {force: true})]);
    try {
      const md5 = await md5File(upload);
      if (md5 !== declared) {
        throw new PatchRefused(`the upload ${name} has md5 ${md5}, not the ${declared} its upload declared: upload it again`);
      }
      const summary = await checkArchive(upload, this.options.limits);
      const dir = path.join(this.packages, app, server);
      await mkdir(dir, {recursive: true});
      return await this.repository.addVersion(app, server, (version) => Object.freeze({app, server, version, md5, size,
        file: PatchService.packageFile(app, server, version), uploader, uploadedAt: this.now(), comment,
        files: summary.files, unpackedBytes: summary.unpackedBytes, tarsFiles: summary.tarsFiles}),
      async (row) => {
        await rename(upload, path.join(this.packages, row.file));
        await rm(`${upload}.md5`, {force: true});
      });
    } catch (error) {
      await discard();
      if (error instanceof ArchiveRefused) throw new PatchRefused(error.message);
      throw error;
    }
  }

  list(app: string, server: string): Promise<VersionRow[]> {
    return this.repository.listVersions(app, server);
  }

  close(): void {
    // nothing runs in the background
  }

  /** One version ('' or 'latest': the newest); a {@link PatchRefused} when there is none. */
  version(app: string, server: string, version: string): Promise<VersionRow> {
    return findVersion(this.repository, app, server, version);
  }

  /** Removes a version and its package; a {@link PatchRefused} when there is none. */
  async remove(app: string, server: string, version: string): Promise<void> {
    const row = await this.version(app, server, version === '' ? '-' : version);
    if (!await this.repository.removeVersion(app, server, row.version)) {
      throw new PatchRefused(`${app}.${server} has no version ${version}`);
    }
    await rm(path.join(this.packages, row.file), {force: true});
    this.md5s.delete(path.join(this.packages, row.file));
  }
}
