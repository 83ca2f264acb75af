import {randomBytes} from 'node:crypto';
import {createReadStream} from 'node:fs';
import {mkdtemp, rm, stat} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import {Args, Flags} from '@oclif/core';
import {UPLOAD_CHUNK, UserError, storeUpload} from '@tars-ts/kit';

import {PatchClientCommand, appServer} from '../../client-command.js';
import {bytesText, type VersionJson} from '../../version-json.js';

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
      // The kit's upload (the web console's too): chunks through Patch.upload, then PatchCtl.commitUpload; a
      // refused package or a failed transfer leaves nothing behind.
      const json = await storeUpload(patch, ctl, {app, server, name, md5},
        createReadStream(file, {highWaterMark: UPLOAD_CHUNK}), {comment: flags.message,
          uploader: this.uploader(flags.user)});
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
}
