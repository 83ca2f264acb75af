import {Args} from '@oclif/core';
import {UserError} from '@tars-ts/kit';

import {PatchClientCommand, appServer} from '../../client-command.js';

/** `tars patch rm --json`. */
export interface RmJson {
  app: string;
  server: string;
  version: string;
  removed: true;
}

export default class PatchRm extends PatchClientCommand {
  static override summary = 'Remove a version of a server and its package.';
  static override description = `The version's number is never given out again. Nodes that run it keep running it; a rollback or
deploy to it is no longer possible.`;

  static override examples = ['<%= config.bin %> <%= command.id %> TestApp.HelloServer 3'];

  static override args = {
    server: Args.string({description: 'App.Server', required: true}),
    version: Args.string({description: 'the version to remove', required: true}),
  };

  async run(): Promise<RmJson> {
    const {args, flags} = await this.parse(PatchRm);
    const {app, server} = appServer(args.server);
    if (!/^[1-9][0-9]*$/.test(args.version)) {
      throw new UserError(`version "${args.version}" is not a version number`, {code: 'BAD_ARGUMENT',
        hint: `tars patch list ${app}.${server} shows the versions`});
    }
    const {ctl} = await this.patchServer(flags);
    const {ret, result} = await ctl.removeVersion(app, server, args.version);
    if (ret !== 0) {
      throw new UserError(result || `removeVersion answered ${ret}`, {code: 'FAILURE',
        hint: `tars patch list ${app}.${server} shows the versions`});
    }
    this.log(`removed ${app}.${server} version ${args.version}`);
    return {app, server, version: args.version, removed: true};
  }
}
