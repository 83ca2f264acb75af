import {Args, Flags} from '@oclif/core';
import type {InterfaceJson} from '@tars-ts/core';
import {TarsCommand, adminToken, targetFlags} from '@tars-ts/kit';

import {tlsFlags, tlsOfFlags} from '../lib/tls-flags.js';

export default class Describe extends TarsCommand {
  static override summary = 'Print the interface of a servant.';

  static override description = `Shows the operations of <Obj> and the structs and enums they use: from --tars files, else the .tars
files of the current directory, else by asking the server (reflection: servers built with this toolkit answer
tars_describe). Where to ask: as for tars call (Obj@..., -e, --locator, the project's config.conf).`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> "TestApp.HelloGo.SayHelloObj@tcp -h 127.0.0.1 -p 10015"',
    '<%= config.bin %> <%= command.id %> TestApp.HelloGo.SayHelloObj --tars SayHello.tars --json',
  ];

  static override args = {
    obj: Args.string({description: 'servant object, App.Server.Obj[@endpoints]', required: true}),
  };

  static override flags = {
    ...targetFlags,
    tars: Flags.string({summary: '.tars file declaring the interface (repeatable).', multiple: true}),
    include: Flags.string({char: 'I', summary: 'Directory for #include files (repeatable).', multiple: true}),
    ...tlsFlags,
  };

  async run(): Promise<InterfaceJson & {source: string}> {
    const {args, flags} = await this.parse(Describe);
    const {runDescribe} = await import('../lib/describe.js');
    const tls = await tlsOfFlags(flags);
    const {iface, source, text} = await runDescribe({...flags, obj: args.obj, cwd: process.cwd(),
      tars: flags.tars ?? [], include: flags.include ?? [], timeout: this.settings.timeout(flags.timeout),
      savedLocator: this.settings.get('locator'), cacheDir: this.config.cacheDir,
        token: adminToken(this.settings), tls});
    this.log(text);
    this.log(`-- interface from ${source}`);
    return {...iface, source};
  }
}
