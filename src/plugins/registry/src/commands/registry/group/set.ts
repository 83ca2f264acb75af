import {Args} from '@oclif/core';

import {RegistryClientCommand} from '@tars-ts/kit';

export default class RegistryGroupSet extends RegistryClientCommand {
  static override summary = 'Add or replace an IDC group: the IPs of one site or room.';
  static override description = `IPS lists addresses separated by | (or commas); an entry a.b.c.* covers that /24.
Servers deployed with --group (tars server deploy) then answer callers of a group with its own endpoints first.`;
  static override examples = ['<%= config.bin %> <%= command.id %> 1 east "10.1.1.*|10.1.2.7"',
    '<%= config.bin %> <%= command.id %> 2 west 10.2.0.5,10.2.0.6'];

  static override args = {
    id: Args.integer({description: 'group id (0 or more)', required: true, min: 0}),
    name: Args.string({description: 'group name', required: true}),
    ips: Args.string({description: 'IPs and a.b.c.* entries separated by | or ,', required: true}),
  };

  async run(): Promise<{groupId: number; name: string; ips: string[]}> {
    const {args, flags} = await this.parse(RegistryGroupSet);
    const [{RegistryCtl}, {REGISTRY_CTL_OBJ}, {UserError}] = await Promise.all([import('@tars-ts/core/framework'),
      import('../../../ctl-servant.js'), import('@tars-ts/kit')]);
    const ips = args.ips.split(/[|,]/).map((ip) => ip.trim()).filter(Boolean);
    const ctl = await this.registry(RegistryCtl.RegistryCtlProxy, flags, REGISTRY_CTL_OBJ);
    const {ret, result} = await ctl.putGroup(RegistryCtl.IdcGroup.create({groupId: args.id, name: args.name,
      ipRule: ips.join('|')}));
    if (ret !== 0) throw new UserError(`the registry refused group ${args.id}: ${result}`, {code: 'USAGE'});
    this.log(`IDC group ${args.id} (${args.name}): ${ips.join(' ')}`);
    return {groupId: args.id, name: args.name, ips};
  }
}
