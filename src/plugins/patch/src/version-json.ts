// A version as `tars patch upload|list --json` print it.
import type {PatchCtl} from '@tars-ts/core/framework';

/** One version in the commands' JSON. */
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
