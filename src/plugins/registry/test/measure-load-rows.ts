// A measurement, not a test: how long SqlRegistryRepository.loadRows() takes for 10,000 static endpoints and 1,000
// servers with two adapters each (the registry reloads every row after each write), next to RegistrySnapshot.build
// from the same rows. Run from the repository root:
//   node --import tsx --conditions=tars-dev src/plugins/registry/test/measure-load-rows.ts
import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {performance} from 'node:perf_hooks';

import {openStore} from '@tars-ts/kit/store';

import {RegistrySnapshot, adapterRow, serverRow} from '../src/index.js';
import {REGISTRY_MIGRATIONS, type RegistryDB, SqlRegistryRepository} from '../src/sql-repository.js';

const STATICS = 10_000;
const SERVERS = 1_000;
const NODES = 100;
const ROUNDS = 15;

const dir = mkdtempSync(path.join(os.tmpdir(), 'tars-registry-measure-'));
try {
  const store = await openStore<RegistryDB>({kind: 'sqlite', file: path.join(dir, 'registry.db')}, REGISTRY_MIGRATIONS);
  const repo = new SqlRegistryRepository(store);
  // Filling through the repository would be one fsynced commit per row (minutes); one transaction of plain inserts
  // gives the same tables.
  const filled = performance.now();
  await store.transaction(async (trx) => {
    let seq = 0;
    for (let n = 0; n < NODES; n++) {
      await trx.insertInto('nodes').values({node_name: `10.0.0.${n}`,
        node_obj: `tars.tarsnode.NodeObj@tcp -h 10.0.0.${n} -p 19385`, endpoint_ip: `10.0.0.${n}`,
        endpoint_port: 19385, data_dir: '/d', version: '3', present_state: 'active',
        last_reg_time: 1, last_heartbeat: 1, load_avg1: 0, load_avg5: 0, load_avg15: 0, template_name: '',
        seq: ++seq}).execute();
    }
    for (let i = 0; i < SERVERS; i++) {
      const key = {application: 'App', serverName: `S${i}`, nodeName: `10.0.0.${i % NODES}`};
      const s = serverRow({...key, presentState: 'active'});
      await trx.insertInto('servers').values({application: s.application, server_name: s.serverName,
        node_name: s.nodeName, setting_state: s.settingState, present_state: s.presentState, flow_state: s.flowState,
        process_id: 1, enable_group: 0, ip_group_name: '', enable_set: 0, set_name: '', set_area: '', set_group: '',
        bak_flag: 0, server_type: s.serverType, base_path: '', exe_path: '', template_name: '', profile: '',
        async_thread_num: 3, patch_version: '', patch_time: '', patch_user: '', tars_version: '', start_script: '',
        stop_script: '', monitor_script: '', config_center_port: 0, run_type: '', base_image_id: '', seq: ++seq})
        .execute();
      for (const name of ['Obj', 'AdminObj']) {
        const a = adapterRow({...key, adapterName: `${name}Adapter`, servant: `App.S${i}.${name}`,
          endpoint: `tcp -h ${key.nodeName} -p ${10_000 + i} -t 60000`});
        await trx.insertInto('adapters').values({application: a.application, server_name: a.serverName,
          node_name: a.nodeName, adapter_name: a.adapterName, servant: a.servant, endpoint: a.endpoint,
          thread_num: a.threadNum, max_connections: a.maxConnections, allow_ip: a.allowIp, queuecap: a.queuecap,
          queuetimeout: a.queuetimeout, protocol: a.protocol, handlegroup: a.handlegroup, seq: ++seq}).execute();
      }
    }
    for (let i = 0; i < STATICS; i++) {
      await trx.insertInto('static_endpoints').values({owner: 'static', servant: `Static.S${i % 500}.Obj`,
        endpoint: `tcp -h 10.8.${i >> 8 & 255}.${i & 255} -p 9000`, present_state: 'active', enable_group: 0, ip_group_name: '', set_id: '',
        seq: ++seq}).execute();
    }
  });
  console.log(`filled in ${(performance.now() - filled).toFixed(0)} ms`);

  const load: number[] = [];
  const build: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    const rows = await repo.loadRows();
    const t1 = performance.now();
    RegistrySnapshot.build(rows, {now: 2});
    const t2 = performance.now();
    load.push(t1 - t0);
    build.push(t2 - t1);
    if (r === 0) {
      console.log(`rows: ${rows.nodes.length} nodes, ${rows.servers.length} servers, ` +
        `${rows.adapters.length} adapters, ${rows.staticEndpoints.length} static endpoints`);
    }
  }
  // A single write between two loads, as in the registry: one added static endpoint, then the full reload.
  const t0 = performance.now();
  await repo.addStaticEndpoint({servant: 'Static.Extra.Obj', endpoint: 'tcp -h 10.9.9.9 -p 1', presentState: 'active',
    enableGroup: false, ipGroupName: '', setId: '', owner: 'static'});
  const write = performance.now() - t0;
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const fmt = (xs: number[]) => `median ${median(xs).toFixed(1)} ms, min ${Math.min(...xs).toFixed(1)}, ` +
    `max ${Math.max(...xs).toFixed(1)} (${xs.length} rounds, first included)`;
  console.log(`loadRows:              ${fmt(load)}`);
  console.log(`RegistrySnapshot.build: ${fmt(build)}`);
  console.log(`one addStaticEndpoint: ${write.toFixed(1)} ms (a commit fsynced)`);
  await store.close();
} finally {
  rmSync(dir, {recursive: true, force: true});
}
