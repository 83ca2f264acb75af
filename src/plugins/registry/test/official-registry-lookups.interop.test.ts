// The official registry client (@tars/registry 2.0.6 over @tars/rpc 2.0.15) against our QueryObj in a real core
// Application: every lookup it offers (findObjectById, 4Any, 4All, InSameGroup, InSameStation, InSameSet) answers
// over the wire exactly what our snapshot says, every field it can read, active and inactive lists alike, with the
// caller grouped by the node name the client sends.
/* eslint-disable @typescript-eslint/no-explicit-any */
import {expect} from 'chai';

import {Application, formatEndpoint} from '@tars-ts/core';

import {
  MemoryRegistryRepository, QUERY_OBJ, type QueryAnswer, RegistryService, type RegistrySnapshot,
} from '../src/index.js';
import {instance, rowsOf} from './fixtures.js';
import {
  NotingQueryServant, type OfficialEndpoint, asOfficial, destroyOfficialRegistryClient, officialAnswer, officialList,
  officialRegistryClient,
} from './official-oracle.js';

const OBJ = 'Test.GroupServer.GroupObj';

/** A snapshot answer in the official client's terms. */
function expected(a: QueryAnswer): {ret: number; active: OfficialEndpoint[]; inactive: OfficialEndpoint[]} {
  return {ret: a.ret, active: a.activeEp.map(asOfficial), inactive: a.inactiveEp.map(asOfficial)};
}

const ports = (eps: OfficialEndpoint[]): number[] => eps.map((e) => e.port);

describe('registry interop: the official @tars/registry client looks objects up in our QueryObj', function () {
  this.timeout(20_000);
  let app: Application;
  let servant: NotingQueryServant;
  let service: RegistryService;
  let client: any;
  /** The node name the official client sends (its host's first non-internal IP, or 127.0.0.1). */
  let callerName: string;
  const snapshot = (): RegistrySnapshot => service.snapshot();

  before(async () => {
    app = Application.fromOptions({app: 'tars', server: 'tarsregistry', loglevel: 'NONE', graceMs: 500,
      local: 'tcp -h 127.0.0.1 -p 0', adapters: [{servant: QUERY_OBJ, endpoint: 'tcp -h 127.0.0.1 -p 0 -t 60000'}]});
    servant = new NotingQueryServant(snapshot); // answers once the rows below are in
    app.addServant(servant, QUERY_OBJ);
    await app.start();
    client = officialRegistryClient(`${QUERY_OBJ}@${formatEndpoint(app.servantAdapters[0]!.endpoint)}`);
    callerName = client._node_name;
    expect(callerName).to.be.a('string').and.not.equal('');

    // Group 1 holds the caller and 10.1.1.*, group 2 10.2.2.*, group 3 10.3.3.*; station "south" falls back from
    // 1 to 2, "north" is group 3. Every instance takes part in grouping except the one on 10.9.9.9.
    const g = {enableGroup: true};
    const set = (setName: string, setArea: string, setGroup: string) =>
      ({...g, enableSet: true, setName, setArea, setGroup});
    const rows = rowsOf([
      instance(OBJ, '10.1.1.1', 1, g, {endpoint: 'tcp -h 10.1.1.1 -p 1 -t 3000 -w 30 -v 1'}),
      instance(OBJ, '10.1.1.2', 2, {...g, presentState: 'inactive'}),
      instance(OBJ, '10.2.2.1', 3, set('s', 'a', '1'), {endpoint: 'udp -h 10.2.2.1 -p 3 -t 5000'}),
      instance(OBJ, '10.2.2.2', 4, set('s', 'a', '*')),
      instance(OBJ, '10.2.2.3', 5, {...set('s', 'a', '1'), settingState: 'inactive'}),
      instance(OBJ, '10.3.3.1', 6, {...set('s', 'b', '2'), flowState: 'inactive'}),
      instance(OBJ, '10.3.3.2', 7, g),
      instance(OBJ, '10.9.9.9', 8, {}, {endpoint: 'ssl -h 10.9.9.9 -p 8 -t 60000'}),
    ], {
      groupRules: [
        {groupId: 1, groupName: 'sz', allowIpRule: `${callerName}|10.1.1.*`},
        {groupId: 2, groupName: 'sh', allowIpRule: '10.2.2.*'},
        {groupId: 3, groupName: 'bj', allowIpRule: '10.3.3.*'},
      ],
      groupPriorities: [
        {id: 'p1', order: 1, groupList: '1|2', station: 'south'},
        {id: 'p2', order: 2, groupList: '3', station: 'north'},
      ],
    });
    service = new RegistryService(new MemoryRegistryRepository(rows), {clock: () => 0});
    await service.refresh();
  });

  after(async () => {
    destroyOfficialRegistryClient(client);
    await app?.close();
  });

  it('sends its node name as the node_name context of every lookup, which our registry groups it by', async () => {
    servant.calls.length = 0;
    await client.findObjectById(OBJ);
    await client.findObjectById4Any(OBJ);
    await client.findObjectById4All(OBJ);
    await client.findObjectByIdInSameGroup(OBJ);
    await client.findObjectByIdInSameStation(OBJ, 'south');
    await client.findObjectByIdInSameSet(OBJ, 's.a.1');
    expect(servant.calls).to.deep.equal(['findObjectById', 'findObjectById4Any', 'findObjectById4All',
      'findObjectByIdInSameGroup', 'findObjectByIdInSameStation', 'findObjectByIdInSameSet']
      .map((func) => ({func, id: OBJ, nodeName: callerName})));
    expect(snapshot().groups.groupOfIp(callerName)).to.equal(1);
  });

  it('findObjectById: the active endpoints, every field as our snapshot has it', async () => {
    const got = officialList((await client.findObjectById(OBJ)).response.return);
    expect(got).to.deep.equal(snapshot().findObjectById(OBJ).map(asOfficial));
    expect(ports(got)).to.deep.equal([1, 3, 4, 7, 8]);
    expect(got[0]).to.deep.equal({host: '10.1.1.1', port: 1, timeout: 3000, istcp: 1, grid: 0, groupworkid: 1,
      grouprealid: 1, setId: '', qos: 0, bakFlag: 0, weight: 30, weightType: 1});
    expect(got.map((e) => e.istcp)).to.deep.equal([1, 0, 1, 1, 2]);
    expect(got[1]).to.include({setId: 's.a.1', groupworkid: 2});
    expect(got[4]).to.include({groupworkid: -1, grouprealid: -1});
    expect(officialList((await client.findObjectById('No.Such.Obj')).response.return)).to.deep.equal([]);
  });

  it('findObjectById4Any: every endpoint, active and inactive, with no grouping', async () => {
    const got = officialAnswer(await client.findObjectById4Any(OBJ));
    expect(got).to.deep.equal(expected(snapshot().findAll(OBJ)));
    expect({ret: got.ret, active: ports(got.active), inactive: ports(got.inactive)}).to.deep.equal(
      {ret: 0, active: [1, 3, 4, 7, 8], inactive: [2, 5, 6]});
    expect(officialAnswer(await client.findObjectById4Any('No.Such.Obj'))).to.deep.equal(
      {ret: 0, active: [], inactive: []});
  });

  it('findObjectByIdInSameGroup and findObjectById4All: the caller\'s group, inactive filtered alike', async () => {
    const want = expected(snapshot().findInGroupPriority(OBJ, callerName));
    for (const got of [officialAnswer(await client.findObjectByIdInSameGroup(OBJ)),
      officialAnswer(await client.findObjectById4All(OBJ))]) {
      expect(got).to.deep.equal(want);
      expect({ret: got.ret, active: ports(got.active), inactive: ports(got.inactive)}).to.deep.equal(
        {ret: 0, active: [1], inactive: [2]});
    }
    expect(officialAnswer(await client.findObjectByIdInSameGroup('No.Such.Obj'))).to.deep.equal(
      {ret: 0, active: [], inactive: []});
  });

  it('findObjectByIdInSameStation: the station\'s physical groups; an unknown station is ret -1', async () => {
    for (const [station, ret, active, inactive] of [['south', 0, [1, 3, 4], [2, 5]], ['north', 0, [7], [6]],
      ['nowhere', -1, [], []]] as const) {
      const got = officialAnswer(await client.findObjectByIdInSameStation(OBJ, station));
      expect(got, station).to.deep.equal(expected(snapshot().findInSameStation(OBJ, station)));
      expect({ret: got.ret, active: ports(got.active), inactive: ports(got.inactive)}, station).to.deep.equal(
        {ret, active, inactive});
    }
  });

  it('findObjectByIdInSameSet: exact set, wildcard group, whole area, another set\'s fallback, refusals', async () => {
    const cases: [string, number, number[], number[]][] = [
      ['s.a.1', 0, [3], [5]], // exact set group, its inactive member included
      ['s.a.9', 0, [4], []], // no instance in s.a.9: those registered in s.a.*
      ['s.a.*', 0, [3, 4], [5]], // every group of area s.a
      ['s.b.2', 0, [], [6]], // only an inactive member: still ret 0
      ['s.c.1', -1, [], []], // set s exists, nothing in s.c.1 nor s.c.*
      ['t.a.1', 0, [1], [2]], // object not deployed in set t: the caller's group answer
      ['*.a.1', -1, [], []], // wildcard name refused
      ['s.a', -1, [], []], // not three parts
    ];
    for (const [setId, ret, active, inactive] of cases) {
      const got = officialAnswer(await client.findObjectByIdInSameSet(OBJ, setId));
      expect(got, setId).to.deep.equal(expected(snapshot().findInSameSet(OBJ, setId, callerName)));
      expect({ret: got.ret, active: ports(got.active), inactive: ports(got.inactive)}, setId).to.deep.equal(
        {ret, active, inactive});
    }
  });
});
