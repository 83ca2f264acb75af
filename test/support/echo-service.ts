// A service for the deploy tests: its source (an index.js on @tars-ts/core whose EchoHello says which version
// answers) and a proxy to call it, written by hand as generated code would be.
import {mkdirSync, symlinkSync, writeFileSync} from 'node:fs';
import path from 'node:path';

import {ServantProxy, T} from '@tars-ts/core';

const ROOT = new URL('../..', import.meta.url).pathname;

/**
 * Writes a service package into `dir` (created): package.json named `name`, `index.js` as given, and the runtime
 * linked in as node_modules/@tars-ts/core, as a `tars new` project links it (no npm install). Returns `dir`.
 */
export function writeServicePackage(dir: string, name: string, indexJs: string): string {
  mkdirSync(path.join(dir, 'node_modules/@tars-ts'), {recursive: true});
  symlinkSync(path.join(ROOT, 'core'), path.join(dir, 'node_modules/@tars-ts/core'));
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({name, type: 'module', main: 'index.js'}));
  writeFileSync(path.join(dir, 'index.js'), indexJs);
  return dir;
}

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
