// The RegistryRepository contract (src/repository.ts) as one mocha suite, run against every implementation
// (repository.test.ts): the memory one and the SQL store must be interchangeable under the servants and the model.
// Everything goes through the interface, so a test here states the contract, never an implementation's detail.
import {expect} from 'chai';

import {
  type AdapterRow, type NodeRegistration, type RegistryRepository, type ServerKey, type ServerRow, adapterRow,
  serverRow,
} from '../src/index.js';

/** A repository under test and how to dispose of it. */
export interface RepositoryUnderTest {
  readonly repo: RegistryRepository;
  close(): Promise<void>;
}

const LOAD = {avg1: 0.1, avg5: 0.2, avg15: 0.3};

/** A node's registration under `nodeName`, its NodeObj on `host`. */
export function registration(nodeName: string, host = nodeName, init: Partial<NodeRegistration> = {}):
  NodeRegistration {
  return {nodeName, nodeObj: `tars.tarsnode.NodeObj@tcp -h ${host} -p 19385`, endpointIp: host, endpointPort: 19385,
    dataDir: `/data/${nodeName}`, version: '3.0.1', load: LOAD, ...init};
}

const key = (serverName: string, nodeName = 'n1', application = 'App'): ServerKey =>
  ({application, serverName, nodeName});

/** A server row with every column away from its default, so that a store dropping or mixing columns shows. */
function fullServer(k: ServerKey): ServerRow {
  return serverRow({...k, settingState: 'inactive', presentState: 'deactivating', flowState: 'inactive',
    processId: 4242, enableGroup: true, ipGroupName: 'sz', enableSet: true, setName: 'mtt', setArea: 'sz',
    setGroup: '1', bakFlag: 1, serverType: 'tars_nodejs', basePath: '/b', exePath: '/e', templateName: 'tars.default',
    profile: '<tars>\n  x=1\n</tars>', asyncThreadNum: 7, patchVersion: 'p1', patchTime: '2024-01-02 03:04:05',
    patchUser: 'ops', tarsVersion: '3.0.2', startScript: 'start.sh', stopScript: 'stop.sh', monitorScript: 'mon.sh',
    configCenterPort: 8080, runType: 'container', baseImageId: 'img-1'});
}

function fullAdapter(k: ServerKey, adapterName = 'A'): AdapterRow {
  return adapterRow({...k, adapterName, servant: `${k.application}.${k.serverName}.Obj`,
    endpoint: 'tcp -h 10.0.0.1 -p 1 -t 60000', threadNum: 9, maxConnections: 77, allowIp: '10.0.0.*', queuecap: 5,
    queuetimeout: 6, protocol: 'not_tars', handlegroup: 'hg'});
}

const names = (rows: readonly {nodeName: string}[]): string[] => rows.map((r) => r.nodeName);
const serverNames = (rows: readonly ServerRow[]): string[] => rows.map((s) => `${s.serverName}@${s.nodeName}`);

/**
 * Declares the contract suite for one implementation. `make` gives a fresh, empty repository for each test;
 * `close` runs after it.
 */
export function describeRepository(name: string, make: () => Promise<RepositoryUnderTest>): void {
  describe(`RegistryRepository contract: ${name}`, () => {
    let under: RepositoryUnderTest | undefined;
    let repo: RegistryRepository;

    beforeEach(async () => {
      under = await make();
      repo = under.repo;
    });

    afterEach(async () => {
      await under?.close();
      under = undefined;
    });

    /** Saves a server (with defaults) and returns its key. */
    async function server(serverName: string, nodeName = 'n1', init: Partial<ServerRow> = {}): Promise<ServerKey> {
      const k = key(serverName, nodeName);
      expect(await repo.saveServer(serverRow({...k, ...init}), false)).to.equal(true);
      return k;
    }

    describe('registerNode', () => {
      it('registers a new node active, with both times at `now`, its load and no template', async () => {
        expect(await repo.registerNode(registration('n1', '10.0.0.1'), 1000)).to.equal('registered');
        expect(await repo.getNode('n1')).to.deep.equal({nodeName: 'n1',
          nodeObj: 'tars.tarsnode.NodeObj@tcp -h 10.0.0.1 -p 19385', endpointIp: '10.0.0.1', endpointPort: 19385,
          dataDir: '/data/n1', version: '3.0.1', presentState: 'active', lastRegTime: 1000, lastHeartbeat: 1000,
          loadAvg1: 0.1, loadAvg5: 0.2, loadAvg15: 0.3, templateName: ''});
      });

      it('re-registers the same node object: every field and both times move', async () => {
        await repo.registerNode(registration('n1'), 1000);
        expect(await repo.registerNode(registration('n1', 'n1', {version: '3.1', dataDir: '/d2',
          load: {avg1: 1, avg5: 2, avg15: 3}}), 2000)).to.equal('registered');
        expect(await repo.getNode('n1')).to.include({version: '3.1', dataDir: '/d2', lastRegTime: 2000,
          lastHeartbeat: 2000, loadAvg1: 1, loadAvg15: 3, presentState: 'active'});
      });

      it('refuses another node object under a live node\'s name, and leaves the row as it was', async () => {
        await repo.registerNode(registration('n1', '10.0.0.1'), 1000);
        const before = await repo.getNode('n1');
        expect(await repo.registerNode(registration('n1', '10.0.0.2'), 2000)).to.equal('name-taken');
        expect(await repo.getNode('n1')).to.deep.equal(before);
      });

      it('takes a registration with an empty node object, and one over a row whose node object is empty', async () => {
        await repo.registerNode(registration('n1', '10.0.0.1'), 1000);
        expect(await repo.registerNode(registration('n1', '10.0.0.1', {nodeObj: ''}), 2000)).to.equal('registered');
        expect(await repo.getNode('n1')).to.include({nodeObj: '', lastHeartbeat: 2000});
        expect(await repo.registerNode(registration('n1', '10.0.0.2'), 3000)).to.equal('registered');
        expect((await repo.getNode('n1'))?.nodeObj).to.equal('tars.tarsnode.NodeObj@tcp -h 10.0.0.2 -p 19385');
      });

      it('gives the name of a destroyed or expired node to another node object', async () => {
        await repo.registerNode(registration('n1', '10.0.0.1'), 1000);
        await repo.destroyNode('n1');
        expect(await repo.registerNode(registration('n1', '10.0.0.2'), 2000)).to.equal('registered');
        await repo.expireNodes(3000);
        expect(await repo.registerNode(registration('n1', '10.0.0.3'), 4000)).to.equal('registered');
        expect(await repo.getNode('n1')).to.include({endpointIp: '10.0.0.3', presentState: 'active'});
      });
    });

    describe('keepAlive', () => {
      it('is false for an unknown node and creates no row', async () => {
        expect(await repo.keepAlive('nobody', LOAD, 1000)).to.equal(false);
        expect(await repo.getNode('nobody')).to.equal(undefined);
        expect(await repo.listNodes()).to.deep.equal([]);
      });

      it('moves the heart-beat and the load, makes the node active again, and keeps lastRegTime', async () => {
        await repo.registerNode(registration('n1'), 1000);
        await repo.destroyNode('n1');
        expect(await repo.keepAlive('n1', {avg1: 5, avg5: 6, avg15: 7}, 9000)).to.equal(true);
        expect(await repo.getNode('n1')).to.include({presentState: 'active', lastRegTime: 1000, lastHeartbeat: 9000,
          loadAvg1: 5, loadAvg5: 6, loadAvg15: 7});
      });
    });

    describe('destroyNode', () => {
      it('is false for an unknown node', async () => {
        expect(await repo.destroyNode('nobody')).to.equal(false);
      });

      it('makes the node and its servers inactive, keeping their process ids; other nodes are untouched', async () => {
        await repo.registerNode(registration('n1'), 1000);
        await repo.registerNode(registration('n2'), 1000);
        await server('S', 'n1', {presentState: 'active', processId: 11});
        await server('T', 'n1', {presentState: 'activating', processId: 12});
        await server('S', 'n2', {presentState: 'active', processId: 21});
        expect(await repo.destroyNode('n1')).to.equal(true);
        expect((await repo.getNode('n1'))?.presentState).to.equal('inactive');
        expect((await repo.getNode('n2'))?.presentState).to.equal('active');
        expect(await repo.getServer(key('S', 'n1'))).to.include({presentState: 'inactive', processId: 11});
        expect(await repo.getServer(key('T', 'n1'))).to.include({presentState: 'inactive', processId: 12});
        expect(await repo.getServer(key('S', 'n2'))).to.include({presentState: 'active', processId: 21});
      });
    });

    describe('expireNodes', () => {
      it('makes nodes silent before the bound inactive with their servers (process id 0); returns their names ' +
        'by name', async () => {
        await repo.registerNode(registration('zeta'), 100);
        await repo.registerNode(registration('alpha'), 100);
        await repo.registerNode(registration('edge'), 500);
        await repo.registerNode(registration('live'), 900);
        await server('S', 'zeta', {presentState: 'active', processId: 1});
        await server('S', 'edge', {presentState: 'active', processId: 2});
        await server('S', 'live', {presentState: 'active', processId: 3});
        // A heart-beat exactly at the bound is not silent.
        expect(await repo.expireNodes(500)).to.deep.equal(['alpha', 'zeta']);
        expect((await repo.listNodes()).map((n) => `${n.nodeName}:${n.presentState}`)).to.deep.equal(
          ['alpha:inactive', 'edge:active', 'live:active', 'zeta:inactive']);
        expect(await repo.getServer(key('S', 'zeta'))).to.include({presentState: 'inactive', processId: 0});
        expect(await repo.getServer(key('S', 'edge'))).to.include({presentState: 'active', processId: 2});
        expect(await repo.getServer(key('S', 'live'))).to.include({presentState: 'active', processId: 3});
      });

      it('returns nothing for nodes already inactive, yet resets servers reported on them since', async () => {
        await repo.registerNode(registration('n1'), 100);
        await server('S', 'n1');
        expect(await repo.expireNodes(200)).to.deep.equal(['n1']);
        await repo.updateServerStates([{...key('S', 'n1'), presentState: 'active', processId: 9}]);
        expect(await repo.expireNodes(200)).to.deep.equal([]);
        expect(await repo.getServer(key('S', 'n1'))).to.include({presentState: 'inactive', processId: 0});
      });

      it('changes nothing when no node is silent', async () => {
        await repo.registerNode(registration('n1'), 100);
        await server('S', 'n1', {presentState: 'active', processId: 5});
        expect(await repo.expireNodes(100)).to.deep.equal([]);
        expect(await repo.getServer(key('S', 'n1'))).to.include({presentState: 'active', processId: 5});
      });
    });

    describe('getNode and listNodes', () => {
      it('gives undefined for an unknown node and lists nodes by name in code-unit order', async () => {
        expect(await repo.getNode('x')).to.equal(undefined);
        for (const n of ['b', 'B', 'a', '10.0.0.2', '10.0.0.10']) await repo.registerNode(registration(n), 1);
        expect(names(await repo.listNodes())).to.deep.equal(['10.0.0.10', '10.0.0.2', 'B', 'a', 'b']);
      });
    });

    describe('getServers', () => {
      beforeEach(async () => {
        await server('S1', 'n1');
        await server('S2', 'n1');
        await repo.saveServer(serverRow({...key('S3', 'n1', 'Other')}), false);
        await server('Dns', 'n1', {serverType: 'tars_dns'});
        await server('S1', 'n2');
        for (const a of ['B', 'A']) {
          await repo.saveAdapter(adapterRow({...key('S1', 'n1'), adapterName: a, servant: `App.S1.${a}Obj`,
            endpoint: `tcp -h n1 -p ${a === 'A' ? 1 : 2}`}), false);
        }
        await repo.saveAdapter(adapterRow({...key('S1', 'n2'), servant: 'App.S1.AObj', endpoint: 'tcp -h n2 -p 1'}),
          false);
        await repo.saveAdapter(adapterRow({...key('Dns', 'n1'), servant: 'App.Dns.Obj', endpoint: 'tcp -h n1 -p 9'}),
          false);
      });

      it('lists the servers of one node with their own adapters, leaving tars_dns out, in the order first added',
        async () => {
          const all = await repo.getServers({nodeName: 'n1'});
          expect(all.map((s) => `${s.server.application}.${s.server.serverName}`)).to.deep.equal(
            ['App.S1', 'App.S2', 'Other.S3']);
          expect(all[0]!.adapters.map((a) => `${a.adapterName}@${a.nodeName}`)).to.deep.equal(['B@n1', 'A@n1']);
          expect(all[1]!.adapters).to.deep.equal([]);
          expect(await repo.getServers({nodeName: 'n1', application: '', serverName: ''})).to.deep.equal(all);
        });

      it('filters by application and by server; an unknown node has none', async () => {
        expect((await repo.getServers({nodeName: 'n1', application: 'Other'})).map((s) => s.server.serverName))
          .to.deep.equal(['S3']);
        const one = await repo.getServers({nodeName: 'n1', application: 'App', serverName: 'S1'});
        expect(one.map((s) => s.server.serverName)).to.deep.equal(['S1']);
        expect(one[0]!.adapters).to.have.length(2);
        expect(await repo.getServers({nodeName: 'n1', serverName: 'Dns'})).to.deep.equal([]);
        expect(await repo.getServers({nodeName: 'n9'})).to.deep.equal([]);
        expect((await repo.getServers({nodeName: 'n2'}))[0]!.adapters.map((a) => a.endpoint)).to.deep.equal(
          ['tcp -h n2 -p 1']);
      });
    });

    describe('servers', () => {
      it('saveServer adds a server with every column as given, and getServer returns it', async () => {
        const row = fullServer(key('S'));
        expect(await repo.saveServer(row, false)).to.equal(true);
        expect(await repo.getServer(key('S'))).to.deep.equal(row);
        expect(await repo.getServer(key('S', 'n2'))).to.equal(undefined);
      });

      it('saveServer without replace refuses an existing server and keeps it; with replace overwrites every column',
        async () => {
          const first = serverRow({...key('S'), profile: 'first'});
          await repo.saveServer(first, false);
          expect(await repo.saveServer(fullServer(key('S')), false)).to.equal(false);
          expect(await repo.getServer(key('S'))).to.deep.equal(first);
          expect(await repo.saveServer(fullServer(key('S')), true)).to.equal(true);
          expect(await repo.getServer(key('S'))).to.deep.equal(fullServer(key('S')));
          expect(await repo.saveServer(first, true)).to.equal(true);
          expect(await repo.getServer(key('S'))).to.deep.equal(first);
        });

      it('listServers keeps the order first added: a replace keeps the place, remove and add goes last', async () => {
        await server('A');
        await server('B');
        await server('C');
        await repo.saveServer(serverRow({...key('A'), profile: 'again'}), true);
        expect(serverNames(await repo.listServers())).to.deep.equal(['A@n1', 'B@n1', 'C@n1']);
        await repo.removeServer(key('A'));
        await server('A');
        expect(serverNames(await repo.listServers())).to.deep.equal(['B@n1', 'C@n1', 'A@n1']);
      });

      it('updateServerStates sets state and process id of known servers and skips unknown ones', async () => {
        await server('S', 'n1');
        await server('T', 'n1');
        await repo.updateServerStates([
          {...key('S'), presentState: 'active', processId: 10},
          {...key('Ghost'), presentState: 'active', processId: 11},
          {...key('T'), presentState: 'destroying', processId: 12},
        ]);
        expect(await repo.getServer(key('S'))).to.include({presentState: 'active', processId: 10});
        expect(await repo.getServer(key('T'))).to.include({presentState: 'destroying', processId: 12});
        expect(await repo.getServer(key('Ghost'))).to.equal(undefined);
        await repo.updateServerStates([]);
        expect(serverNames(await repo.listServers())).to.deep.equal(['S@n1', 'T@n1']);
      });

      it('setSettingState is false for an unknown server; true and saved for a known one', async () => {
        await server('S');
        expect(await repo.setSettingState(key('Ghost'), 'inactive')).to.equal(false);
        expect(await repo.setSettingState(key('S'), 'inactive')).to.equal(true);
        expect((await repo.getServer(key('S')))?.settingState).to.equal('inactive');
      });

      it('setFlowState changes the named nodes\' instances only, skipping missing ones', async () => {
        await server('S', 'n1');
        await server('S', 'n2');
        await server('S', 'n3');
        await server('T', 'n1');
        await repo.setFlowState('App', 'S', ['n1', 'n3', 'n9'], 'inactive');
        await repo.setFlowState('App', 'S', [], 'inactive');
        const flows = (await repo.listServers()).map((s) => `${s.serverName}@${s.nodeName}:${s.flowState}`);
        expect(flows).to.deep.equal(['S@n1:inactive', 'S@n2:active', 'S@n3:inactive', 'T@n1:active']);
        expect(await repo.getServer(key('S', 'n9'))).to.equal(undefined);
      });

      it('setServerVersion and setPatchResult write their columns, and create nothing for an unknown server',
        async () => {
          await server('S');
          await repo.setServerVersion(key('S'), '3.0.9');
          await repo.setPatchResult(key('S'), {version: '42', user: 'ops', time: '2024-05-06 07:08:09'});
          expect(await repo.getServer(key('S'))).to.include({tarsVersion: '3.0.9', patchVersion: '42',
            patchUser: 'ops', patchTime: '2024-05-06 07:08:09'});
          await repo.setServerVersion(key('Ghost'), '1');
          await repo.setPatchResult(key('Ghost'), {version: '1', user: 'u', time: 't'});
          expect(await repo.getServer(key('Ghost'))).to.equal(undefined);
        });
    });

    describe('adapters', () => {
      it('saveAdapter refuses an adapter whose server does not exist, and saves nothing', async () => {
        expect(await repo.saveAdapter(fullAdapter(key('Ghost')), false)).to.equal(false);
        expect(await repo.saveAdapter(fullAdapter(key('Ghost')), true)).to.equal(false);
        expect((await repo.loadRows()).adapters).to.deep.equal([]);
      });

      it('saveAdapter adds with every column; without replace refuses an existing one; with replace overwrites it',
        async () => {
          await server('S');
          const row = fullAdapter(key('S'));
          expect(await repo.saveAdapter(row, false)).to.equal(true);
          expect((await repo.getServers({nodeName: 'n1'}))[0]!.adapters).to.deep.equal([row]);
          const other = adapterRow({...key('S'), adapterName: 'A', servant: 'App.S.Other', endpoint: 'udp -h h -p 2'});
          expect(await repo.saveAdapter(other, false)).to.equal(false);
          expect((await repo.loadRows()).adapters).to.deep.equal([row]);
          expect(await repo.saveAdapter(other, true)).to.equal(true);
          expect((await repo.loadRows()).adapters).to.deep.equal([other]);
        });

      it('replaceServer writes the server with exactly its new adapters, keeps order, and returns what it replaced',
        async () => {
          await server('R');
          await repo.saveAdapter(fullAdapter(key('R'), 'A'), false);
          await repo.saveAdapter(fullAdapter(key('R'), 'B'), false);
          await server('Z');
          const first = await repo.getServers({nodeName: 'n1', serverName: 'R'});
          const newB = {...fullAdapter(key('R'), 'B'), endpoint: 'tcp -h 127.0.0.1 -p 9'};
          const newC = fullAdapter(key('R'), 'C');
          const replaced = serverRow({...key('R'), startScript: './run', profile: 'x'});
          expect(await repo.replaceServer(replaced, [newB, newC])).to.deep.equal(first[0]);
          const rows = await repo.loadRows();
          // R keeps its place before Z; B kept by name keeps its place; A is gone; C is new.
          expect(serverNames(rows.servers)).to.deep.equal(['R@n1', 'Z@n1']);
          expect(rows.servers[0]).to.deep.equal(replaced);
          expect(rows.adapters).to.deep.equal([newB, newC]);
          expect(await repo.replaceServer(serverRow(key('New')), [])).to.equal(undefined);
          expect((await repo.getServer(key('New')))?.serverName).to.equal('New');
        });

      it('replaceServer refuses an adapter of another server and writes nothing', async () => {
        let thrown: unknown;
        await repo.replaceServer(serverRow(key('R')), [fullAdapter(key('Other'), 'A')]).catch((e: unknown) => {
          thrown = e;
        });
        expect(thrown).to.be.instanceOf(TypeError);
        expect((await repo.loadRows()).servers).to.deep.equal([]);
      });

      it('removeServer removes the server and only its adapters; false when there is none', async () => {
        await server('S');
        await server('T');
        await repo.saveAdapter(fullAdapter(key('S'), 'A'), false);
        await repo.saveAdapter(fullAdapter(key('S'), 'B'), false);
        await repo.saveAdapter(fullAdapter(key('T'), 'A'), false);
        expect(await repo.removeServer(key('S'))).to.equal(true);
        expect(await repo.removeServer(key('S'))).to.equal(false);
        const rows = await repo.loadRows();
        expect(serverNames(rows.servers)).to.deep.equal(['T@n1']);
        expect(rows.adapters.map((a) => `${a.serverName}.${a.adapterName}`)).to.deep.equal(['T.A']);
        // Adding the server again does not bring its old adapters back.
        await server('S');
        expect((await repo.getServers({nodeName: 'n1', serverName: 'S'}))[0]!.adapters).to.deep.equal([]);
      });
    });

    describe('static endpoints', () => {
      const ep = (owner: string, port: number, presentState: 'active' | 'inactive' = 'active') =>
        ({servant: 'tars.tarsregistry.QueryObj', endpoint: `tcp -h 10.0.0.1 -p ${port}`, presentState,
          enableGroup: false, ipGroupName: '', setId: '', owner});

      it('adds, replaces in place by (owner, servant, endpoint), and removes', async () => {
        await repo.addStaticEndpoint(ep('r1', 1));
        await repo.addStaticEndpoint(ep('r2', 1));
        await repo.addStaticEndpoint(ep('r1', 2));
        await repo.addStaticEndpoint({...ep('r1', 1, 'inactive'), enableGroup: true, setId: 'a.b.c'});
        expect((await repo.loadRows()).staticEndpoints).to.deep.equal([
          {...ep('r1', 1, 'inactive'), enableGroup: true, setId: 'a.b.c'}, ep('r2', 1), ep('r1', 2)]);
        expect(await repo.removeStaticEndpoint('r2', 'tars.tarsregistry.QueryObj', 'tcp -h 10.0.0.1 -p 1'))
          .to.equal(true);
        expect(await repo.removeStaticEndpoint('r2', 'tars.tarsregistry.QueryObj', 'tcp -h 10.0.0.1 -p 1'))
          .to.equal(false);
        expect(await repo.removeStaticEndpoint('r1', 'tars.tarsregistry.Other', 'tcp -h 10.0.0.1 -p 1'))
          .to.equal(false);
        expect((await repo.loadRows()).staticEndpoints.map((e) => `${e.owner}:${e.endpoint}`)).to.deep.equal(
          ['r1:tcp -h 10.0.0.1 -p 1', 'r1:tcp -h 10.0.0.1 -p 2']);
      });
    });

    describe('IDC groups', () => {
      it('group rules are saved and replaced by groupId, and removed', async () => {
        await repo.saveGroupRule({groupId: 2, groupName: 'sh', allowIpRule: '10.2.2.1'});
        await repo.saveGroupRule({groupId: 1, groupName: 'sz', allowIpRule: '10.1.1.*'});
        await repo.saveGroupRule({groupId: 2, groupName: 'sh2', allowIpRule: '10.2.2.1|10.2.2.2'});
        expect((await repo.loadRows()).groupRules).to.deep.equal([
          {groupId: 2, groupName: 'sh2', allowIpRule: '10.2.2.1|10.2.2.2'},
          {groupId: 1, groupName: 'sz', allowIpRule: '10.1.1.*'}]);
        expect(await repo.removeGroupRule(2)).to.equal(true);
        expect(await repo.removeGroupRule(2)).to.equal(false);
        expect((await repo.loadRows()).groupRules.map((r) => r.groupId)).to.deep.equal([1]);
      });

      it('group priorities are saved and replaced by id, and removed', async () => {
        await repo.saveGroupPriority({id: 'p2', order: 2, groupList: '3;1', station: 'north'});
        await repo.saveGroupPriority({id: 'p1', order: 1, groupList: '1|2', station: 'south'});
        await repo.saveGroupPriority({id: 'p2', order: 3, groupList: '3', station: 'west'});
        expect((await repo.loadRows()).groupPriorities).to.deep.equal([
          {id: 'p2', order: 3, groupList: '3', station: 'west'},
          {id: 'p1', order: 1, groupList: '1|2', station: 'south'}]);
        expect(await repo.removeGroupPriority('p1')).to.equal(true);
        expect(await repo.removeGroupPriority('p1')).to.equal(false);
        expect((await repo.loadRows()).groupPriorities.map((p) => p.id)).to.deep.equal(['p2']);
      });
    });

    describe('registries sharing the store', () => {
      it('each registry\'s own rows replace its earlier ones; another\'s stay; removal takes only its own', async () => {
        const q = 'tars.tarsregistry.QueryObj';
        await repo.putRegistryInfo('a:1', [{servant: q, endpoint: 'tcp -h a -p 1'},
          {servant: 'tars.tarsregistry.RegistryObj', endpoint: 'tcp -h a -p 2'}], 100);
        await repo.putRegistryInfo('b:1', [{servant: q, endpoint: 'tcp -h b -p 1'}], 100);
        await repo.putRegistryInfo('a:1', [{servant: q, endpoint: 'tcp -h a -p 1'}], 200);
        expect((await repo.listRegistryInfo()).map((r) => `${r.locatorId} ${r.servant} ${r.lastHeartbeat}`))
          .to.deep.equal([`a:1 ${q} 200`, `b:1 ${q} 100`]);
        await repo.removeRegistryInfo('a:1');
        expect((await repo.loadRows()).registries.map((r) => r.locatorId)).to.deep.equal(['b:1']);
      });

      it('the change stamp moves with every bump', async () => {
        const before = await repo.readStamp();
        await repo.bumpStamp();
        await repo.bumpStamp();
        expect(await repo.readStamp()).to.equal(before + 2);
      });
    });

    describe('loadRows', () => {
      it('is empty for an empty repository', async () => {
        expect(await repo.loadRows()).to.deep.equal({nodes: [], servers: [], adapters: [], staticEndpoints: [],
          groupRules: [], groupPriorities: [], registries: []});
      });

      it('returns every table, frozen, and a result later writes do not change', async () => {
        await repo.registerNode(registration('n1'), 1_700_000_000_123);
        await server('S', 'n1', {presentState: 'active'});
        await repo.saveAdapter(fullAdapter(key('S')), false);
        await repo.addStaticEndpoint({servant: 'X.Y.Obj', endpoint: 'tcp -h h -p 1', presentState: 'active',
          enableGroup: true, ipGroupName: '', setId: '', owner: 'static'});
        await repo.saveGroupRule({groupId: 1, groupName: 'g', allowIpRule: '1.2.3.4'});
        await repo.saveGroupPriority({id: 'p', order: 1, groupList: '1', station: 's'});
        await repo.putRegistryInfo('h:1', [{servant: 'tars.tarsregistry.QueryObj', endpoint: 'tcp -h h -p 1'}], 5);
        const rows = await repo.loadRows();
        const copy = structuredClone(rows);
        expect(rows.nodes.map((n) => n.lastHeartbeat)).to.deep.equal([1_700_000_000_123]);
        for (const table of Object.values(rows)) {
          expect(Object.isFrozen(table)).to.equal(true);
          expect(table).to.have.length(1);
          for (const row of table) expect(Object.isFrozen(row)).to.equal(true);
        }

        await repo.updateServerStates([{...key('S'), presentState: 'inactive', processId: 0}]);
        await repo.removeServer(key('S'));
        await repo.expireNodes(Number.MAX_SAFE_INTEGER);
        await repo.addStaticEndpoint({servant: 'X.Y.Obj', endpoint: 'tcp -h h -p 2', presentState: 'active',
          enableGroup: false, ipGroupName: '', setId: '', owner: 'static'});
        await repo.removeGroupRule(1);
        await repo.removeGroupPriority('p');
        await repo.removeRegistryInfo('h:1');
        expect(rows).to.deep.equal(copy);
        const now = await repo.loadRows();
        expect(now.servers).to.deep.equal([]);
        expect(now.adapters).to.deep.equal([]);
        expect(now.nodes[0]!.presentState).to.equal('inactive');
      });

      it('is one consistent read: a write issued while it loads is in the result entirely or not at all',
        async () => {
          await repo.registerNode(registration('n1'), 100);
          for (let i = 0; i < 20; i++) {
            const k = await server(`S${i}`, 'n1', {presentState: 'active', processId: i + 1});
            await repo.saveAdapter(adapterRow({...k, servant: `App.S${i}.Obj`, endpoint: `tcp -h n1 -p ${i + 1}`}),
              false);
          }
          // Start each write while a load is under way (neither awaited first), then check every load is whole.
          const loads = [];
          const writes: Promise<unknown>[] = [];
          for (let i = 0; i < 20; i++) {
            loads.push(repo.loadRows());
            writes.push(i % 2 === 0 ? repo.removeServer(key(`S${i}`)) : repo.expireNodes(200 + i));
          }
          await Promise.all(writes);
          for (const rows of await Promise.all(loads)) {
            const servers = new Set(rows.servers.map((s) => s.serverName));
            // Never an adapter without its server, nor a server of a removed pair without its adapter.
            expect(rows.adapters.map((a) => a.serverName).sort()).to.deep.equal([...servers].sort());
            // The expiry is one change: node and servers agree.
            const nodeActive = rows.nodes[0]!.presentState === 'active';
            expect(rows.servers.every((s) => (s.presentState === 'active') === nodeActive)).to.equal(true);
          }
          const last = await repo.loadRows();
          expect(serverNames(last.servers)).to.deep.equal(
            Array.from({length: 10}, (_, i) => `S${2 * i + 1}@n1`));
        });
    });
  });
}
