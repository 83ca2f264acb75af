import {Args} from '@oclif/core';

import {RegistryClientCommand} from '@tars-ts/kit';

interface ListJson {
  objects: {name: string; active: number; inactive: number; nodes: string[]; manual: number}[];
}

export default class RegistryList extends RegistryClientCommand {
  static override summary = 'List the objects the registry knows, with their active and inactive endpoints.';
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> HelloGo --json',
    '<%= config.bin %> <%= command.id %> --locator "tcp -h 10.0.0.1 -p 17890"'];

  static override args = {filter: Args.string({description: 'only objects whose name contains this'})};

  async run(): Promise<ListJson> {
    const {args, flags} = await this.parse(RegistryList);
    const [{RegistryCtl}, {renderTable}, {REGISTRY_CTL_OBJ}] = await Promise.all([import('@tars-ts/core/framework'),
      import('@tars-ts/kit'), import('../../ctl-servant.js')]);
    const ctl = await this.registry(RegistryCtl.RegistryCtlProxy, flags, REGISTRY_CTL_OBJ);
    const {objects} = await ctl.listObjects(args.filter ?? '');
    const json: ListJson = {objects: objects.map((o) => ({name: o.name, active: o.active, inactive: o.inactive,
      nodes: o.nodes.filter((n) => n !== ''), manual: o.manual}))};
    if (!this.jsonEnabled()) {
      this.log(json.objects.length === 0 ? `no object${args.filter ? ` matches "${args.filter}"` : ' is registered'}`
        : await renderTable(['OBJECT', 'ACTIVE', 'INACTIVE', 'NODES', 'BY HAND'], json.objects.map((o) =>
          [o.name, String(o.active), String(o.inactive), o.nodes.join(',') || '-', String(o.manual)])));
    }
    return json;
  }
}
