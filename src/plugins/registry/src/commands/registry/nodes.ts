import {type NodesJson, RegistryClientCommand} from '@tars-ts/kit';

export default class RegistryNodes extends RegistryClientCommand {
  static override summary = 'List the nodes with their last heart-beat and load.';
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json'];

  async run(): Promise<NodesJson> {
    const {flags} = await this.parse(RegistryNodes);
    const [{RegistryCtl}, {nodesJson, nodesText}, {REGISTRY_CTL_OBJ}] = await Promise.all([
      import('@tars-ts/core/framework'), import('@tars-ts/kit'), import('../../ctl-servant.js')]);
    const ctl = await this.registry(RegistryCtl.RegistryCtlProxy, flags, REGISTRY_CTL_OBJ);
    const {nodes} = await ctl.listNodes();
    const json = nodesJson(nodes);
    if (!this.jsonEnabled()) this.log(await nodesText(json));
    return json;
  }
}
