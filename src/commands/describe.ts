import {Args, Flags} from '@oclif/core';
import {Communicator, type InterfaceJson, TarsCallError, interfaceToJson} from '@tars-ts/core';

import {TarsCommand} from '../lib/base-command.js';

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
    endpoint: Flags.string({char: 'e', summary: 'Endpoint to ask ("tcp -h HOST -p PORT").'}),
    locator: Flags.string({summary: 'Registry to resolve a bare object name.'}),
    tars: Flags.string({summary: '.tars file declaring the interface (repeatable).', multiple: true, default: []}),
    include: Flags.string({char: 'I', summary: 'Directory for #include files (repeatable).', multiple: true, default: []}),
    timeout: Flags.integer({summary: 'Timeout of the reflection call, ms.', default: 3000, min: 1}),
  };

  async run(): Promise<InterfaceJson & {source: string}> {
    const {args, flags} = await this.parse(Describe);
    const {resolveInterface, resolveTarget} = await import('../lib/call-target.js');
    const {formatInterface} = await import('../lib/describe.js');
    const {CallFailure} = await import('../lib/call.js');
    const {Settings} = await import('../lib/settings.js');
    const savedLocator = new Settings(this.config.configDir).get('locator');
    const target = flags.tars.length > 0 ? undefined : resolveTarget(args.obj, {cwd: process.cwd(),
      ...(flags.endpoint ? {endpoint: flags.endpoint} : {}), ...(flags.locator ? {locator: flags.locator} : {}),
      ...(savedLocator ? {savedLocator} : {})});
    const comm = new Communicator({...(target?.locator ? {locator: target.locator} : {})});
    try {
      const obj = target?.obj ?? args.obj.split('@')[0]!;
      const {iface, source} = await resolveInterface({tars: flags.tars, include: flags.include, cwd: process.cwd(), obj,
        proxy: () => comm.objectProxy(target!.proxy), timeout: flags.timeout}).catch((error: unknown) => {
        if (error instanceof TarsCallError) {
          throw new CallFailure({obj, func: 'tars_describe', endpoint: error.endpoint ?? '', error: {
            code: error.returnCode, name: error.code, message: error.message}}, error.local ? 4 : 3);
        }
        throw error;
      });
      this.log(formatInterface(iface));
      this.log(`-- interface from ${source}`);
      return {...interfaceToJson(iface), source};
    } finally {
      comm.close();
    }
  }
}
