import {type NodesJson, RegistryClientCommand} from '@tars-ts/kit';

/** The registry's own control servant, resolved by name through the locator. */
const REGISTRY_CTL_OBJ = 'tars.tarsregistry.RegistryCtlObj';

export default class NodeList extends RegistryClientCommand {
  static override summary = 'List the nodes the registry knows, with their last heart-beat and load.';
  static override examples = ['<%= config.bin %> <%= command.id %> --locator "tcp -h 127.0.0.1 -p 17890"',
    '<%= config.bin %> <%= command.id %> --json'];

  async run(): Promise<NodesJson> {
    const {flags} = await this.parse(NodeList);
    const [{RegistryCtl}, {nodesJson, nodesText}] = await Promise.all([import('@tars-ts/core/framework'),
      import('@tars-ts/kit')]);
    const ctl = await this.registry(RegistryCtl.RegistryCtlProxy, flags, REGISTRY_CTL_OBJ);
    const {nodes} = await ctl.listNodes();
    const json = nodesJson(nodes);
    if (!this.jsonEnabled()) this.log(await nodesText(json));
    return json;
  }
}
