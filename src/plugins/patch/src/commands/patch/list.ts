import {Args} from '@oclif/core';

import {PatchClientCommand} from '../../client-command.js';
import {bytesText, type VersionJson, versionJson} from '../../version-json.js';

/** `tars patch list --json`. */
export interface ListJson {
  versions: VersionJson[];
}

export default class PatchList extends PatchClientCommand {
  static override summary = 'List the versions of a server, of an application, or of every server.';
  static override examples = ['<%= config.bin %> <%= command.id %> TestApp.HelloServer',
    '<%= config.bin %> <%= command.id %> TestApp', '<%= config.bin %> <%= command.id %> --json'];

  static override args = {owner: Args.string({description: 'App.Server, or App for every server of it'})};

  async run(): Promise<ListJson> {
    const {args, flags} = await this.parse(PatchList);
    const owner = args.owner ?? '';
    const dot = owner.indexOf('.');
    const app = dot < 0 ? owner : owner.slice(0, dot);
    const server = dot < 0 ? '' : owner.slice(dot + 1);
    const {ctl} = await this.patchServer(flags);
    const {ret, versions} = await ctl.listVersions(app, server);
    if (ret !== 0) {
      const {UserError} = await import('@tars-ts/kit');
      throw new UserError(`the patch server answered ${ret} to listVersions`, {code: 'FAILURE'});
    }
    const json: ListJson = {versions: versions.map(versionJson)};
    if (!this.jsonEnabled()) {
      const {renderTable} = await import('@tars-ts/kit');
      this.log(json.versions.length === 0 ? `no version${owner ? ` of ${owner}` : ''}`
        : await renderTable(['SERVER', 'VERSION', 'SIZE', 'MD5', 'FILES', 'UNPACKED', 'UPLOADER', 'TIME', 'COMMENT'],
          json.versions.map((v) => [`${v.app}.${v.server}`, v.version, bytesText(v.size), v.md5, String(v.files),
            bytesText(v.unpackedBytes), v.uploader || '-', v.uploadedAt, v.comment || '-'])));
    }
    return json;
  }
}
