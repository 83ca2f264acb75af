// Where each piece of a cluster listens, and what its data directory must say: no process, no socket.
import {expect} from 'chai';

import type {DaemonSpec} from '@tars-ts/kit';

import {
  CLUSTER_FORMAT, checkRegistries, clusterPlan, managedCommand, managedDataDir, parseClusterFile, portsNeeded, shellWord,
} from '../src/plan.js';

const spec = (name: string, servants: [string, number][]): DaemonSpec => ({name,
  servants: servants.map(([obj, port]) => ({obj, port})), create: () => ({servants: {}})});

/** The daemons as their plugins declare them (official ports), in the cluster's start order. */
const SPECS = [
  spec('registry', [['tars.tarsregistry.QueryObj', 17890], ['tars.tarsregistry.RegistryObj', 17891],
    ['tars.tarsAdminRegistry.AdminRegObj', 12000], ['tars.tarsregistry.RegistryCtlObj', 17892]]),
  spec('node', [['tars.tarsnode.ServerObj', 19386], ['tars.tarsnode.NodeObj', 19385]]),
  spec('log', [['tars.tarslog.LogObj', 18993], ['tars.tarsnotify.NotifyObj', 18593], ['tars.tarslog.LogQueryObj', 18994]]),
  spec('config', [['tars.tarsconfig.ConfigObj', 18193], ['tars.tarsconfig.ConfigCtlObj', 18194]]),
  spec('stat', [['tars.tarsstat.StatObj', 18293], ['tars.tarsproperty.PropertyObj', 18493],
    ['tars.tarsstat.StatQueryObj', 18294]]),
  spec('patch', [['tars.tarspatch.PatchObj', 18793], ['tars.tarspatch.PatchCtlObj', 18794]]),
];

describe('cluster plan', () => {
  it('without a base port every servant keeps its official port, and stat its /metrics port', () => {
    const plan = clusterPlan(SPECS, {dir: '/c', host: '127.0.0.1'});
    const ports = Object.fromEntries(plan.flatMap((p) => p.servants.map((s) => [s.obj, s.port])));
    expect(ports).to.include({'tars.tarsregistry.QueryObj': 17890, 'tars.tarsAdminRegistry.AdminRegObj': 12000,
      'tars.tarsnode.NodeObj': 19385, 'tars.tarsnotify.NotifyObj': 18593, 'tars.tarsproperty.PropertyObj': 18493});
    expect(plan.find((p) => p.name === 'stat')!.extras.map((e) => [e.flag, e.assigned])).to.deep.equal([['metrics-port', 18089]]);
  });

  it('a base port gives every servant and extra port the next port, in start order, with no gap', () => {
    const plan = clusterPlan(SPECS, {dir: '/c', host: '127.0.0.1', basePort: 30000});
    const all = plan.flatMap((p) => [...p.servants.map((s) => s.port), ...p.extras.map((e) => e.assigned)]);
    expect(all).to.deep.equal(Array.from({length: 17}, (_, i) => 30000 + i));
    expect(portsNeeded(SPECS)).to.equal(17);
    expect(plan[0]!.servants[0]!.endpoint).to.equal('tcp -h 127.0.0.1 -p 30000 -t 60000');
  });

  it('a base port whose range passes 65535 is a usage error naming the highest that fits', () => {
    expect(() => clusterPlan(SPECS, {dir: '/c', host: '127.0.0.1', basePort: 65530})).to.throw(/past 65535/)
      .with.property('hint').that.contains('at most 65519');
  });

  it('the registry and the node keep their data beside each other; a base service in the node\'s server directory', () => {
    const plan = clusterPlan(SPECS, {dir: '/c', host: '127.0.0.1'});
    expect(plan.map((p) => [p.name, p.role, p.server, p.dataDir])).to.deep.equal([
      ['registry', 'root', 'tarsregistry', '/c/registry'], ['node', 'root', 'tarsnode', '/c/node'],
      ['log', 'managed', 'tarslog', '/c/node/tars.tarslog/data'],
      ['config', 'managed', 'tarsconfig', '/c/node/tars.tarsconfig/data'],
      ['stat', 'managed', 'tarsstat', '/c/node/tars.tarsstat/data'],
      ['patch', 'managed', 'tarspatch', '/c/node/tars.tarspatch/data']]);
    expect(managedDataDir('/c', 'tarsstat')).to.equal('/c/node/tars.tarsstat/data');
  });
});

describe('a cluster with several registries (--registries)', () => {
  it('the second registry follows the first, in a directory of its own, on the official ports plus 10, consecutive', () => {
    const plan = clusterPlan(SPECS, {dir: '/c', host: '127.0.0.1', registries: 3, db: 'postgres://h/db'});
    expect(plan.map((p) => [p.name, p.daemon, p.role, p.dataDir]).slice(0, 4)).to.deep.equal([
      ['registry', 'registry', 'root', '/c/registry'], ['registry2', 'registry', 'root', '/c/registry2'],
      ['registry3', 'registry', 'root', '/c/registry3'], ['node', 'node', 'root', '/c/node']]);
    expect(plan[1]!.servants.map((s) => [s.obj, s.port])).to.deep.equal([['tars.tarsregistry.QueryObj', 17900],
      ['tars.tarsregistry.RegistryObj', 17901], ['tars.tarsAdminRegistry.AdminRegObj', 17902],
      ['tars.tarsregistry.RegistryCtlObj', 17903]]);
    expect(plan[2]!.servants[0]!.port).to.equal(17910);
    const ports = plan.flatMap((p) => [...p.servants.map((s) => s.port), ...p.extras.map((e) => e.assigned)]);
    expect(new Set(ports).size, 'no port taken twice').to.equal(ports.length);
  });

  it('with a base port the further registries take the ports after every other service, so the rest stay put', () => {
    const one = clusterPlan(SPECS, {dir: '/c', host: '127.0.0.1', basePort: 30000});
    const two = clusterPlan(SPECS, {dir: '/c', host: '127.0.0.1', basePort: 30000, registries: 2, db: 'postgres://h/db'});
    expect(two.filter((p) => p.name !== 'registry2')).to.deep.equal(one);
    expect(two[1]!.servants.map((s) => s.port)).to.deep.equal([30017, 30018, 30019, 30020]);
    expect(portsNeeded(SPECS, 2)).to.equal(21);
    expect(() => clusterPlan(SPECS, {dir: '/c', host: '127.0.0.1', basePort: 65516, registries: 2}))
      .to.throw(/past 65535/).with.property('hint').that.contains('at most 65515');
  });

  it('more than one registry without a shared database, or a count out of range, is a usage error saying what to give', () => {
    expect(() => checkRegistries(2, undefined)).to.throw(/needs a database the registries share/)
      .with.property('hint').that.contains('--db postgres://');
    for (const bad of [0, 6, 1.5]) {
      expect(() => checkRegistries(bad, 'postgres://h/db')).to.throw(/from 1 to 5/).with.property('code', 'USAGE');
    }
    expect(() => checkRegistries(1, undefined)).not.to.throw();
    expect(() => checkRegistries(5, 'postgres://h/db')).not.to.throw();
  });

  it('the command line of a base service names the daemon, not the registry\'s place in the cluster', () => {
    const plan = clusterPlan(SPECS, {dir: '/c', host: '127.0.0.1', registries: 2, db: 'postgres://h/db'});
    expect(managedCommand(['tars'], plan.find((p) => p.name === 'log')!)).to.match(/^tars log start /);
  });
});

describe('cluster data directory format', () => {
  const file = '/c/cluster.json';

  it('a directory written by a newer tars is refused, naming both formats', () => {
    const text = JSON.stringify({format: CLUSTER_FORMAT + 1, version: '9.0.0', host: '127.0.0.1', nodeName: 'n'});
    expect(() => parseClusterFile(text, file)).to.throw(/newer tars \(9\.0\.0, data format 2; this one reads format 1\)/)
      .with.property('code', 'CLUSTER_DATA_TOO_NEW');
  });

  it('a cluster.json that is not one (not JSON, or no host) is refused, not taken as empty', () => {
    expect(() => parseClusterFile('{', file)).to.throw().with.property('code', 'CLUSTER_DATA_INVALID');
    expect(() => parseClusterFile('{"format": 1}', file)).to.throw().with.property('code', 'CLUSTER_DATA_INVALID');
  });

  it('reads back how many registries run; one is the same as none written', () => {
    const base = {format: CLUSTER_FORMAT, version: '0.1.0', host: '127.0.0.1', nodeName: 'n', createdAt: 'x'};
    expect(parseClusterFile(JSON.stringify({...base, registries: 2, db: 'postgres://h/db'}), file))
      .to.include({registries: 2});
    expect(parseClusterFile(JSON.stringify({...base, registries: 1}), file)).not.to.have.property('registries');
  });

  it('reads back what a start wrote, the base port included', () => {
    const written = {format: 1, version: '0.1.0', host: '0.0.0.0', basePort: 30000, nodeName: 'h1', createdAt: 'x'};
    expect(parseClusterFile(JSON.stringify(written), file)).to.deep.equal(written);
  });
});

describe('the node\'s command line for a base service', () => {
  it('runs this CLI on the node\'s config file, with the extra ports, paths with spaces and quotes quoted', () => {
    const [stat] = clusterPlan(SPECS.slice(4, 5), {dir: '/c', host: '127.0.0.1', basePort: 40000});
    const line = managedCommand(['/usr/bin/node', '--conditions=tars-dev', "/home/o'neil/my tars/bin/run.js"], stat!);
    expect(line).to.equal("/usr/bin/node --conditions=tars-dev '/home/o'\\''neil/my tars/bin/run.js' stat start " +
      '--config={config} --metrics-port 40003');
  });

  it('with --db, every service that keeps a store (not the node) gets it, on its command line too', () => {
    const db = 'postgres://tars:p w@db.example:5432/tars';
    const stateful = SPECS.map((x) => (x.name === 'node' ? x : {...x, store: {file: `${x.name}.db`}}));
    const plan = clusterPlan(stateful, {dir: '/c', host: '127.0.0.1', db});
    expect(plan.map((p) => [p.name, p.db])).to.deep.equal([['registry', db], ['node', undefined], ['log', db],
      ['config', db], ['stat', db], ['patch', db]]);
    expect(managedCommand(['/usr/bin/node', 'run.js'], plan[3]!)).to.equal('/usr/bin/node run.js config start ' +
      "--config={config} --db 'postgres://tars:p w@db.example:5432/tars'");
    expect(clusterPlan(stateful, {dir: '/c', host: '127.0.0.1'}).every((p) => p.db === undefined)).to.equal(true);
    const file = parseClusterFile(JSON.stringify({format: CLUSTER_FORMAT, host: 'h', nodeName: 'n', db}), '/c/x');
    expect(file.db).to.equal(db);
  });

  it('leaves plain words alone and quotes the empty word', () => {
    expect(shellWord('--config={config}')).to.equal('--config={config}');
    expect(shellWord('')).to.equal("''");
  });
});
