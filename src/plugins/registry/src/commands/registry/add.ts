import {Args, Flags} from '@oclif/core';
import {RegistryClientCommand, UserError} from '@tars-ts/kit';

interface AddJson {
  obj: string;
  added: string[];
}

export default class RegistryAdd extends RegistryClientCommand {
  static override summary = 'Register endpoints of a server no node manages (static registration).';
  static override description = `The endpoints are served by QueryF like a node-managed server's adapters, active until removed with
tars registry rm. --set puts them in a SET (name.area.group), --group in an IDC group by name; a weight goes in
the endpoint (-w W), or with --weight.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> TestApp.HelloGo.SayHelloObj -e "tcp -h 10.0.0.5 -p 10015"',
    '<%= config.bin %> <%= command.id %> TestApp.HelloGo.SayHelloObj -e "tcp -h 10.0.0.5 -p 10015" -e "tcp -h 10.0.0.6 -p 10015" --set sz.a.1 --weight 50',
  ];

  static override args = {obj: Args.string({description: 'object name App.Server.Obj', required: true})};

  static override flags = {
    endpoint: Flags.string({char: 'e', summary: 'Endpoint to register ("tcp -h HOST -p PORT"; repeatable).',
      multiple: true, required: true}),
    set: Flags.string({summary: 'SET of the endpoints: name.area.group.'}),
    group: Flags.string({summary: 'IDC group of the endpoints, by name.'}),
    weight: Flags.integer({summary: 'Weight of the endpoints (-w), for weighted load balancing.', min: 0}),
  };

  async run(): Promise<AddJson> {
    const {args, flags} = await this.parse(RegistryAdd);
    const [{RegistryCtl}, core, {REGISTRY_CTL_OBJ}] = await Promise.all([import('@tars-ts/core/framework'),
      import('@tars-ts/core'), import('../../ctl-servant.js')]);
    if (!/^[^.\s@]+\.[^.\s@]+\.[^.\s@]+$/.test(args.obj)) {
      throw new UserError(`"${args.obj}" is not an object name App.Server.Obj`, {code: 'BAD_NAME'});
    }
    // Checked here, before anything is sent: the error names the endpoint and the part that is wrong.
    const endpoints = flags.endpoint.map((text) => {
      try {
        const ep = core.parseEndpoint(text);
        return core.formatEndpoint(flags.weight === undefined ? ep : {...ep, weight: flags.weight,
          weightType: ep.weightType || 1});
      } catch (error) {
        throw new UserError(`-e "${text}": ${(error as Error).message}`, {code: 'BAD_ENDPOINT'});
      }
    });
    const ctl = await this.registry(RegistryCtl.RegistryCtlProxy, flags, REGISTRY_CTL_OBJ);
    for (const endpoint of endpoints) {
      const {ret, result} = await ctl.addEndpoint(RegistryCtl.ManualEndpoint.create({servant: args.obj, endpoint,
        setId: flags.set ?? '', groupName: flags.group ?? '', enableGroup: flags.group !== undefined}));
      if (ret !== 0) throw new UserError(`the registry refused ${endpoint}: ${result}`);
      this.log(`added ${args.obj}@${endpoint}`);
    }
    return {obj: args.obj, added: endpoints};
  }
}
