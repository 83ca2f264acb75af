// A registry process writing its store, for the durability test (sql-store.test.ts):
//   store-child.ts FILE COUNT
// opens the registry store at FILE, prints "ready", then for i in 0..COUNT-1 registers node-i and prints
// "ack node i", adds a static endpoint for port i and prints "ack static i" -- each line written only after the
// write's promise resolved, i.e. after its commit. Prints "done" after closing the store.
import {writeSync} from 'node:fs';

import {openRegistryStore} from '../src/sql-repository.js';

const [file, countText] = process.argv.slice(2);
const store = await openRegistryStore(file!);
writeSync(1, 'ready\n');
const count = Number(countText);
for (let i = 0; i < count; i++) {
  const result = await store.repository.registerNode({nodeName: `node-${i}`,
    nodeObj: `tars.tarsnode.NodeObj@tcp -h 10.0.${i >> 8 & 255}.${i & 255} -p 19385`, endpointIp: `10.0.0.${i & 255}`,
    endpointPort: 19385, dataDir: '/data', version: '3.0', load: {avg1: 0, avg5: 0, avg15: 0}}, 1_000_000 + i);
  if (result !== 'registered') throw new Error(`node-${i}: ${result}`);
  // Synchronous writes: the test may SIGKILL this process the moment it reads a line.
  writeSync(1, `ack node ${i}\n`);
  await store.repository.addStaticEndpoint({servant: 'App.Static.Obj', endpoint: `tcp -h 10.9.9.9 -p ${i}`,
    presentState: 'active', enableGroup: false, ipGroupName: '', setId: '', owner: 'child'});
  writeSync(1, `ack static ${i}\n`);
}
await store.close();
writeSync(1, 'done\n');
