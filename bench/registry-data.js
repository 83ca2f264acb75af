// The registry benchmark's data set: 10,000 registered objects in a realistic mix, generated deterministically from a
// seed so that the registry process (which loads the rows) and the client processes (which need the object names and
// the callers' node names) build the same set without passing it around.
//
// Shape (defaults):
//   320 nodes on 16 /24 subnets (10.20.<s>.<h>, node name = its IP), 2% of them silent for longer than the node
//     timeout (their servers' endpoints are inactive);
//   IDC groups: gz, sz, sh over four /24s each (`a.b.c.*` rules), bj as a list of exact IPs, a quarter of the
//     nodes in no group; two fallback rows (gz|sz, station south; sh;bj, station north);
//   ~3,950 servers of 50 applications, each with 1-4 objects (adapters) and deployed on 1-6 nodes (~2.5 on
//     average): 9,880 node-managed objects, ~25,000 endpoints. 30% of servers have IDC grouping on (5% of those
//     by group name), 10% are in a set (`mtt|wx`.`sz|sh`.`1|2|*`); per instance 5% not running, 1% stopped by
//     an operator, 1% taken out of the flow, 1% standby;
//   120 objects with static endpoints only (t_registry_info style, 1-3 each, 10% grouped, 5% inactive).
// Object names are `App<a>.Server<s>.Obj<k>` and `Static.Svc<i>.StaticObj`.

/** Defaults of {@link makeDataSet}: the sizes of the issue ("10,000 registered objects"). */
export const DATA_DEFAULTS = {seed: 20240611, objects: 10_000, staticObjects: 120, subnets: 16, nodesPerSubnet: 20,
  applications: 50};

/** A small deterministic PRNG (32-bit state, xorshift-multiply mix): the same seed gives the same data set. */
export function prng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The data set. `now` is the registry's clock (ms): live nodes heart-beat shortly before it. Without `rowHelpers`
 * ({serverRow, adapterRow} of @tars-ts/plugin-registry) only the names are produced (clients need no rows).
 * Returns {objects: string[] (every registered object name, each once), callers: string[] (node names lookups are
 * made from), rows?: RegistryRows, counts}.
 */
export function makeDataSet({now = 0, rowHelpers, ...options} = {}) {
  const o = {...DATA_DEFAULTS, ...options};
  const rnd = prng(o.seed);
  const pick = (list) => list[Math.floor(rnd() * list.length)];
  const chance = (p) => rnd() < p;

  // Nodes and IDC groups.
  const nodes = [];
  for (let s = 0; s < o.subnets; s++) {
    for (let h = 0; h < o.nodesPerSubnet; h++) nodes.push(`10.20.${s}.${11 + h}`);
  }
  const quarter = Math.max(1, Math.floor(o.subnets / 4));
  const subnetRule = (from) => Array.from({length: quarter}, (_, i) => `10.20.${from + i}.*`).join('|');
  const groupRules = [
    {groupId: 1, groupName: 'gz', allowIpRule: subnetRule(0)},
    {groupId: 2, groupName: 'sz', allowIpRule: subnetRule(quarter)},
    {groupId: 3, groupName: 'sh', allowIpRule: subnetRule(2 * quarter)},
    // bj: exact IPs, half of the fourth quarter's first subnet; the rest of that quarter is in no group.
    {groupId: 4, groupName: 'bj', allowIpRule: nodes.filter((ip) => ip.startsWith(`10.20.${3 * quarter}.`))
      .filter((_, i) => i % 2 === 0).join('|')},
  ];
  const groupPriorities = [
    {id: 'p1', order: 1, groupList: '1|2', station: 'south'},
    {id: 'p2', order: 2, groupList: '3;4', station: 'north'},
  ];
  const timeoutMs = 250_000;
  const nodeRows = nodes.map((ip) => {
    const dead = chance(0.02);
    return Object.freeze({
      nodeName: ip, nodeObj: `tars.tarsnode.NodeObj@tcp -h ${ip} -p 19385 -t 60000`, endpointIp: ip,
      endpointPort: 19385, dataDir: '/usr/local/app/tars/tarsnode/data', version: '3.0.0', presentState: 'active',
      lastRegTime: now - 3_600_000,
      lastHeartbeat: dead ? now - timeoutMs - 60_000 : now - Math.floor(rnd() * 10_000),
      loadAvg1: 0.5, loadAvg5: 0.5, loadAvg15: 0.5, templateName: '',
    });
  });

  // Node-managed servers with adapters.
  const objects = [];
  const servers = [];
  const adapters = [];
  const managed = o.objects - o.staticObjects;
  let serverNo = 0;
  const instancesOf = () => {
    const r = rnd();
    return r < 0.2 ? 1 : r < 0.6 ? 2 : r < 0.85 ? 3 : 4 + Math.floor(rnd() * 3);
  };
  while (objects.length < managed) {
    const application = `App${serverNo % o.applications}`;
    const serverName = `Server${serverNo}`;
    serverNo++;
    const servants = [];
    const wanted = Math.min(1 + Math.floor(rnd() * 4), managed - objects.length);
    for (let k = 0; k < wanted; k++) servants.push(`${application}.${serverName}.Obj${k}`);
    objects.push(...servants);
    const enableGroup = chance(0.3);
    const ipGroupName = enableGroup && chance(0.05) ? pick(['gz', 'sz', 'sh', 'bj']) : '';
    const enableSet = chance(0.1);
    const setName = enableSet ? pick(['mtt', 'wx']) : '';
    const hosts = new Set();
    const count = instancesOf();
    while (hosts.size < count) hosts.add(pick(nodes));
    let port = 10000 + Math.floor(rnd() * 20000);
    for (const nodeName of hosts) {
      const key = {application, serverName, nodeName};
      servers.push({...key, settingState: chance(0.01) ? 'inactive' : 'active',
        presentState: chance(0.05) ? 'inactive' : 'active', flowState: chance(0.01) ? 'inactive' : 'active',
        processId: 1000 + serverNo, enableGroup, ipGroupName, enableSet, setName,
        setArea: enableSet ? pick(['sz', 'sh']) : '', setGroup: enableSet ? pick(['1', '2', '*']) : '',
        bakFlag: chance(0.01) ? 1 : 0, serverType: pick(['tars_cpp', 'tars_go', 'tars_nodejs', 'tars_java'])});
      for (const servant of servants) {
        adapters.push({...key, servant, endpoint: `tcp -h ${nodeName} -p ${port++} -t 60000`});
      }
    }
  }

  // Objects with static endpoints only.
  const staticEndpoints = [];
  for (let i = 0; i < o.staticObjects; i++) {
    const servant = `Static.Svc${i}.StaticObj`;
    objects.push(servant);
    const enableGroup = chance(0.1);
    const n = 1 + Math.floor(rnd() * 3);
    for (let j = 0; j < n; j++) {
      staticEndpoints.push(Object.freeze({servant, endpoint: `tcp -h 10.30.${i % 8}.${10 + j} -p ${17000 + i} -t 3000`,
        presentState: chance(0.05) ? 'inactive' : 'active', enableGroup, ipGroupName: '', setId: '', owner: 'static'}));
    }
  }

  const counts = {objects: objects.length, nodes: nodes.length, servers: servers.length,
    endpoints: adapters.length + staticEndpoints.length, staticObjects: o.staticObjects,
    groupedServers: servers.filter((s) => s.enableGroup).length, setServers: servers.filter((s) => s.enableSet).length};
  const out = {objects, callers: nodes, counts};
  if (rowHelpers) {
    const {serverRow, adapterRow} = rowHelpers;
    out.rows = Object.freeze({
      nodes: Object.freeze(nodeRows),
      servers: Object.freeze(servers.map((s) => Object.freeze(serverRow(s)))),
      adapters: Object.freeze(adapters.map((a) => Object.freeze(adapterRow(a)))),
      staticEndpoints: Object.freeze(staticEndpoints),
      groupRules: Object.freeze(groupRules.map((r) => Object.freeze(r))),
      groupPriorities: Object.freeze(groupPriorities.map((p) => Object.freeze(p))),
    });
  }
  return out;
}
