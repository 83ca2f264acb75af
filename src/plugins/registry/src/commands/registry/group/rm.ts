import {Args} from '@oclif/core';

import {RegistryClientCommand} from '@tars-ts/kit';

export default class RegistryGroupRm extends RegistryClientCommand {
  static override summary = 'Remove an IDC group.';
  static override examples = ['<%= config.bin %> <%= command.id %> 2'];

  static override args = {id: Args.integer({description: 'group id', required: true, min: 0})};

  async run(): Promise<{groupId: number; removed: boolean}> {
    const {args, flags} = await this.parse(RegistryGroupRm);
    const [{RegistryCtl}, {REGISTRY_CTL_OBJ}] = await Promise.all([import('@tars-ts/core/framework'),
      import('../../../ctl-servant.js')]);
    const ctl = await this.registry(RegistryCtl.RegistryCtlProxy, flags, REGISTRY_CTL_OBJ);
    const {removed} = await ctl.removeGroup(args.id);
    this.log(removed ? `removed IDC group ${args.id}` : `nothing to remove: no IDC group ${args.id}`);
    return {groupId: args.id, removed};
  }
}
