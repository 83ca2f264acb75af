import {Args, Flags} from '@oclif/core';

import {RegistryClientCommand} from '@tars-ts/kit';

export default class RegistryRm extends RegistryClientCommand {
  static override summary = 'Remove endpoints registered by hand (tars registry add).';
  static override examples = ['<%= config.bin %> <%= command.id %> TestApp.HelloGo.SayHelloObj',
    '<%= config.bin %> <%= command.id %> TestApp.HelloGo.SayHelloObj -e "tcp -h 10.0.0.5 -p 10015"'];

  static override args = {obj: Args.string({description: 'object name App.Server.Obj', required: true})};

  static override flags = {
    endpoint: Flags.string({char: 'e', summary: 'Only this endpoint (as it was added); default: all of the object.'}),
  };

  async run(): Promise<{obj: string; removed: number}> {
    const {args, flags} = await this.parse(RegistryRm);
    const [{RegistryCtl}, core, {REGISTRY_CTL_OBJ}] = await Promise.all([import('@tars-ts/core/framework'),
      import('@tars-ts/core'), import('../../ctl-servant.js')]);
    let endpoint = '';
    if (flags.endpoint !== undefined) {
      const {UserError} = await import('@tars-ts/kit');
      try {
        endpoint = core.formatEndpoint(core.parseEndpoint(flags.endpoint));
      } catch (error) {
        throw new UserError(`-e "${flags.endpoint}": ${(error as Error).message}`, {code: 'BAD_ENDPOINT'});
      }
    }
    const ctl = await this.registry(RegistryCtl.RegistryCtlProxy, flags, REGISTRY_CTL_OBJ);
    const {removed} = await ctl.removeEndpoint(args.obj, endpoint);
    this.log(removed === 0 ? `nothing to remove: no endpoint of ${args.obj} was added by hand${endpoint ? ` at ${endpoint}` : ''}`
      : `removed ${removed} endpoint(s) of ${args.obj}`);
    return {obj: args.obj, removed};
  }
}
