import {Args} from '@oclif/core';
import {TarsCommand, targetFlags} from '@tars-ts/kit';

import {tlsFlags, tlsOfFlags} from '../lib/tls-flags.js';

interface PingJson {
  obj: string;
  endpoints: ({endpoint: string; ms: number} | {endpoint: string; error: {code: number; name: string; message: string}})[];
}

export default class Ping extends TarsCommand {
  static override summary = 'tars_ping every endpoint of a servant and show the round-trip times.';

  static override description = `Sends the reserved tars_ping call, which every TARS server answers (TarsCpp, TarsGo, @tars/rpc and
this toolkit), to each endpoint of <Obj>: given after "@", with -e, resolved through the registry (--locator or
the saved setting), or from the project's config.conf. ssl endpoints are pinged over TLS (--ca, --cert, --key as
for tars call). Exit 4 when no endpoint answered.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> "TestApp.HelloGo.SayHelloObj@tcp -h 127.0.0.1 -p 10015"',
    '<%= config.bin %> <%= command.id %> TestApp.HelloGo.SayHelloObj --locator "tars.tarsregistry.QueryObj@tcp -h 127.0.0.1 -p 17890"',
  ];

  static override args = {
    obj: Args.string({description: 'servant object, App.Server.Obj[@endpoints]', required: true}),
  };

  static override flags = {...targetFlags, ...tlsFlags};

  async run(): Promise<PingJson> {
    const {args, flags} = await this.parse(Ping);
    const tls = await tlsOfFlags(flags);
    const {TarsCallError, formatEndpoint, returnCodeName} = await import('@tars-ts/core');
    const {ExitCode, ReportedFailure, communicatorFor, resolveTarget} = await import('@tars-ts/kit');
    const target = await resolveTarget(args.obj, {...flags, cwd: process.cwd(),
      savedLocator: this.settings.get('locator')});
    const comm = await communicatorFor(target, {cacheDir: this.config.cacheDir, tls});
    try {
      const results = await comm.objectProxy(target.proxy).ping({timeout: this.settings.timeout(flags.timeout)});
      const json: PingJson = {obj: target.obj, endpoints: results.map(({endpoint, ms, error}) => {
        if (!error) return {endpoint: formatEndpoint(endpoint), ms: Math.round(ms! * 1000) / 1000};
        const code = error instanceof TarsCallError ? error.returnCode : error.wireCode ?? 0;
        const message = error instanceof TarsCallError ? error.what : error.message;
        return {endpoint: formatEndpoint(endpoint), error: {code, name: returnCodeName(code), message}};
      })};
      for (const e of json.endpoints) {
        this.log('ms' in e ? `${e.endpoint}  ${e.ms} ms` : `${e.endpoint}  error: ${e.error.name}: ${e.error.message}`);
      }
      if (json.endpoints.length > 0 && json.endpoints.every((e) => 'error' in e)) {
        throw new ReportedFailure(`no endpoint of ${target.obj} answered`, ExitCode.NO_ANSWER, json,
          target.via === 'locator' ? `the registry lists these endpoints: are the servers up? tars registry find ${target.obj}`
            : 'is the server up and listening there? start it, or check the endpoint');
      }
      return json;
    } finally {
      comm.close();
    }
  }
}
