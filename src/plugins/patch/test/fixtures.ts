// Shared by the patch server's tests: a patch daemon in this process on free ports with a temporary data directory,
// proxies of its servants, tar archives built entry by entry (raw headers, so that hostile entries such as devices
// and links out can be written), and the upload of an archive in chunks.
import {createHash} from 'node:crypto';
import {existsSync, mkdtempSync, readdirSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';

import {Communicator, Logger, stderrSink} from '@tars-ts/core';
import {Patch, PatchCtl} from '@tars-ts/core/framework';
import {type RunningDaemon, startDaemon} from '@tars-ts/kit';
import pg from 'pg';
import {Header} from 'tar';

import {freshDatabase} from '../../../../test/support/postgres.js';

import {PATCH_CTL_OBJ, PATCH_OBJ, patchDaemon} from '../src/index.js';

/** One entry of a raw archive. */
export interface RawEntry {
  path: string;
  type?: 'File' | 'Directory' | 'SymbolicLink' | 'Link' | 'CharacterDevice' | 'BlockDevice' | 'FIFO';
  content?: string | Buffer;
  linkpath?: string;
  mode?: number;
}

/** An uncompressed tar of `entries` (with the two zero blocks at its end). */
export function rawTar(entries: readonly RawEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const body = typeof e.content === 'string' ? Buffer.from(e.content) : e.content ?? Buffer.alloc(0);
    const type = e.type ?? 'File';
    const header = new Header({path: e.path, type, size: type === 'File' ? body.length : 0, linkpath: e.linkpath ?? '',
      mode: e.mode ?? (type === 'Directory' ? 0o755 : 0o644), mtime: new Date(0), uid: 0, gid: 0});
    const block = Buffer.alloc(512);
    header.encode(block, 0);
    blocks.push(block);
    if (type === 'File' && body.length > 0) {
      blocks.push(body, Buffer.alloc((512 - (body.length % 512)) % 512));
    }
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

/** A gzip tar of `entries`. */
export function tgz(entries: readonly RawEntry[]): Buffer {
  return zlib.gzipSync(rawTar(entries));
}

export const md5 = (b: Buffer): string => createHash('md5').update(b).digest('hex');

/** A patch daemon on free ports in a fresh directory, and proxies of PatchObj and PatchCtlObj. */
export interface TestPatchServer {
  readonly dir: string;
  readonly daemon: RunningDaemon;
  readonly patch: Patch.PatchProxy;
  readonly ctl: PatchCtl.PatchCtlProxy;
  /** PatchObj's endpoint (`-e` of the commands). */
  readonly endpoint: string;
  /** `-e PatchObj --ctl-endpoint PatchCtlObj`: the commands' flags for this server. */
  readonly e: string[];
  /**
   * Every file under the data directory's packages/ and uploads/ (relative paths), sorted; for a patch server on
   * PostgreSQL, its stored files as the same paths would name them (an upload complete: `NAME` and `NAME.md5`; in
   * progress: `NAME.part`).
   */
  files(): Promise<string[]>;
  close(): Promise<void>;
}

/** Where the tests' patch servers keep their packages: the data directory, or a fresh PostgreSQL database. */
export type PatchStoreKind = 'disk' | 'postgres';

/**
 * A patch server on `on`: packages in its data directory (`disk`), or in a fresh PostgreSQL database of this run's
 * throwaway server (`postgres`; or in the database `db` names, to share one with another patch server).
 */
export async function startPatchServer(settings: Record<string, unknown> = {}, on: PatchStoreKind = 'disk',
  db?: string): Promise<TestPatchServer> {
  if (on === 'postgres') db ??= await freshDatabase('patch');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tars-patch-'));
  const daemon = await startDaemon(patchDaemon, {port: 0, data: dir, settings, db,
    logger: new Logger('NONE', stderrSink)});
  const at = (obj: string) => daemon.info.endpoints.find((e) => e.obj === obj)!.endpoint;
  const communicator = new Communicator();
  const patch = communicator.stringToProxy(Patch.PatchProxy, `${PATCH_OBJ}@${at(PATCH_OBJ)}`, {timeout: 10_000});
  const ctl = communicator.stringToProxy(PatchCtl.PatchCtlProxy, `${PATCH_CTL_OBJ}@${at(PATCH_CTL_OBJ)}`,
    {timeout: 10_000});
  const files = async (): Promise<string[]> => {
    if (db) return storedFiles(db);
    const out: string[] = [];
    const walk = (d: string): void => {
      if (!existsSync(d)) return;
      for (const e of readdirSync(d, {withFileTypes: true})) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else out.push(path.relative(dir, p));
      }
    };
    walk(path.join(dir, 'packages'));
    walk(path.join(dir, 'uploads'));
    return out.sort();
  };
  return {dir, daemon, patch, ctl, endpoint: at(PATCH_OBJ), e: ['-e', at(PATCH_OBJ), '--ctl-endpoint', at(PATCH_CTL_OBJ)], files, async close() {
    communicator.close();
    await daemon.stop();
    rmSync(dir, {recursive: true, force: true});
  }};
}

/** The files a patch server keeps in the database `db` (schema tars_patch), named as on disk (see `files()`). */
async function storedFiles(db: string): Promise<string[]> {
  const client = new pg.Client({connectionString: db});
  await client.connect();
  try {
    const {rows} = await client.query<{area: string; path: string; complete: number}>(
      'select area, path, complete from tars_patch.patch_files');
    return rows.flatMap((r) => r.area === 'root' ? [`packages${r.path}`]
      : r.complete === 1 ? [`uploads/${r.path}`, `uploads/${r.path}.md5`] : [`uploads/${r.path}.part`]).sort();
  } finally {
    await client.end();
  }
}

/**
 * Sends `bytes` as the upload `name` of App.Server in chunks of `chunk` bytes (the md5 declared: `declared`, by
 * default the real one); the ret of every call.
 */
export async function uploadBytes(patch: Patch.PatchProxy, app: string, server: string, name: string, bytes: Buffer,
  options: {chunk?: number; declared?: string; stopAfter?: number} = {}): Promise<number[]> {
  const chunk = options.chunk ?? 64 * 1024;
  const rets: number[] = [];
  const declared = options.declared ?? md5(bytes);
  for (let pos = 0, n = 0; pos < bytes.length || n === 0; pos += chunk, n++) {
    if (options.stopAfter !== undefined && n >= options.stopAfter) break;
    const content = bytes.subarray(pos, pos + chunk);
    const {ret} = await patch.upload(app, server, Patch.FileContent.create({md5: declared, name, firstChunk: n === 0,
      lastChunk: pos + chunk >= bytes.length, content}));
    rets.push(ret);
  }
  return rets;
}
