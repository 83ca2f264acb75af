import {Args, Flags} from '@oclif/core';

import {RegistryClientCommand} from '@tars-ts/kit';

export default class RegistryGroupFallback extends RegistryClientCommand {
  static override summary = 'Set or remove a row of the IDC fallback order.';
  static override description = `When a caller's own group has no endpoint, the registry takes the first row (by
--order) that lists the caller's group and answers the endpoints of that row's groups.`;
  static override examples = ['<%= config.bin %> <%= command.id %> east-west --order 1 --groups 1,2',
    '<%= config.bin %> <%= command.id %> east-west --rm'];

  static override args = {id: Args.string({description: 'row id', required: true})};

  static override flags = {
    order: Flags.integer({summary: 'Position of the row (ascending).', default: 0}),
    groups: Flags.string({summary: 'Group ids separated by , or |.', helpValue: 'IDS'}),
    station: Flags.string({summary: 'The station the row belongs to.', default: ''}),
    rm: Flags.boolean({summary: 'Remove the row instead.', exclusive: ['groups']}),
  };

  async run(): Promise<{id: string; removed?: boolean; order?: number; groups?: number[]}> {
    const {args, flags} = await this.parse(RegistryGroupFallback);
    const [{RegistryCtl}, {REGISTRY_CTL_OBJ}, {UserError}] = await Promise.all([import('@tars-ts/core/framework'),
      import('../../../ctl-servant.js'), import('@tars-ts/kit')]);
    const ctl = await this.registry(RegistryCtl.RegistryCtlProxy, flags, REGISTRY_CTL_OBJ);
    if (flags.rm) {
      const {removed} = await ctl.removeGroupPriority(args.id);
      this.log(removed ? `removed fallback row ${args.id}` : `nothing to remove: no fallback row ${args.id}`);
      return {id: args.id, removed};
    }
    if (flags.groups === undefined) {
      throw new UserError('give the groups of the row (--groups 1,2) or --rm', {code: 'USAGE'});
    }
    const groups = flags.groups.split(/[|,]/).map((g) => g.trim()).filter(Boolean);
    const {ret, result} = await ctl.putGroupPriority(RegistryCtl.IdcPriority.create({id: args.id, order: flags.order,
      groupList: groups.join('|'), station: flags.station}));
    if (ret !== 0) throw new UserError(`the registry refused fallback row ${args.id}: ${result}`, {code: 'USAGE'});
    this.log(`fallback row ${args.id} (order ${flags.order}): groups ${groups.join(' ')}`);
    return {id: args.id, order: flags.order, groups: groups.map(Number)};
  }
}
