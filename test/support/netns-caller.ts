// A client for multi-host tests, run inside a host (network namespace) by the test:
//
//   node --import tsx --conditions tars-dev test/support/netns-caller.ts <locator> <obj> [seconds] [set]
//
// Calls <obj>'s `Where` (which answers the address of the host serving it) by name through the locator, 4 calls in
// flight, each with an 800 ms timeout and refreshing its endpoints from the registry every second, and prints a JSON
// line every 200 ms: {"t": epoch ms, "ok": {"<host>": calls answered since the last line}, "failed": n,
// "codes": {"<code>": n}}. Stops by itself after [seconds] (default 300), or when killed. With [set] (name.area.group)
// it calls as a client in that SET.
import {Communicator, ServantProxy, T, TarsCallError} from '@tars-ts/core';

const [locator, obj, seconds = '300', setdivision] = process.argv.slice(2);
if (!locator || !obj) {
  process.stderr.write('usage: netns-caller.ts <locator> <obj> [seconds] [set]\n');
  process.exit(2);
}

const WHERE = {name: 'Where', ret: T.string, params: []};
class WhereProxy extends ServantProxy {
  static $interface = {name: 'Test.Where', operations: [WHERE]};
  Where(): Promise<{ret: string}> {
    return this.$invoke(WHERE, []) as Promise<{ret: string}>;
  }
}

const comm = new Communicator({locator, refreshEndpointInterval: 1000, syncInvokeTimeout: 800,
  ...(setdivision ? {setdivision} : {})});
const prx = comm.stringToProxy(WhereProxy, obj);
const until = Date.now() + Number(seconds) * 1000;
let ok: Record<string, number> = {};
let failed = 0;
let codes: Record<string, number> = {};

async function worker(): Promise<void> {
  while (Date.now() < until) {
    try {
      const {ret} = await prx.Where();
      ok[ret] = (ok[ret] ?? 0) + 1;
    } catch (error) {
      failed++;
      const code = error instanceof TarsCallError ? String(error.returnCode) : 'other';
      codes[code] = (codes[code] ?? 0) + 1;
      await new Promise((r) => setTimeout(r, 20)); // a refused call is not retried in a busy loop
    }
  }
}

const timer = setInterval(() => {
  process.stdout.write(`${JSON.stringify({t: Date.now(), ok, failed, codes})}\n`);
  ok = {};
  failed = 0;
  codes = {};
}, 200);
await Promise.all(Array.from({length: 4}, worker));
clearInterval(timer);
comm.close();
process.exit(0);
