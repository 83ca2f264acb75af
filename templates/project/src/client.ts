// A client of {{Obj}}: node dist/client.js [PORT | ENDPOINT | OBJ@ENDPOINT] [MESSAGE]
//   node dist/client.js                                  -> {{Obj}}@{{endpoint}}
//   node dist/client.js 20015                            -> the same on port 20015
//   node dist/client.js "tcp -h 10.0.0.5 -p 10015"       -> {{Obj}}@tcp -h 10.0.0.5 -p 10015
import {Communicator} from '@tars-ts/core';

import {GreetRequest, {{Servant}}Proxy} from './gen/{{Servant}}Tars.js';

const OBJ = '{{Obj}}';
const DEFAULT_TARGET = `${OBJ}@{{endpoint}}`;

/** The proxy string for the first argument: a port, an endpoint, or a whole `Obj@endpoint`. */
function targetOf(arg: string | undefined): string {
  if (!arg) return DEFAULT_TARGET;
  if (/^\d+$/.test(arg)) return `${OBJ}@tcp -h 127.0.0.1 -p ${arg} -t 60000`;
  return arg.includes('@') ? arg : `${OBJ}@${arg}`;
}

const target = targetOf(process.argv[2]);
const message = process.argv[3] ?? 'hello tars';
const comm = new Communicator();
try {
  const proxy = comm.stringToProxy({{Servant}}Proxy, target);

  const echo = await proxy.EchoHello(message);
  console.log(`EchoHello(${JSON.stringify(message)}) -> ret ${echo.ret}, resp ${JSON.stringify(echo.resp)}`);

  const req = GreetRequest.create({name: 'tars', languages: ['en', 'fr'], tags: new Map([['client', 'client.ts']])});
  const {ret, reply} = await proxy.Greet(req);
  console.log(`Greet(${JSON.stringify(req.name)}) -> ret ${ret}, greeting ${JSON.stringify(reply.greeting)}, ` +
    `count ${reply.count}, tags ${JSON.stringify(Object.fromEntries(reply.tags))}`);
} catch (error) {
  // TarsCallError messages name the return code, the endpoint and what to try.
  console.error(`error: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  comm.close();
}
