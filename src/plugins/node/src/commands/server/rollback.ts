import {Args, Flags} from '@oclif/core';
import {UserError} from '@tars-ts/kit';

import {type RolloutJson, ServerCommand, parseServerId} from '../../server-command.js';

export default class ServerRollback extends ServerCommand {
  static override summary = 'Roll a server back to the version before the one it runs (from the patch store).';
  static override description = `The version running is what the nodes reported to the registry after their last patch; the one
before it is the newest older version in the patch store. It is rolled out as tars server patch does (--batch,
--nodes, --wait-healthy).`;

  static override examples = ['<%= config.bin %> <%= command.id %> TestApp.HelloGo',
    '<%= config.bin %> <%= command.id %> TestApp.HelloGo --batch 1'];

  static override args = {server: Args.string({description: 'App.Server', required: true})};

  static override flags = {
    nodes: Flags.string({summary: 'Only these nodes (comma-separated names).', helpValue: 'A,B'}),
    batch: Flags.integer({summary: 'Nodes rolled back at once (0: all).', default: 0, min: 0, helpValue: 'N'}),
    'wait-healthy': Flags.boolean({summary: 'Before the next batch, wait until the registry hands the instances ' +
      'out again.'}),
    drain: Flags.integer({summary: 'With --batch, how long an instance stays out of discovery before it restarts, ' +
      'ms (long-lived clients refresh their endpoints every refresh-endpoint-interval).', default: 0, min: 0,
      helpValue: 'MS'}),
    wait: Flags.integer({summary: 'How long each server has for its first heart-beat, ms.', default: 30_000,
      min: 1000, max: 120_000, helpValue: 'MS'}),
  };

  async run(): Promise<RolloutJson> {
    const {args, flags} = await this.parse(ServerRollback);
    const id = parseServerId(args.server);
    const running = [...new Set((await this.instances(flags, id)).map((i) => i.patchVersion).filter(Boolean))];
    if (running.length === 0) {
      throw new UserError(`${args.server} runs no version from the patch store`, {code: 'USAGE',
        hint: `deploy one with ${this.config.bin} server patch ${args.server} --version V`});
    }
    const current = Math.max(...running.map(Number));
    const {versions} = await (await this.patchCtl(flags)).listVersions(id.application, id.serverName);
    const before = versions.filter((v) => Number(v.version) < current).sort((a, b) => Number(b.version) -
      Number(a.version))[0];
    if (!before) {
      throw new UserError(`there is no version of ${args.server} before ${current} in the patch store`, {code: 'USAGE',
        hint: `${this.config.bin} patch list ${args.server} shows the versions`});
    }
    return this.rollout(flags, id, before, {batch: flags.batch, waitMs: flags.wait, waitHealthy: flags['wait-healthy'], drainMs: flags.drain,
      ...(flags.nodes ? {nodes: flags.nodes.split(',').map((n) => n.trim()).filter(Boolean)} : {})});
  }
}
