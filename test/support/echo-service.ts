// A service for the deploy tests: its source (an index.js on @tars-ts/core whose EchoHello says which version
// answers) and a proxy to call it, written by hand as generated code would be.
import {ServantProxy, T} from '@tars-ts/core';

const ECHO = {name: 'EchoHello', ret: T.int, params: [{name: 'req', tag: 1, type: T.string, out: false},
  {name: 'resp', tag: 2, type: T.string, out: true}]};

/** `int EchoHello(string req, out string resp)`. */
export class EchoProxy extends ServantProxy {
  static override readonly $interface = {name: 'Test.Echo', operations: [ECHO]};
  EchoHello(req: string): Promise<{ret: number; resp: string}> {
    return this.$invoke(ECHO, [req]);
  }
}

/** The index.js of a service hosting `obj`, whose EchoHello answers `v<version>:<req>`. */
export function echoServiceSource(obj: string, version: string): string {
  return `import {Application, Servant, T} from '@tars-ts/core';
const ECHO = {name: 'EchoHello', ret: T.int, params: [{name: 'req', tag: 1, type: T.string, out: false},
  {name: 'resp', tag: 2, type: T.string, out: true}]};
class Echo extends Servant {
  static $interface = {name: 'Test.Echo', operations: [ECHO]};
  EchoHello(req) { return {ret: 0, resp: 'v${version}:' + req}; }
}
const app = await Application.fromArgs(process.argv);
app.addServant(new Echo(), '${obj}');
await app.start();
`;
}
