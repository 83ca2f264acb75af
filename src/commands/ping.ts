import {Args} from '@oclif/core';
import {TarsCommand, targetFlags} from '@tars-ts/kit';

import type {PingJson} from '../lib/ping.js';
import {tlsFlags, tlsOfFlags} from '../lib/tls-flags.js';

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
    const [{communicatorFor, resolveTarget}, {runPing}] = await Promise.all([import('@tars-ts/kit'),
      import('../lib/ping.js')]);
    const target = await resolveTarget(args.obj, {...flags, cwd: process.cwd(),
      savedLocator: this.settings.get('locator')});
    const comm = await communicatorFor(target, {cacheDir: this.config.cacheDir, tls});
    try {
      const {json, lines, failure} = await runPing(comm, target, this.settings.timeout(flags.timeout));
      for (const line of lines) this.log(line);
      if (failure) throw failure;
      return json;
    } finally {
      comm.close();
    }
  }
}
