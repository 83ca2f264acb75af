import {Args, Flags} from '@oclif/core';

import {type RolloutJson, ServerCommand, parseServerId} from '../../server-command.js';

export default class ServerPatch extends ServerCommand {
  static override summary = 'Roll a version of the patch store out to a server\'s nodes, in batches.';
  static override description = `Each node downloads the version's package from the patch server (in chunks, resuming a broken
transfer, md5 checked), unpacks it safely into a staging directory, then switches to it and restarts the server,
waiting for its first heart-beat; a node whose server does not come up goes back to the version it ran, and the
rollout stops there and says where. With --batch N, N nodes at a time, each taken out of discovery while it
restarts (so calls by name keep going to the others). tars server rollback returns to the previous version.`;

  static override examples = ['<%= config.bin %> <%= command.id %> TestApp.HelloGo --version 3',
    '<%= config.bin %> <%= command.id %> TestApp.HelloGo --version 3 --batch 1 --wait-healthy',
    '<%= config.bin %> <%= command.id %> TestApp.HelloGo --version 3 --nodes 10.0.0.5,10.0.0.6'];

  static override args = {server: Args.string({description: 'App.Server', required: true})};

  static override flags = {
    version: Flags.string({summary: 'The version to roll out (tars patch list).', required: true, helpValue: 'V'}),
    nodes: Flags.string({summary: 'Only these nodes (comma-separated names).', helpValue: 'A,B'}),
    batch: Flags.integer({summary: 'Nodes patched at once (0: all).', default: 0, min: 0, helpValue: 'N'}),
    'wait-healthy': Flags.boolean({summary: 'Before the next batch, wait until the registry hands the patched ' +
      'instances out again.'}),
    drain: Flags.integer({summary: 'With --batch, how long an instance stays out of discovery before it restarts, ' +
      'ms (long-lived clients refresh their endpoints every refresh-endpoint-interval).', default: 0, min: 0,
      helpValue: 'MS'}),
    wait: Flags.integer({summary: 'How long each server has for its first heart-beat, ms.', default: 30_000,
      min: 1000, max: 120_000, helpValue: 'MS'}),
  };

  async run(): Promise<RolloutJson> {
    const {args, flags} = await this.parse(ServerPatch);
    const id = parseServerId(args.server);
    const release = await this.patchVersion(flags, id, flags.version);
    return this.rollout(flags, id, release, {batch: flags.batch, waitMs: flags.wait, waitHealthy: flags['wait-healthy'], drainMs: flags.drain,
      ...(flags.nodes ? {nodes: flags.nodes.split(',').map((n) => n.trim()).filter(Boolean)} : {})});
  }
}
