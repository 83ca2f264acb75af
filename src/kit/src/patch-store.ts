// The patch store as its clients see it (`tars patch upload|list|rm`, `tars server rollback`, the web console): a
// version's JSON, an upload sent in chunks through the official Patch.upload and committed with PatchCtl, and the
// version a rollback goes back to. The patch server itself is the patch plugin's; this is only its client side.
import {createHash} from 'node:crypto';

import type {Patch, PatchCtl} from '@tars-ts/core/framework';

import {UserError} from './errors.js';

/** The patch server's official servant (downloads and uploads), as the registry lists it. */
export const PATCH_OBJ = 'tars.tarspatch.PatchObj';
/** The patch server's own servant (versions), as the registry lists it. */
export const PATCH_CTL_OBJ = 'tars.tarspatch.PatchCtlObj';
/** Bytes of one Patch.upload chunk: the most an upload holds in memory at once. */
export const UPLOAD_CHUNK = 1024 * 1024;

/** One version as `tars patch upload|list --json` print it (and the console sends it). */
export interface VersionJson {
  app: string;
  server: string;
  version: string;
  md5: string;
  size: number;
  /** The Patch path nodes download. */
  file: string;
  uploader: string;
  /** ISO time. */
  uploadedAt: string;
  comment: string;
  files: number;
  unpackedBytes: number;
  tarsFiles: string[];
}

/** A PatchCtl version as {@link VersionJson}. */
export function versionJson(v: PatchCtl.PatchVersion): VersionJson {
  return {app: v.application, server: v.serverName, version: v.version, md5: v.md5, size: Number(v.size), file: v.file,
    uploader: v.uploader, uploadedAt: new Date(Number(v.uploadedAt)).toISOString(), comment: v.comment, files: v.files,
    unpackedBytes: Number(v.unpackedBytes), tarsFiles: v.tarsFiles};
}

/** 1.5 MiB, 12 KiB, 300 B. */
export function bytesText(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} B`;
}

/** What an upload is: whose, under which name, with the md5 its bytes must have. */
export interface UploadTarget {
  readonly app: string;
  readonly server: string;
  /** The upload's file name at the patch server (a plain name, e.g. App.Server_<time>_<random>.tgz). */
  readonly name: string;
  /** The md5 the whole package has, lower-case hex (the patch server checks what arrived against it). */
  readonly md5: string;
}

/**
 * Sends the bytes of `source` (pieces of any size) through Patch.upload in chunks of at most {@link UPLOAD_CHUNK}
 * bytes, holding no more than one chunk; the last call has `lastChunk` (and may be empty). `onSent(bytes)` is
 * called after each chunk with the total sent. Resolves with the byte count and the md5 of what was sent; rejects
 * with a UserError (FAILURE) naming the patch server's answer, or with what `source` threw. Resolves `identical`
 * when the patch server already holds a complete upload of that name and md5 (nothing is sent then).
 */
export async function sendUpload(patch: Patch.PatchProxy, target: UploadTarget, source: AsyncIterable<Uint8Array>,
  onSent?: (bytes: number) => void): Promise<{bytes: number; md5: string; identical: boolean}> {
  const {Patch: P} = await import('@tars-ts/core/framework');
  const hash = createHash('md5');
  let chunk = Buffer.alloc(UPLOAD_CHUNK);
  let fill = 0;
  let sent = 0;
  let started = false;
  /** One Patch.upload call; true when the patch server has that file complete already (first chunk only). */
  const send = async (content: Buffer, last: boolean): Promise<boolean> => {
    const first = !started;
    started = true;
    const {ret} = await patch.upload(target.app, target.server, P.FileContent.create({md5: target.md5, name: target.name,
      firstChunk: first, lastChunk: last, content}));
    if (ret === 1 && first) return true;
    if (ret !== 0) {
      throw new UserError(`Patch.upload answered ${ret} at byte ${sent} of ${target.name}${ret === -3
        ? ' (the md5 of what arrived is not the one declared)' : ret === -2 ? ' (too big, or the upload was lost)' : ''}`,
      {code: 'FAILURE', hint: 'upload it again; nothing was stored'});
    }
    sent += content.length;
    onSent?.(sent);
    return false;
  };
  for await (const piece of source) {
    let at = 0;
    while (at < piece.length) {
      const n = Math.min(piece.length - at, UPLOAD_CHUNK - fill);
      const part = piece.subarray(at, at + n);
      chunk.set(part, fill);
      hash.update(part);
      fill += n;
      at += n;
      if (fill === UPLOAD_CHUNK) {
        if (await send(chunk, false)) return {bytes: 0, md5: target.md5, identical: true};
        chunk = Buffer.alloc(UPLOAD_CHUNK);
        fill = 0;
      }
    }
  }
  // The rest (maybe nothing) closes the upload; for a package of one chunk or less it is also the first call.
  if (await send(chunk.subarray(0, fill), true)) return {bytes: 0, md5: target.md5, identical: true};
  return {bytes: sent, md5: hash.digest('hex'), identical: false};
}

/** Why the patch server refused to make an upload a version (its own words in the message). */
export class PackageRefused extends UserError {
  constructor(readonly result: string) {
    super(`the patch server refused the package: ${result}`, {code: 'FAILURE',
      hint: 'fix the package and upload it again; nothing was stored'});
  }
}

/**
 * Uploads `source` as the next version of `target.app`.`target.server` with `comment` and `uploader`: sends it
 * ({@link sendUpload}), then PatchCtl.commitUpload, which checks the archive (no path or link out of it, its limits,
 * the md5) and records it. Rejects with {@link PackageRefused} when the patch server refuses it; whatever failed, the
 * partial upload is dropped (Patch.deletePatchFile) so nothing is left behind.
 */
export async function storeUpload(patch: Patch.PatchProxy, ctl: PatchCtl.PatchCtlProxy, target: UploadTarget,
  source: AsyncIterable<Uint8Array>, info: {comment: string; uploader: string},
  onSent?: (bytes: number) => void): Promise<VersionJson> {
  try {
    await sendUpload(patch, target, source, onSent);
  } catch (error) {
    // What arrived of it is of no use: the patch server may drop it now rather than at its next start.
    await patch.deletePatchFile(target.app, target.server, target.name).catch(() => undefined);
    throw error;
  }
  const {ret, version, result} = await ctl.commitUpload(target.app, target.server, target.name, info.comment,
    info.uploader);
  if (ret !== 0) throw new PackageRefused(result || `commitUpload answered ${ret}`);
  return versionJson(version);
}

/**
 * The version a rollback goes to: the newest version in `versions` older than the newest of `running` (the patch
 * versions the server's instances run). A UserError (USAGE) when the server runs no store version or none is older.
 */
export function rollbackVersion<V extends {version: string}>(server: string, running: readonly string[],
  versions: readonly V[], bin = 'tars'): V {
  const numbers = [...new Set(running.filter(Boolean))].map(Number).filter((n) => Number.isFinite(n));
  if (numbers.length === 0) {
    throw new UserError(`${server} runs no version from the patch store`, {code: 'USAGE',
      hint: `deploy one with ${bin} server patch ${server} --version V`});
  }
  const current = Math.max(...numbers);
  const before = versions.filter((v) => Number(v.version) < current)
    .sort((a, b) => Number(b.version) - Number(a.version))[0];
  if (!before) {
    throw new UserError(`there is no version of ${server} before ${current} in the patch store`, {code: 'USAGE',
      hint: `${bin} patch list ${server} shows the versions`});
  }
  return before;
}
