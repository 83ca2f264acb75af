import {Args, Flags} from '@oclif/core';
import {Communicator, formatEndpoint, returnCodeName} from '@tars-ts/core';

import {TarsCommand} from '../lib/base-command.js';
import {ExitCode, ReportedFailure} from '../lib/user-error.js';

interface PingJson {
  obj: string;
  endpoints: ({endpoint: string; ms: number} | {endpoint: string; error: {code: number; name: string; message: string}})[];
}

export default class Ping extends TarsCommand {
  static override summary = 'tars_ping every endpoint of a servant and show the round-trip times.';

  static override description = `Sends the reserved tars_ping call, which every TARS server answers (TarsCpp, TarsGo, @tars/rpc and
this toolkit), to each endpoint of <Obj>: given after "@", with -e, resolved through the registry (--locator or
the saved setting), or from the project's config.conf. Exit 4 when no endpoint answered.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> "TestApp.HelloGo.SayHelloObj@tcp -h 127.0.0.1 -p 10015"',
    '<%= config.bin %> <%= command.id %> TestApp.HelloGo.SayHelloObj --locator "tars.tarsregistry.QueryObj@tcp -h 127.0.0.1 -p 17890"',
  ];

  static override args = {
    obj: Args.string({description: 'servant object, App.Server.Obj[@endpoints]', required: true}),
  };

  static override flags = {
    endpoint: Flags.string({char: 'e', summary: 'Endpoint to ping ("tcp -h HOST -p PORT").'}),
    locator: Flags.string({summary: 'Registry to resolve a bare object name.'}),
    timeout: Flags.integer({summary: 'Timeout of each ping, ms.', default: 3000, min: 1}),
  };

  async run(): Promise<PingJson> {
    const {args, flags} = await this.parse(Ping);
    const {resolveTarget} = await import('../lib/call-target.js');
    const {Settings} = await import('../lib/settings.js');
    const savedLocator = new Settings(this.config.configDir).get('locator');
    const target = resolveTarget(args.obj, {cwd: process.cwd(), ...(flags.endpoint ? {endpoint: flags.endpoint} : {}),
      ...(flags.locator ? {locator: flags.locator} : {}), ...(savedLocator ? {savedLocator} : {})});
    const comm = new Communicator({...(target.locator ? {locator: target.locator} : {})});
    try {
      const results = await comm.objectProxy(target.proxy).ping({timeout: flags.timeout});
      const json: PingJson = {obj: target.obj, endpoints: results.map((r) => (r.error
        ? {endpoint: formatEndpoint(r.endpoint), error: {code: r.error.wireCode ?? 0,
          name: returnCodeName(r.error.wireCode ?? 0), message: r.error.message}}
        : {endpoint: formatEndpoint(r.endpoint), ms: Math.round(r.ms! * 1000) / 1000}))};
      for (const e of json.endpoints) {
        this.log('ms' in e ? `${e.endpoint}  ${e.ms} ms` : `${e.endpoint}  error: ${e.error.message}`);
      }
      if (json.endpoints.length > 0 && json.endpoints.every((e) => 'error' in e)) {
        throw new ReportedFailure(`no endpoint of ${target.obj} answered`, ExitCode.NO_ANSWER, json,
          'is the server up? check the endpoint');
      }
      return json;
    } finally {
      comm.close();
    }
  }
}
