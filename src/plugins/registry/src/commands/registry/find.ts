import {Args, Flags} from '@oclif/core';
import {RegistryClientCommand, UserError} from '@tars-ts/kit';

interface EndpointJson {
  endpoint: string;
  active: boolean;
  node: string;
  setId: string;
  group: number;
  weight: number;
}

interface FindJson {
  obj: string;
  lookup: string;
  endpoints: EndpointJson[];
}

export default class RegistryFind extends RegistryClientCommand {
  static override summary = 'Show the endpoints the registry gives for an object, as a client would get them.';
  static override description = `Asks QueryF as a client does: findObjectByIdInSameGroup by default (IDC grouping applied for this
host), findObjectByIdInSameSet with --set, findObjectById4Any with --all (every endpoint, active and inactive, no
grouping). Each endpoint with its state, node, SET, IDC group and weight.`;

  static override examples = ['<%= config.bin %> <%= command.id %> TestApp.HelloGo.SayHelloObj',
    '<%= config.bin %> <%= command.id %> TestApp.HelloGo.SayHelloObj --set sz.a.1 --json',
    '<%= config.bin %> <%= command.id %> TestApp.HelloGo.SayHelloObj --all'];

  static override args = {obj: Args.string({description: 'object name App.Server.Obj', required: true})};

  static override flags = {
    set: Flags.string({summary: 'Ask as a client in this SET (name.area.group).', exclusive: ['all']}),
    all: Flags.boolean({summary: 'Every endpoint, active and inactive, with no grouping.'}),
  };

  async run(): Promise<FindJson> {
    const {args, flags} = await this.parse(RegistryFind);
    const [{QueryF}, {formatEndpoint, fromEndpointF}, {renderTable}] = await Promise.all([
      import('@tars-ts/core/framework'), import('@tars-ts/core'), import('@tars-ts/kit')]);
    const query = await this.registry(QueryF.QueryFProxy, flags);
    const lookup = flags.set ? 'findObjectByIdInSameSet' : flags.all ? 'findObjectById4Any' : 'findObjectByIdInSameGroup';
    const answer = flags.set ? await query.findObjectByIdInSameSet(args.obj, flags.set)
      : flags.all ? await query.findObjectById4Any(args.obj) : await query.findObjectByIdInSameGroup(args.obj);
    if (answer.ret !== 0) {
      throw new UserError(`the registry answered ${answer.ret} to ${lookup}(${args.obj}${flags.set ? `, ${flags.set}` : ''})`,
        {hint: flags.set ? 'a SET is name.area.group, name and area not *; or the object has no instance in it' : ''});
    }
    const row = (e: (typeof answer.activeEp)[number], active: boolean): EndpointJson => ({
      endpoint: formatEndpoint(fromEndpointF(e)), active, node: e.nodeName, setId: e.setId, group: e.groupworkid,
      weight: e.weight});
    const json: FindJson = {obj: args.obj, lookup, endpoints: [...answer.activeEp.map((e) => row(e, true)),
      ...answer.inactiveEp.map((e) => row(e, false))]};
    if (!this.jsonEnabled()) {
      this.log(json.endpoints.length === 0 ? `no endpoint for ${args.obj} (${lookup})`
        : await renderTable(['ENDPOINT', 'STATE', 'NODE', 'SET', 'GROUP', 'WEIGHT'], json.endpoints.map((e) =>
          [e.endpoint, e.active ? 'active' : 'inactive', e.node || '-', e.setId || '-',
            e.group < 0 ? '-' : String(e.group), e.weight < 0 ? '-' : String(e.weight)])));
    }
    return json;
  }
}
