// The registry's rows in the kit's store (Kysely over SQLite by default): what makes issue 11's "state survives
// restarts" true. Queries use Kysely's builders only, times are epoch ms in bigint columns and booleans 0/1, so
// that the same code runs on PostgreSQL once the kit has it (docs/store.md).
import {type Kysely, type Store, type StoreMigrations, openStore} from '@tars-ts/kit/store';

import type {
  NodeLoad, NodeRegistration, RegistryRepository, ServerFilter, ServerStateUpdate, ServerWithAdapters,
} from './repository.js';
import type {
  AdapterRow, GroupPriorityRow, GroupRuleRow, NodeRow, PresentState, RegistryInfoRow, RegistryRows, ServerKey,
  ServerRow, SettingState, StaticEndpointRow,
} from './rows.js';
import {serverKeyOf} from './rows.js';

// Every table has `seq`: the order rows were first added in (loadRows and the lists return rows in it, as the
// memory repository's maps do and as the official tables' auto-increment ids give them), kept when a row is
// replaced. It is max(seq) + 1 at insert, not an identity column, because the schema builder has no identity type
// that means the same on SQLite and PostgreSQL; it is not unique either, so that two registries inserting at once
// into one PostgreSQL database tie (broken by the key) instead of failing.

/** t_node_info. */
interface NodesTable {
  node_name: string;
  node_obj: string;
  endpoint_ip: string;
  endpoint_port: number;
  data_dir: string;
  version: string;
  present_state: string;
  last_reg_time: number;
  last_heartbeat: number;
  load_avg1: number;
  load_avg5: number;
  load_avg15: number;
  template_name: string;
  seq: number;
}

/** t_server_conf. */
interface ServersTable {
  application: string;
  server_name: string;
  node_name: string;
  setting_state: string;
  present_state: string;
  flow_state: string;
  process_id: number;
  enable_group: number;
  ip_group_name: string;
  enable_set: number;
  set_name: string;
  set_area: string;
  set_group: string;
  bak_flag: number;
  server_type: string;
  base_path: string;
  exe_path: string;
  template_name: string;
  profile: string;
  async_thread_num: number;
  patch_version: string;
  patch_time: string;
  patch_user: string;
  tars_version: string;
  start_script: string;
  stop_script: string;
  monitor_script: string;
  config_center_port: number;
  run_type: string;
  base_image_id: string;
  seq: number;
}

/** t_adapter_conf. */
interface AdaptersTable {
  application: string;
  server_name: string;
  node_name: string;
  adapter_name: string;
  servant: string;
  endpoint: string;
  thread_num: number;
  max_connections: number;
  allow_ip: string;
  queuecap: number;
  queuetimeout: number;
  protocol: string;
  handlegroup: string;
  seq: number;
}

/** t_registry_info. */
interface StaticEndpointsTable {
  owner: string;
  servant: string;
  endpoint: string;
  present_state: string;
  enable_group: number;
  ip_group_name: string;
  set_id: string;
  seq: number;
}

/** t_server_group_rule. */
interface GroupRulesTable {
  group_id: number;
  group_name: string;
  allow_ip_rule: string;
  seq: number;
}

/** t_group_priority (`order` is `list_order`, as officially: ORDER is a keyword). */
interface GroupPrioritiesTable {
  id: string;
  list_order: number;
  group_list: string;
  station: string;
  seq: number;
}

/** t_registry_info as every registry of a shared store writes its own servants, with a heart-beat. */
interface RegistryInfoTable {
  locator_id: string;
  servant: string;
  endpoint: string;
  last_heartbeat: number;
}

/** One row (id 1): moved by every write, so that the other registries of a shared store know to reload. */
interface ChangeStampTable {
  id: number;
  stamp: number;
}

/** The registry's tables, as Kysely sees them. */
export interface RegistryDB {
  registry_info: RegistryInfoTable;
  change_stamp: ChangeStampTable;
  nodes: NodesTable;
  servers: ServersTable;
  adapters: AdaptersTable;
  static_endpoints: StaticEndpointsTable;
  group_rules: GroupRulesTable;
  group_priorities: GroupPrioritiesTable;
}

const SERVER_KEY = ['application', 'server_name', 'node_name'] as const;

/**
 * The registry store's migrations: forward-only, applied in name order by `openStore`. Never edit a released one;
 * a schema change is a new `NNNN_words` entry that sorts after these.
 */
export const REGISTRY_MIGRATIONS: StoreMigrations = {
  '0001_registry': {
    up: async (db) => {
      await db.schema.createTable('nodes')
        .addColumn('node_name', 'text', (c) => c.primaryKey())
        .addColumn('node_obj', 'text', (c) => c.notNull())
        .addColumn('endpoint_ip', 'text', (c) => c.notNull())
        .addColumn('endpoint_port', 'integer', (c) => c.notNull())
        .addColumn('data_dir', 'text', (c) => c.notNull())
        .addColumn('version', 'text', (c) => c.notNull())
        .addColumn('present_state', 'text', (c) => c.notNull())
        .addColumn('last_reg_time', 'bigint', (c) => c.notNull())
        .addColumn('last_heartbeat', 'bigint', (c) => c.notNull())
        // double precision, not real: PostgreSQL's real is 4 bytes and would round the load averages.
        .addColumn('load_avg1', 'double precision', (c) => c.notNull())
        .addColumn('load_avg5', 'double precision', (c) => c.notNull())
        .addColumn('load_avg15', 'double precision', (c) => c.notNull())
        .addColumn('template_name', 'text', (c) => c.notNull())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .execute();

      let servers = db.schema.createTable('servers')
        .addColumn('application', 'text', (c) => c.notNull())
        .addColumn('server_name', 'text', (c) => c.notNull())
        .addColumn('node_name', 'text', (c) => c.notNull());
      for (const col of ['setting_state', 'present_state', 'flow_state']) {
        servers = servers.addColumn(col, 'text', (c) => c.notNull());
      }
      for (const col of ['process_id', 'enable_group']) servers = servers.addColumn(col, 'integer', (c) => c.notNull());
      servers = servers.addColumn('ip_group_name', 'text', (c) => c.notNull())
        .addColumn('enable_set', 'integer', (c) => c.notNull());
      for (const col of ['set_name', 'set_area', 'set_group']) {
        servers = servers.addColumn(col, 'text', (c) => c.notNull());
      }
      servers = servers.addColumn('bak_flag', 'integer', (c) => c.notNull());
      for (const col of ['server_type', 'base_path', 'exe_path', 'template_name', 'profile']) {
        servers = servers.addColumn(col, 'text', (c) => c.notNull());
      }
      servers = servers.addColumn('async_thread_num', 'integer', (c) => c.notNull());
      for (const col of ['patch_version', 'patch_time', 'patch_user', 'tars_version', 'start_script', 'stop_script',
        'monitor_script']) {
        servers = servers.addColumn(col, 'text', (c) => c.notNull());
      }
      await servers.addColumn('config_center_port', 'integer', (c) => c.notNull())
        .addColumn('run_type', 'text', (c) => c.notNull())
        .addColumn('base_image_id', 'text', (c) => c.notNull())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        // The official unique key of t_server_conf: one instance of a server per node.
        .addPrimaryKeyConstraint('servers_pk', [...SERVER_KEY])
        .execute();
      // getServers, destroyNode and the reaper select a node's servers.
      await db.schema.createIndex('servers_by_node').on('servers').column('node_name').execute();

      await db.schema.createTable('adapters')
        .addColumn('application', 'text', (c) => c.notNull())
        .addColumn('server_name', 'text', (c) => c.notNull())
        .addColumn('node_name', 'text', (c) => c.notNull())
        .addColumn('adapter_name', 'text', (c) => c.notNull())
        .addColumn('servant', 'text', (c) => c.notNull())
        .addColumn('endpoint', 'text', (c) => c.notNull())
        .addColumn('thread_num', 'integer', (c) => c.notNull())
        .addColumn('max_connections', 'integer', (c) => c.notNull())
        .addColumn('allow_ip', 'text', (c) => c.notNull())
        .addColumn('queuecap', 'integer', (c) => c.notNull())
        .addColumn('queuetimeout', 'integer', (c) => c.notNull())
        .addColumn('protocol', 'text', (c) => c.notNull())
        .addColumn('handlegroup', 'text', (c) => c.notNull())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('adapters_pk', [...SERVER_KEY, 'adapter_name'])
        // An adapter belongs to its server: it cannot outlive it, nor exist without it.
        .addForeignKeyConstraint('adapters_server_fk', [...SERVER_KEY], 'servers', [...SERVER_KEY],
          (fk) => fk.onDelete('cascade'))
        .execute();

      await db.schema.createTable('static_endpoints')
        .addColumn('owner', 'text', (c) => c.notNull())
        .addColumn('servant', 'text', (c) => c.notNull())
        .addColumn('endpoint', 'text', (c) => c.notNull())
        .addColumn('present_state', 'text', (c) => c.notNull())
        .addColumn('enable_group', 'integer', (c) => c.notNull())
        .addColumn('ip_group_name', 'text', (c) => c.notNull())
        .addColumn('set_id', 'text', (c) => c.notNull())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('static_endpoints_pk', ['owner', 'servant', 'endpoint'])
        .execute();

      await db.schema.createTable('group_rules')
        .addColumn('group_id', 'integer', (c) => c.primaryKey())
        .addColumn('group_name', 'text', (c) => c.notNull())
        .addColumn('allow_ip_rule', 'text', (c) => c.notNull())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema.createTable('group_priorities')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('list_order', 'integer', (c) => c.notNull())
        .addColumn('group_list', 'text', (c) => c.notNull())
        .addColumn('station', 'text', (c) => c.notNull())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .execute();

      // max(seq) at every insert and ORDER BY seq at every load: an index each, so neither scans a table.
      for (const table of ['nodes', 'servers', 'adapters', 'static_endpoints', 'group_rules', 'group_priorities']) {
        await db.schema.createIndex(`${table}_by_seq`).on(table).column('seq').execute();
      }
    },
  },
  '0002_registry_sync': {
    up: async (db) => {
      await db.schema.createTable('registry_info')
        .addColumn('locator_id', 'text', (c) => c.notNull())
        .addColumn('servant', 'text', (c) => c.notNull())
        .addColumn('endpoint', 'text', (c) => c.notNull())
        .addColumn('last_heartbeat', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('registry_info_pk', ['locator_id', 'servant'])
        .execute();
      await db.schema.createTable('change_stamp')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('stamp', 'bigint', (c) => c.notNull())
        .execute();
      await db.insertInto('change_stamp').values({id: 1, stamp: 0}).execute();
    },
  },
};

type Db = Kysely<RegistryDB>;
type Table = keyof RegistryDB;

/** The `seq` a new row of `table` gets: one after the last. */
async function nextSeq(db: Db, table: Table): Promise<number> {
  const row = await db.selectFrom(table).select((eb) => eb.fn.max('seq').as('last')).executeTakeFirst();
  return Number(row?.last ?? 0) + 1;
}

/** Code-unit order, the same on every dialect (a database's ORDER BY on text depends on its collation). */
const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const bool = (v: boolean): number => (v ? 1 : 0);

function nodeOf(r: NodesTable): NodeRow {
  return Object.freeze({
    nodeName: r.node_name, nodeObj: r.node_obj, endpointIp: r.endpoint_ip, endpointPort: Number(r.endpoint_port),
    dataDir: r.data_dir, version: r.version, presentState: r.present_state as NodeRow['presentState'],
    lastRegTime: Number(r.last_reg_time), lastHeartbeat: Number(r.last_heartbeat), loadAvg1: Number(r.load_avg1),
    loadAvg5: Number(r.load_avg5), loadAvg15: Number(r.load_avg15), templateName: r.template_name,
  });
}

function serverOf(r: ServersTable): ServerRow {
  return Object.freeze({
    application: r.application, serverName: r.server_name, nodeName: r.node_name,
    settingState: r.setting_state as SettingState, presentState: r.present_state as PresentState,
    flowState: r.flow_state as ServerRow['flowState'], processId: Number(r.process_id),
    enableGroup: Number(r.enable_group) !== 0, ipGroupName: r.ip_group_name, enableSet: Number(r.enable_set) !== 0,
    setName: r.set_name, setArea: r.set_area, setGroup: r.set_group, bakFlag: Number(r.bak_flag),
    serverType: r.server_type, basePath: r.base_path, exePath: r.exe_path, templateName: r.template_name,
    profile: r.profile, asyncThreadNum: Number(r.async_thread_num), patchVersion: r.patch_version,
    patchTime: r.patch_time, patchUser: r.patch_user, tarsVersion: r.tars_version, startScript: r.start_script,
    stopScript: r.stop_script, monitorScript: r.monitor_script, configCenterPort: Number(r.config_center_port),
    runType: r.run_type, baseImageId: r.base_image_id,
  });
}

/** A server's columns except its key and `seq`: what a replace overwrites. */
function serverColumns(s: ServerRow): Omit<ServersTable, 'application' | 'server_name' | 'node_name' | 'seq'> {
  return {
    setting_state: s.settingState, present_state: s.presentState, flow_state: s.flowState, process_id: s.processId,
    enable_group: bool(s.enableGroup), ip_group_name: s.ipGroupName, enable_set: bool(s.enableSet),
    set_name: s.setName, set_area: s.setArea, set_group: s.setGroup, bak_flag: s.bakFlag, server_type: s.serverType,
    base_path: s.basePath, exe_path: s.exePath, template_name: s.templateName, profile: s.profile,
    async_thread_num: s.asyncThreadNum, patch_version: s.patchVersion, patch_time: s.patchTime,
    patch_user: s.patchUser, tars_version: s.tarsVersion, start_script: s.startScript, stop_script: s.stopScript,
    monitor_script: s.monitorScript, config_center_port: s.configCenterPort, run_type: s.runType,
    base_image_id: s.baseImageId,
  };
}

function adapterOf(r: AdaptersTable): AdapterRow {
  return Object.freeze({
    application: r.application, serverName: r.server_name, nodeName: r.node_name, adapterName: r.adapter_name,
    servant: r.servant, endpoint: r.endpoint, threadNum: Number(r.thread_num),
    maxConnections: Number(r.max_connections), allowIp: r.allow_ip, queuecap: Number(r.queuecap),
    queuetimeout: Number(r.queuetimeout), protocol: r.protocol, handlegroup: r.handlegroup,
  });
}

function adapterColumns(a: AdapterRow): Omit<AdaptersTable, 'application' | 'server_name' | 'node_name' |
  'adapter_name' | 'seq'> {
  return {
    servant: a.servant, endpoint: a.endpoint, thread_num: a.threadNum, max_connections: a.maxConnections,
    allow_ip: a.allowIp, queuecap: a.queuecap, queuetimeout: a.queuetimeout, protocol: a.protocol,
    handlegroup: a.handlegroup,
  };
}

function staticOf(r: StaticEndpointsTable): StaticEndpointRow {
  return Object.freeze({
    owner: r.owner, servant: r.servant, endpoint: r.endpoint,
    presentState: r.present_state as StaticEndpointRow['presentState'], enableGroup: Number(r.enable_group) !== 0,
    ipGroupName: r.ip_group_name, setId: r.set_id,
  });
}

const ruleOf = (r: GroupRulesTable): GroupRuleRow => Object.freeze({
  groupId: Number(r.group_id), groupName: r.group_name, allowIpRule: r.allow_ip_rule,
});

const registryInfoOf = (r: RegistryInfoTable): RegistryInfoRow => Object.freeze({
  locatorId: r.locator_id, servant: r.servant, endpoint: r.endpoint, lastHeartbeat: Number(r.last_heartbeat),
});

const priorityOf = (r: GroupPrioritiesTable): GroupPriorityRow => Object.freeze({
  id: r.id, order: Number(r.list_order), groupList: r.group_list, station: r.station,
});

/** Rows of a table that match a server key. */
function whereServer<Q extends {where: (...args: any[]) => Q}>(q: Q, k: ServerKey): Q {
  return q.where('application', '=', k.application).where('server_name', '=', k.serverName)
    .where('node_name', '=', k.nodeName);
}

/**
 * A {@link RegistryRepository} in a kit {@link Store}: every write is one transaction (or one statement), committed
 * before its promise resolves, so an acknowledged registration survives a kill of the process (SQLite: WAL with
 * synchronous=FULL). Rows come back frozen, in the order they were first added. The store is the caller's: it
 * opens and closes it ({@link openRegistryStore} does both).
 */
export class SqlRegistryRepository implements RegistryRepository {
  constructor(private readonly store: Store<RegistryDB>) {}

  private get db(): Db {
    return this.store.db;
  }

  async loadRows(): Promise<RegistryRows> {
    // One transaction: no write lands between two of the selects, so the snapshot never pairs an adapter with a
    // server that is gone, or misses half of a node's expiry.
    return this.store.transaction(async (trx) => {
      const [nodes, servers, adapters, statics, rules, priorities, registries] = [
        await trx.selectFrom('nodes').selectAll().orderBy('seq').orderBy('node_name').execute(),
        await trx.selectFrom('servers').selectAll().orderBy('seq').execute(),
        await trx.selectFrom('adapters').selectAll().orderBy('seq').execute(),
        await trx.selectFrom('static_endpoints').selectAll().orderBy('seq').execute(),
        await trx.selectFrom('group_rules').selectAll().orderBy('seq').orderBy('group_id').execute(),
        await trx.selectFrom('group_priorities').selectAll().orderBy('seq').orderBy('id').execute(),
        await trx.selectFrom('registry_info').selectAll().orderBy('locator_id').orderBy('servant').execute(),
      ];
      return Object.freeze({
        nodes: Object.freeze(nodes.map(nodeOf)),
        servers: Object.freeze(servers.map(serverOf)),
        adapters: Object.freeze(adapters.map(adapterOf)),
        staticEndpoints: Object.freeze(statics.map(staticOf)),
        groupRules: Object.freeze(rules.map(ruleOf)),
        groupPriorities: Object.freeze(priorities.map(priorityOf)),
        registries: Object.freeze(registries.map(registryInfoOf)),
      });
    });
  }

  async registerNode(r: NodeRegistration, now: number): Promise<'registered' | 'name-taken'> {
    // Read and write in one transaction (BEGIN IMMEDIATE on SQLite): two nodes registering one name cannot both
    // pass the check.
    return this.store.transaction(async (trx) => {
      const old = await trx.selectFrom('nodes').select(['present_state', 'node_obj'])
        .where('node_name', '=', r.nodeName).executeTakeFirst();
      if (old && old.present_state === 'active' && old.node_obj !== '' && r.nodeObj !== '' &&
        old.node_obj !== r.nodeObj) {
        return 'name-taken';
      }
      const columns = {
        node_obj: r.nodeObj, endpoint_ip: r.endpointIp, endpoint_port: r.endpointPort, data_dir: r.dataDir,
        version: r.version, present_state: 'active', last_reg_time: now, last_heartbeat: now, load_avg1: r.load.avg1,
        load_avg5: r.load.avg5, load_avg15: r.load.avg15,
      };
      if (old) {
        // template_name and seq stay: the operator's template choice outlives re-registration.
        await trx.updateTable('nodes').set(columns).where('node_name', '=', r.nodeName).execute();
      } else {
        await trx.insertInto('nodes').values({node_name: r.nodeName, ...columns, template_name: '',
          seq: await nextSeq(trx, 'nodes')}).execute();
      }
      return 'registered';
    });
  }

  async keepAlive(nodeName: string, load: NodeLoad, now: number): Promise<boolean> {
    const r = await this.db.updateTable('nodes').set({last_heartbeat: now, present_state: 'active',
      load_avg1: load.avg1, load_avg5: load.avg5, load_avg15: load.avg15}).where('node_name', '=', nodeName)
      .executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  async destroyNode(nodeName: string): Promise<boolean> {
    return this.store.transaction(async (trx) => {
      const r = await trx.updateTable('nodes').set({present_state: 'inactive'}).where('node_name', '=', nodeName)
        .executeTakeFirst();
      if (r.numUpdatedRows === 0n) return false;
      await trx.updateTable('servers').set({present_state: 'inactive'}).where('node_name', '=', nodeName).execute();
      return true;
    });
  }

  async expireNodes(heartbeatBefore: number): Promise<string[]> {
    return this.store.transaction(async (trx) => {
      const silent = await trx.selectFrom('nodes').select(['node_name', 'present_state'])
        .where('last_heartbeat', '<', heartbeatBefore).execute();
      if (silent.length === 0) return [];
      // Official checkNodeTimeout: every silent node, already-inactive ones too (their servers may have been
      // reported since); only the nodes that were active count as expired now.
      await trx.updateTable('nodes').set({present_state: 'inactive'}).where('last_heartbeat', '<', heartbeatBefore)
        .execute();
      await trx.updateTable('servers').set({present_state: 'inactive', process_id: 0})
        .where('node_name', 'in', trx.selectFrom('nodes').select('node_name').where('last_heartbeat', '<',
          heartbeatBefore))
        .execute();
      return silent.filter((n) => n.present_state === 'active').map((n) => n.node_name).sort(byText);
    });
  }

  async getNode(nodeName: string): Promise<NodeRow | undefined> {
    const r = await this.db.selectFrom('nodes').selectAll().where('node_name', '=', nodeName).executeTakeFirst();
    return r && nodeOf(r);
  }

  async listNodes(): Promise<NodeRow[]> {
    const rows = await this.db.selectFrom('nodes').selectAll().execute();
    return rows.map(nodeOf).sort((a, b) => byText(a.nodeName, b.nodeName));
  }

  async getServers(filter: ServerFilter): Promise<ServerWithAdapters[]> {
    // Servers and adapters in one read, and the adapters in one query for all the servers (not one per server).
    return this.store.transaction(async (trx) => {
      let servers = trx.selectFrom('servers').selectAll().where('node_name', '=', filter.nodeName)
        .where('server_type', '<>', 'tars_dns');
      let adapters = trx.selectFrom('adapters').selectAll().where('node_name', '=', filter.nodeName);
      if (filter.application) {
        servers = servers.where('application', '=', filter.application);
        adapters = adapters.where('application', '=', filter.application);
      }
      if (filter.serverName) {
        servers = servers.where('server_name', '=', filter.serverName);
        adapters = adapters.where('server_name', '=', filter.serverName);
      }
      const rows = await servers.orderBy('seq').execute();
      const byServer = new Map<string, AdapterRow[]>();
      for (const a of (await adapters.orderBy('seq').execute()).map(adapterOf)) {
        const key = serverKeyOf(a);
        byServer.set(key, [...(byServer.get(key) ?? []), a]);
      }
      return rows.map(serverOf).map((server) => ({server, adapters: byServer.get(serverKeyOf(server)) ?? []}));
    });
  }

  async getServer(key: ServerKey): Promise<ServerRow | undefined> {
    const r = await whereServer(this.db.selectFrom('servers').selectAll(), key).executeTakeFirst();
    return r && serverOf(r);
  }

  async listServers(): Promise<ServerRow[]> {
    return (await this.db.selectFrom('servers').selectAll().orderBy('seq').execute()).map(serverOf);
  }

  async updateServerStates(updates: readonly ServerStateUpdate[]): Promise<void> {
    if (updates.length === 0) return;
    // A batch from a node lands whole or not at all.
    await this.store.transaction(async (trx) => {
      for (const u of updates) {
        await whereServer(trx.updateTable('servers').set({present_state: u.presentState, process_id: u.processId}), u)
          .execute();
      }
    });
  }

  async setSettingState(key: ServerKey, state: SettingState): Promise<boolean> {
    const r = await whereServer(this.db.updateTable('servers').set({setting_state: state}), key).executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  async setFlowState(application: string, serverName: string, nodeNames: readonly string[],
    state: 'active' | 'inactive'): Promise<void> {
    // `in ()` is not SQL on every dialect.
    if (nodeNames.length === 0) return;
    await this.db.updateTable('servers').set({flow_state: state}).where('application', '=', application)
      .where('server_name', '=', serverName).where('node_name', 'in', [...nodeNames]).execute();
  }

  async setServerVersion(key: ServerKey, version: string): Promise<void> {
    await whereServer(this.db.updateTable('servers').set({tars_version: version}), key).execute();
  }

  async setPatchResult(key: ServerKey, patch: {version: string; user: string; time: string}): Promise<void> {
    await whereServer(this.db.updateTable('servers').set({patch_version: patch.version, patch_user: patch.user,
      patch_time: patch.time}), key).execute();
  }

  async saveServer(row: ServerRow, replace: boolean): Promise<boolean> {
    const columns = serverColumns(row);
    return this.store.transaction(async (trx) => {
      const r = await trx.insertInto('servers').values({application: row.application, server_name: row.serverName,
        node_name: row.nodeName, ...columns, seq: await nextSeq(trx, 'servers')})
        .onConflict((oc) => {
          const target = oc.columns([...SERVER_KEY]);
          return replace ? target.doUpdateSet(columns) : target.doNothing();
        })
        .executeTakeFirst();
      return r.numInsertedOrUpdatedRows !== undefined && r.numInsertedOrUpdatedRows > 0n;
    });
  }

  async saveAdapter(row: AdapterRow, replace: boolean): Promise<boolean> {
    const columns = adapterColumns(row);
    return this.store.transaction(async (trx) => {
      // Checked here rather than left to the foreign key: no server is the documented `false`, not an error.
      const server = await whereServer(trx.selectFrom('servers').select('seq'), row).executeTakeFirst();
      if (!server) return false;
      const r = await trx.insertInto('adapters').values({application: row.application, server_name: row.serverName,
        node_name: row.nodeName, adapter_name: row.adapterName, ...columns, seq: await nextSeq(trx, 'adapters')})
        .onConflict((oc) => {
          const target = oc.columns([...SERVER_KEY, 'adapter_name']);
          return replace ? target.doUpdateSet(columns) : target.doNothing();
        })
        .executeTakeFirst();
      return r.numInsertedOrUpdatedRows !== undefined && r.numInsertedOrUpdatedRows > 0n;
    });
  }

  async replaceServer(server: ServerRow, adapters: readonly AdapterRow[]): Promise<ServerWithAdapters | undefined> {
    const k = serverKeyOf(server);
    if (adapters.some((a) => serverKeyOf(a) !== k)) throw new TypeError('replaceServer: an adapter of another server');
    return this.store.transaction(async (trx) => {
      const old = await whereServer(trx.selectFrom('servers').selectAll(), server).executeTakeFirst();
      const oldAdapters = old ? await whereServer(trx.selectFrom('adapters').selectAll(), server).orderBy('seq')
        .execute() : [];
      const columns = serverColumns(server);
      await trx.insertInto('servers').values({application: server.application, server_name: server.serverName,
        node_name: server.nodeName, ...columns, seq: await nextSeq(trx, 'servers')})
        .onConflict((oc) => oc.columns([...SERVER_KEY]).doUpdateSet(columns))
        .execute();
      const keep = adapters.map((a) => a.adapterName);
      let gone = whereServer(trx.deleteFrom('adapters'), server);
      if (keep.length > 0) gone = gone.where('adapter_name', 'not in', keep);
      await gone.execute();
      for (const a of adapters) {
        const aColumns = adapterColumns(a);
        await trx.insertInto('adapters').values({application: a.application, server_name: a.serverName,
          node_name: a.nodeName, adapter_name: a.adapterName, ...aColumns, seq: await nextSeq(trx, 'adapters')})
          .onConflict((oc) => oc.columns([...SERVER_KEY, 'adapter_name']).doUpdateSet(aColumns))
          .execute();
      }
      return old ? Object.freeze({server: serverOf(old), adapters: Object.freeze(oldAdapters.map(adapterOf))})
        : undefined;
    });
  }

  async removeServer(key: ServerKey): Promise<boolean> {
    return this.store.transaction(async (trx) => {
      // The foreign key cascades too; deleting the adapters first says so without relying on it being enforced.
      await whereServer(trx.deleteFrom('adapters'), key).execute();
      const r = await whereServer(trx.deleteFrom('servers'), key).executeTakeFirst();
      return r.numDeletedRows > 0n;
    });
  }

  async addStaticEndpoint(row: StaticEndpointRow): Promise<void> {
    const columns = {present_state: row.presentState, enable_group: bool(row.enableGroup),
      ip_group_name: row.ipGroupName, set_id: row.setId};
    await this.store.transaction(async (trx) => {
      await trx.insertInto('static_endpoints').values({owner: row.owner, servant: row.servant, endpoint: row.endpoint,
        ...columns, seq: await nextSeq(trx, 'static_endpoints')})
        .onConflict((oc) => oc.columns(['owner', 'servant', 'endpoint']).doUpdateSet(columns))
        .execute();
    });
  }

  async removeStaticEndpoint(owner: string, servant: string, endpoint: string): Promise<boolean> {
    const r = await this.db.deleteFrom('static_endpoints').where('owner', '=', owner).where('servant', '=', servant)
      .where('endpoint', '=', endpoint).executeTakeFirst();
    return r.numDeletedRows > 0n;
  }

  async saveGroupRule(row: GroupRuleRow): Promise<void> {
    const columns = {group_name: row.groupName, allow_ip_rule: row.allowIpRule};
    await this.store.transaction(async (trx) => {
      await trx.insertInto('group_rules').values({group_id: row.groupId, ...columns,
        seq: await nextSeq(trx, 'group_rules')})
        .onConflict((oc) => oc.column('group_id').doUpdateSet(columns)).execute();
    });
  }

  async removeGroupRule(groupId: number): Promise<boolean> {
    const r = await this.db.deleteFrom('group_rules').where('group_id', '=', groupId).executeTakeFirst();
    return r.numDeletedRows > 0n;
  }

  async saveGroupPriority(row: GroupPriorityRow): Promise<void> {
    const columns = {list_order: row.order, group_list: row.groupList, station: row.station};
    await this.store.transaction(async (trx) => {
      await trx.insertInto('group_priorities').values({id: row.id, ...columns,
        seq: await nextSeq(trx, 'group_priorities')})
        .onConflict((oc) => oc.column('id').doUpdateSet(columns)).execute();
    });
  }

  async removeGroupPriority(id: string): Promise<boolean> {
    const r = await this.db.deleteFrom('group_priorities').where('id', '=', id).executeTakeFirst();
    return r.numDeletedRows > 0n;
  }
  async putRegistryInfo(locatorId: string, rows: readonly {servant: string; endpoint: string}[], now: number):
    Promise<void> {
    await this.store.transaction(async (trx) => {
      await trx.deleteFrom('registry_info').where('locator_id', '=', locatorId).execute();
      if (rows.length === 0) return;
      await trx.insertInto('registry_info').values(rows.map((r) => ({locator_id: locatorId, servant: r.servant,
        endpoint: r.endpoint, last_heartbeat: now}))).execute();
    });
  }

  async removeRegistryInfo(locatorId: string): Promise<void> {
    await this.db.deleteFrom('registry_info').where('locator_id', '=', locatorId).execute();
  }

  async listRegistryInfo(): Promise<RegistryInfoRow[]> {
    const rows = await this.db.selectFrom('registry_info').selectAll().orderBy('locator_id').orderBy('servant')
      .execute();
    return rows.map(registryInfoOf);
  }

  async bumpStamp(): Promise<void> {
    await this.db.updateTable('change_stamp').set((eb) => ({stamp: eb('stamp', '+', 1)})).where('id', '=', 1)
      .execute();
  }

  async readStamp(): Promise<number> {
    const row = await this.db.selectFrom('change_stamp').select('stamp').where('id', '=', 1).executeTakeFirst();
    return Number(row?.stamp ?? 0);
  }

}

/** An open registry store: the repository over it and how to close it. */
export interface RegistryStore {
  readonly repository: SqlRegistryRepository;
  /** The file (as the store names it in messages). */
  readonly where: string;
  /** Closes the store (checkpoints SQLite's WAL); idempotent. Writes after it fail. */
  close(): Promise<void>;
}

/**
 * Opens (creating when missing) the registry's SQLite store at `file` and brings its schema up to date. Fails with
 * the kit's store errors, changing nothing: STORE_NEWER_SCHEMA (written by a newer tars), STORE_CORRUPT,
 * STORE_READ_ONLY, STORE_OPEN_FAILED.
 */
export async function openRegistryStore(file: string): Promise<RegistryStore> {
  const store = await openStore<RegistryDB>({kind: 'sqlite', file}, REGISTRY_MIGRATIONS);
  return {repository: new SqlRegistryRepository(store), where: store.where, close: () => store.close()};
}
