// A package from the patch server (framework.md 1.12, 2.2 "deploy path"): Patch.listFileInfo says the file's size,
// Patch.download gives it in chunks from a byte offset. The node appends to `<file>.part` (so a node killed half way
// resumes where it stopped), checks the md5, and only then renames it into place.
import {createHash} from 'node:crypto';
import {createReadStream} from 'node:fs';
import {open, rename, rm, stat} from 'node:fs/promises';

import type {Communicator} from '@tars-ts/core';
import {UserError} from '@tars-ts/kit';

/** What {@link downloadPatch} needs. */
export interface PatchDownload {
  readonly communicator: Communicator;
  /** `tars.tarspatch.PatchObj`, resolved through the node's locator, or with endpoints. */
  readonly patchObj: string;
  /** The Patch path of the package (PatchCtl's PatchVersion.file). */
  readonly file: string;
  /** The md5 the package must have ('' = the one the patch server gives in its FileInfo). */
  readonly md5: string;
  /** Where the package goes. */
  readonly dest: string;
  /** Called after every chunk with the bytes so far and the total. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Timeout of each call, ms (official: 60 s). */
  readonly timeoutMs?: number;
}

/** The md5 of a file, hex. */
export async function md5Of(file: string): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function failure(message: string): UserError {
  return new UserError(message, {code: 'DEPLOY_FAILED', hint: 'check the patch server (tars patch list) and the ' +
    'node\'s disk, then run the rollout again: a broken download resumes where it stopped'});
}

/**
 * Downloads `file` into `dest` (see the file comment). Each call is tried twice, as the official node does. Rejects
 * with a DEPLOY_FAILED UserError naming the problem (no such file, a size that changes, an md5 mismatch: the partial
 * file is then removed, since resuming it cannot help).
 */
export async function downloadPatch(d: PatchDownload): Promise<void> {
  const {Patch} = await import('@tars-ts/core/framework');
  const proxy = d.communicator.stringToProxy(Patch.PatchProxy, d.patchObj, {timeout: d.timeoutMs ?? 60_000});
  const twice = async <T>(call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch {
      return call();
    }
  };
  const info = await twice(() => proxy.listFileInfo(d.file)).catch((error: unknown) => {
    throw failure(`the patch server ${d.patchObj} could not be asked for ${d.file}: ${(error as Error).message}`);
  });
  if (info.ret !== 1 || info.vf.length !== 1) {
    throw failure(`the patch server has no package ${d.file} (listFileInfo answered ${info.ret})`);
  }
  const size = info.vf[0]!.size;
  const expected = (d.md5 || info.vf[0]!.md5 || '').toLowerCase();
  const part = `${d.dest}.part`;
  let pos = await stat(part).then((s) => s.size, () => 0);
  if (pos > size) {
    await rm(part, {force: true});
    pos = 0;
  }
  const handle = await open(part, 'a');
  try {
    d.onProgress?.(pos, size);
    for (;;) {
      const {ret, vb} = await twice(() => proxy.download(d.file, pos)).catch((error: unknown) => {
        throw failure(`downloading ${d.file} at byte ${pos}: ${(error as Error).message}`);
      });
      if (ret === 1) break;
      if (ret !== 0) throw failure(`the patch server answered ${ret} for ${d.file} at byte ${pos}`);
      if (vb.length === 0) throw failure(`the patch server sent an empty chunk of ${d.file} at byte ${pos}`);
      await handle.write(vb, 0, vb.length, pos);
      pos += vb.length;
      d.onProgress?.(pos, size);
      if (pos > size) break;
    }
  } finally {
    await handle.close();
  }
  if (pos !== size) {
    await rm(part, {force: true});
    throw failure(`${d.file}: got ${pos} bytes, the patch server said ${size}`);
  }
  const got = await md5Of(part);
  if (expected !== '' && got !== expected) {
    await rm(part, {force: true});
    throw failure(`${d.file}: md5 ${got} is not the package's ${expected}`);
  }
  await rename(part, d.dest);
}
