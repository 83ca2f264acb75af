import {randomBytes} from 'node:crypto';
import {mkdtemp, open, rm, stat} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import {Args, Flags} from '@oclif/core';
import {UserError} from '@tars-ts/kit';

import {PatchClientCommand, appServer} from '../../client-command.js';
import {bytesText, type VersionJson, versionJson} from '../../version-json.js';

/** Bytes of one Patch.upload chunk. */
const UPLOAD_CHUNK = 1024 * 1024;

export default class PatchUpload extends PatchClientCommand {
  static override summary = 'Upload a package of a server as its next version.';
  static override description = `A directory is packed into a .tgz first (with the tar package, as the node stages a project: a
symbolic link out of the directory, like node_modules/@tars-ts/core of a \`tars new\` project, is replaced by what
it points to; .git is left out). The .tgz is sent in chunks through the official Patch.upload, then committed
with PatchCtl.commitUpload: the patch server checks it (no path or link out of it, no device, under its limits
of files and bytes, the md5 the upload declared) and records it as the next version, or refuses it and keeps
nothing. Prints the version; --json the whole record.`;

  static override examples = ['<%= config.bin %> <%= command.id %> TestApp.HelloServer . -m "first release"',
    '<%= config.bin %> <%= command.id %> TestApp.HelloServer ./HelloServer.tgz --json'];

  static override args = {
    server: Args.string({description: 'App.Server the package is for', required: true}),
    source: Args.string({description: 'the package: a directory, or a .tgz', required: true}),
  };

  static override flags = {
    message: Flags.string({char: 'm', summary: 'Comment stored with the version.', default: '', helpValue: 'TEXT'}),
    user: Flags.string({summary: 'Uploader stored with the version (default: $USER).', helpValue: 'NAME'}),
  };

  async run(): Promise<VersionJson> {
    const {args, flags} = await this.parse(PatchUpload);
    const {app, server} = appServer(args.server);
    let info;
    try {
      info = await stat(args.source);
    } catch {
      throw new UserError(`${args.source} does not exist`, {code: 'BAD_ARGUMENT',
        hint: 'give the project directory or a .tgz made with tar czf'});
    }
    const tmp = info.isDirectory() ? await mkdtemp(path.join(os.tmpdir(), 'tars-patch-upload-')) : undefined;
    try {
      let file = path.resolve(args.source);
      if (tmp) {
        const {packDirectory} = await import('../../pack.js');
        file = path.join(tmp, `${app}.${server}.tgz`);
        await packDirectory(args.source, file);
      } else {
        const {isGzipFile} = await import('../../archive-check.js');
        if (!info.isFile() || !await isGzipFile(file)) {
          throw new UserError(`${args.source} is neither a directory nor a .tgz`, {code: 'BAD_ARGUMENT',
            hint: 'give the project directory, or an archive made with tar czf'});
        }
      }
      const {md5File} = await import('../../patch-service.js');
      const md5 = await md5File(file);
      const {patch, ctl} = await this.patchServer(flags);
      const name = `${app}.${server}_${Date.now()}_${randomBytes(4).toString('hex')}.tgz`;
      try {
        await this.send(patch, app, server, file, name, md5);
      } catch (error) {
        // What arrived of it is of no use: the patch server may drop it now rather than at its next start.
        await patch.deletePatchFile(app, server, name).catch(() => undefined);
        throw error;
      }
      const {ret, version, result} = await ctl.commitUpload(app, server, name, flags.message,
        this.uploader(flags.user));
      if (ret !== 0) {
        throw new UserError(`the patch server refused the package: ${result || `commitUpload answered ${ret}`}`,
          {code: 'FAILURE', hint: 'fix the package and upload it again; nothing was stored'});
      }
      const json = versionJson(version);
      this.log(`uploaded ${app}.${server} version ${json.version} (${bytesText(json.size)}, md5 ${json.md5}, ` +
        `${json.files} files, ${bytesText(json.unpackedBytes)} unpacked` +
        `${json.tarsFiles.length > 0 ? `, ${json.tarsFiles.join(', ')}` : ''})`);
      return json;
    } finally {
      if (tmp) await rm(tmp, {recursive: true, force: true});
    }
  }

  private uploader(user: string | undefined): string {
    if (user) return user;
    if (process.env.USER) return process.env.USER;
    try {
      return os.userInfo().username;
    } catch {
      return 'unknown';
    }
  }

  /** Sends `file` as `name` in chunks through Patch.upload. */
  private async send(patch: import('@tars-ts/core/framework').Patch.PatchProxy, app: string, server: string,
    file: string, name: string, md5: string): Promise<void> {
    const {Patch} = await import('@tars-ts/core/framework');
    const handle = await open(file, 'r');
    try {
      const size = (await handle.stat()).size;
      let pos = 0;
      do {
        const chunk = Buffer.alloc(Math.min(UPLOAD_CHUNK, size - pos));
        const {bytesRead} = await handle.read(chunk, 0, chunk.length, pos);
        const first = pos === 0;
        pos += bytesRead;
        const last = pos >= size;
        const {ret} = await patch.upload(app, server, Patch.FileContent.create({md5, name, firstChunk: first,
          lastChunk: last, content: chunk.subarray(0, bytesRead)}));
        if (ret === 1 && first) return; // the same file is uploaded already
        if (ret !== 0) {
          throw new UserError(`Patch.upload answered ${ret} at byte ${pos - bytesRead} of ${size}` +
            `${ret === -3 ? ' (the md5 of what arrived differs)' : ''}`, {code: 'FAILURE',
            hint: 'upload it again; nothing was stored'});
        }
        if (bytesRead === 0) break;
      } while (pos < size);
    } finally {
      await handle.close();
    }
  }
}
