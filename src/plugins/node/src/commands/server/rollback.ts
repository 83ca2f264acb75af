import {Args} from '@oclif/core';
import {rollbackVersion} from '@tars-ts/kit';

import {ROLLOUT_FLAGS, type RolloutJson, ServerCommand, parseServerId, rolloutOptions} from '../../server-command.js';

export default class ServerRollback extends ServerCommand {
  static override summary = 'Roll a server back to the version before the one it runs (from the patch store).';
  static override description = `The version running is what the nodes reported to the registry after their last patch; the one
before it is the newest older version in the patch store. It is rolled out as tars server patch does (--batch,
--nodes, --wait-healthy).`;

  static override examples = ['<%= config.bin %> <%= command.id %> TestApp.HelloGo',
    '<%= config.bin %> <%= command.id %> TestApp.HelloGo --batch 1'];

  static override args = {server: Args.string({description: 'App.Server', required: true})};

  static override flags = {
    ...ROLLOUT_FLAGS,
  };

  async run(): Promise<RolloutJson> {
    const {args, flags} = await this.parse(ServerRollback);
    const id = parseServerId(args.server);
    const running = (await this.instances(flags, id)).map((i) => i.patchVersion);
    const {versions} = await (await this.patchCtl(flags)).listVersions(id.application, id.serverName);
    const before = rollbackVersion(args.server, running, versions, this.config.bin);
    return this.rollout(flags, id, before, rolloutOptions(flags));
  }
}
