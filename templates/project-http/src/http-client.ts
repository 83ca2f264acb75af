// An HTTP client of {{Obj}} (through src/http-gateway.ts), with fetch:
//   node dist/http-client.js [PORT | URL] [MESSAGE]
//   node dist/http-client.js                         -> http://127.0.0.1:{{httpPort}}
//   node dist/http-client.js 20016                   -> http://127.0.0.1:20016
//   node dist/http-client.js http://10.0.0.5:{{httpPort}}
const arg = process.argv[2];
const base = !arg ? 'http://127.0.0.1:{{httpPort}}' : /^\d+$/.test(arg) ? `http://127.0.0.1:${arg}` : arg.replace(/\/$/, '');
const message = process.argv[3] ?? 'hello tars';

/** POSTs the in-parameters of `func` as JSON; resolves to the JSON answer ({"tars_ret": ..., <out>: ...}). */
async function call(func: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
  const res = await fetch(`${base}/${func}`, {method: 'POST', headers: {'content-type': 'application/json'},
    body: JSON.stringify(args)});
  const body = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${func}: HTTP ${res.status} ${JSON.stringify(body)}`);
  return body;
}

try {
  const echo = await call('EchoHello', {req: message});
  console.log(`EchoHello(${JSON.stringify(message)}) -> ret ${String(echo.tars_ret)}, resp ${JSON.stringify(echo.resp)}`);

  // Structs are objects, vectors arrays, maps objects (see the JSON mapping of TARS values).
  const greet = await call('Greet', {req: {name: 'tars', languages: ['en', 'es'], tags: {client: 'http-client.ts'}}});
  console.log(`Greet("tars") -> ret ${String(greet.tars_ret)}, reply ${JSON.stringify(greet.reply)}`);
} catch (error) {
  console.error(`error: ${(error as Error).message} (is the server up at ${base}? npm start)`);
  process.exitCode = 1;
}
