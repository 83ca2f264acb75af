import {DaemonClientCommand, type NodesJson, UserError} from '@tars-ts/kit';

import {nodeDaemon} from '../../daemon.js';

/** The registry's own control servant, resolved by name through the locator. */
const REGISTRY_CTL_OBJ = 'tars.tarsregistry.RegistryCtlObj';

export default class NodeList extends DaemonClientCommand {
  static override daemon = nodeDaemon;
  static override summary = 'List the nodes the registry knows, with their last heart-beat and load.';
  static override examples = ['<%= config.bin %> <%= command.id %> --locator "tcp -h 127.0.0.1 -p 17890"',
    '<%= config.bin %> <%= command.id %> --json'];

  async run(): Promise<NodesJson> {
    const {flags} = await this.parse(NodeList);
    const [{RegistryCtl}, {nodesJson, nodesText}] = await Promise.all([import('@tars-ts/core/framework'),
      import('@tars-ts/kit')]);
    const locator = flags.locator && !flags.locator.includes('@') ? `tars.tarsregistry.QueryObj@${flags.locator}`
      : flags.locator;
    const ctl = await this.connect(RegistryCtl.RegistryCtlProxy, {...flags, locator}, REGISTRY_CTL_OBJ)
      .catch((error: unknown) => {
        // The nodes are the registry's to list: point at the registry, not at a local node's port.
        if (!(error instanceof UserError) || error.code !== 'NO_ENDPOINT') throw error;
        throw new UserError('no registry to ask for the nodes: give --locator, or save a locator', {code: 'NO_ENDPOINT',
          hint: `${this.config.bin} ${this.id?.replaceAll(':', ' ') ?? 'node list'} --locator "tcp -h REGISTRY_HOST ` +
            `-p 17890", or ${this.config.bin} settings set locator "tars.tarsregistry.QueryObj@tcp -h HOST -p 17890"`});
      });
    const {nodes} = await ctl.listNodes();
    const json = nodesJson(nodes);
    if (!this.jsonEnabled()) this.log(await nodesText(json));
    return json;
  }
}
