// QueryF answers of the registry snapshot, function by function, against what tarsregistry answers from its object
// cache (framework.md 2.1 and the official DbHandle): groups with their fallback order, stations, sets with the
// wildcard group, inactive instances and unknown objects. Calls go through the QueryObj servant, so the swapped
// 4Any/4All names and the caller-host rule are covered too.
import {expect} from 'chai';

import {QueryServant, RegistrySnapshot, callerHost} from '../src/index.js';
import {GROUPS, brief, ctxFrom, hp, instance, rowsOf} from './fixtures.js';

const A = 'App.Grouped.Obj';
const B = 'App.OnlySh.Obj';
const C = 'App.Sets.Obj';
const NONE = 'App.Unknown.Obj';

const rows = rowsOf([
  instance(A, '10.1.1.5', 1, {enableGroup: true}),
  instance(A, '10.2.2.1', 2, {enableGroup: true}),
  instance(A, '10.3.3.3', 3, {enableGroup: false}),
  instance(A, '10.1.1.6', 4, {enableGroup: true, presentState: 'inactive'}),
  instance(B, '10.2.2.2', 5, {enableGroup: true}),
  instance(C, '10.5.0.1', 11, {enableSet: true, setName: 'mtt', setArea: 'sz', setGroup: '1'}),
  instance(C, '10.5.0.2', 12, {enableSet: true, setName: 'mtt', setArea: 'sz', setGroup: '2'}),
  instance(C, '10.5.0.3', 13, {enableSet: true, setName: 'mtt', setArea: 'sz', setGroup: '*'}),
  instance(C, '10.5.0.4', 14, {enableSet: true, setName: 'mtt', setArea: 'sh', setGroup: '1', settingState: 'inactive'}),
  instance(C, '10.5.0.5', 15),
  // A set id the official cache refuses for the set index (area '*'): served, but never by set.
  instance(C, '10.5.0.6', 16, {enableSet: true, setName: 'mtt', setArea: '*', setGroup: '1'}),
], GROUPS);

const snapshot = RegistrySnapshot.build(rows, {now: 0});
const query = new QueryServant(() => snapshot);
const from = (ip: string) => ctxFrom(ip);

describe('registry: QueryF semantics', () => {
  describe('findObjectById', () => {
    it('lists the active endpoints only, in row order, with no grouping', () => {
      expect(hp(query.findObjectById(A).ret)).to.deep.equal(['10.1.1.5:1', '10.2.2.1:2', '10.3.3.3:3']);
    });

    it('answers an empty list for an unknown object', () => {
      expect(query.findObjectById(NONE).ret).to.deep.equal([]);
    });
  });

  describe('findObjectById4Any (the official "all": every endpoint, no group filter)', () => {
    it('returns active and inactive endpoints, the caller\'s group playing no part', () => {
      expect(brief(query.findObjectById4Any(A))).to.deep.equal({ret: 0,
        active: ['10.1.1.5:1', '10.2.2.1:2', '10.3.3.3:3'], inactive: ['10.1.1.6:4']});
    });

    it('answers ret 0 with empty lists for an unknown object', () => {
      expect(brief(query.findObjectById4Any(NONE))).to.deep.equal({ret: 0, active: [], inactive: []});
    });
  });

  describe('findObjectByIdInSameGroup and findObjectById4All (the same group-priority rule)', () => {
    const cases: {caller: string; id: string; active: string[]; inactive: string[]; why: string}[] = [
      {caller: '10.1.1.100', id: A, active: ['10.1.1.5:1'], inactive: ['10.1.1.6:4'],
        why: 'same group (1, by the a.b.c.* rule); the inactive list filtered alike'},
      {caller: '10.2.2.2', id: A, active: ['10.2.2.1:2'], inactive: [], why: 'same group (2, by an exact IP)'},
      {caller: '10.3.3.9', id: A, active: ['10.1.1.5:1'], inactive: ['10.1.1.6:4'],
        why: 'no group-3 instance: the first fallback row holding 3 (north = {3,1}) gives group 1'},
      {caller: '10.4.4.4', id: A, active: ['10.3.3.3:3'], inactive: [],
        why: 'group 4 is in no fallback row: the instances with grouping disabled'},
      {caller: '10.9.9.9', id: A, active: ['10.1.1.5:1', '10.2.2.1:2', '10.3.3.3:3'], inactive: ['10.1.1.6:4'],
        why: 'the caller\'s IP has no group: everything'},
      {caller: '10.1.1.100', id: B, active: ['10.2.2.2:5'], inactive: [],
        why: 'no group-1 instance: the south row {1,2} gives group 2'},
      {caller: '10.3.3.9', id: B, active: ['10.2.2.2:5'], inactive: [],
        why: 'nothing by group, fallback or disabled grouping: everything'},
      {caller: '10.1.1.100', id: NONE, active: [], inactive: [], why: 'unknown object'},
    ];
    for (const c of cases) {
      it(`${c.caller} asking ${c.id}: ${c.why}`, () => {
        const expected = {ret: 0, active: c.active, inactive: c.inactive};
        expect(brief(query.findObjectByIdInSameGroup(c.id, from(c.caller)))).to.deep.equal(expected);
        expect(brief(query.findObjectById4All(c.id, from(c.caller)))).to.deep.equal(expected);
      });
    }

    it('groups a caller by the node_name it sends, before its socket address (official Current::getHostName)', () => {
      const ctx = ctxFrom('10.9.9.9', {node_name: '10.2.2.2'});
      expect(callerHost(ctx)).to.equal('10.2.2.2');
      expect(brief(query.findObjectByIdInSameGroup(A, ctx)).active).to.deep.equal(['10.2.2.1:2']);
    });

    it('reads an IPv4-mapped IPv6 peer address as its IPv4 form', () => {
      expect(callerHost(ctxFrom('::ffff:10.2.2.2'))).to.equal('10.2.2.2');
      expect(callerHost(ctxFrom(undefined))).to.equal('');
    });
  });

  describe('findObjectByIdInSameStation (physical group of the station\'s first row)', () => {
    it('lists the endpoints whose grouprealid is in the station\'s groups, grouping enabled or not', () => {
      expect(brief(query.findObjectByIdInSameStation(A, 'south'))).to.deep.equal(
        {ret: 0, active: ['10.1.1.5:1', '10.2.2.1:2'], inactive: ['10.1.1.6:4']});
      expect(brief(query.findObjectByIdInSameStation(A, 'north'))).to.deep.equal(
        {ret: 0, active: ['10.1.1.5:1', '10.3.3.3:3'], inactive: ['10.1.1.6:4']});
    });

    it('answers -1 for an unknown station, and ret 0 with empty lists for an unknown object', () => {
      expect(brief(query.findObjectByIdInSameStation(A, 'mars'))).to.deep.equal(
        {ret: -1, active: [], inactive: []});
      expect(brief(query.findObjectByIdInSameStation(NONE, 'south'))).to.deep.equal(
        {ret: 0, active: [], inactive: []});
    });
  });

  describe('findObjectByIdInSameSet', () => {
    const cases: {setId: string; ret: number; active: string[]; inactive: string[]; why: string}[] = [
      {setId: 'mtt.sz.1', ret: 0, active: ['10.5.0.1:11'], inactive: [], why: 'the exact set'},
      {setId: 'mtt.sz.3', ret: 0, active: ['10.5.0.3:13'], inactive: [],
        why: 'no instance in group 3: those of the wildcard group mtt.sz.*'},
      {setId: 'mtt.sz.*', ret: 0, active: ['10.5.0.1:11', '10.5.0.2:12', '10.5.0.3:13'], inactive: [],
        why: 'group *: every instance of area mtt.sz'},
      {setId: 'mtt.sh.1', ret: 0, active: [], inactive: ['10.5.0.4:14'], why: 'an inactive instance counts as found'},
      {setId: 'mtt.sh.2', ret: -1, active: [], inactive: [], why: 'the set name exists but nothing in the area'},
      {setId: 'other.sz.1', ret: 0,
        active: ['10.5.0.1:11', '10.5.0.2:12', '10.5.0.3:13', '10.5.0.5:15', '10.5.0.6:16'], inactive: ['10.5.0.4:14'],
        why: 'not deployed in set "other": the group rule (no group here: everything)'},
      {setId: 'mtt.sz', ret: -1, active: [], inactive: [], why: 'two parts'},
      {setId: 'mtt.sz.1.x', ret: -1, active: [], inactive: [], why: 'four parts'},
      {setId: '*.sz.1', ret: -1, active: [], inactive: [], why: 'wildcard name'},
      {setId: 'mtt.*.1', ret: -1, active: [], inactive: [], why: 'wildcard area'},
      {setId: 'mtt..sz.1', ret: 0, active: ['10.5.0.1:11'], inactive: [],
        why: 'empty parts are dropped before counting, as the official sepstr does'},
    ];
    for (const c of cases) {
      it(`${c.setId}: ${c.why}`, () => {
        expect(brief(query.findObjectByIdInSameSet(C, c.setId, from('10.9.9.9')))).to.deep.equal(
          {ret: c.ret, active: c.active, inactive: c.inactive});
      });
    }

    it('falls back to the caller\'s group for an object with no set deployment at all', () => {
      expect(brief(query.findObjectByIdInSameSet(A, 'mtt.sz.1', from('10.2.2.2')))).to.deep.equal(
        {ret: 0, active: ['10.2.2.1:2'], inactive: []});
      expect(brief(query.findObjectByIdInSameSet(NONE, 'mtt.sz.1', from('10.2.2.2')))).to.deep.equal(
        {ret: 0, active: [], inactive: []});
    });
  });

  describe('the functions open-source tarsregistry does not implement', () => {
    it('answer -1', () => {
      expect(query.findObjectNodeName()).to.deep.equal({ret: -1, nodeName: []});
      expect(query.registerChange()).to.deep.equal({ret: -1});
      expect(query.registerQuery()).to.deep.equal({ret: -1});
      expect(query.getLocker()).to.deep.equal({ret: -1});
    });
  });

  describe('the endpoints themselves', () => {
    it('carry the endpoint options, the set id, the groups and the node name as EndpointF', () => {
      const r = rowsOf([
        instance('X.Y.TcpObj', '10.1.1.7', 7, {enableGroup: true, enableSet: true, setName: 'a', setArea: 'b',
          setGroup: 'c'}, {endpoint: 'tcp -h 10.1.1.7 -p 7 -t 5000 -w 30 -v 1 -e 1 -g 9 -q 4'}),
        instance('X.Y.UdpObj', '10.2.2.1', 8, {}, {endpoint: 'udp -h 10.2.2.1 -p 8'}),
        instance('X.Y.SslObj', '10.1.1.8', 9, {ipGroupName: 'bj'}, {endpoint: 'ssl -h 10.1.1.8 -p 9 -v 2'}),
      ], GROUPS);
      const s = RegistrySnapshot.build(r, {now: 0});
      expect(s.findObjectById('X.Y.TcpObj')).to.deep.equal([{host: '10.1.1.7', port: 7, timeout: 5000, istcp: 1,
        grid: 0, groupworkid: 1, grouprealid: 1, setId: 'a.b.c', qos: 0, bakFlag: 0, weight: 30, weightType: 1,
        authType: 1, nodeName: '10.1.1.7'}]);
      expect(s.findObjectById('X.Y.UdpObj')[0]).to.include({istcp: 0, timeout: 3000, groupworkid: -1,
        grouprealid: 2, weight: -1, weightType: 0, setId: ''});
      // ip_group_name names the physical group, whatever the IP says; the weight of a weighted endpoint defaults
      // to 100.
      expect(s.findObjectById('X.Y.SslObj')[0]).to.include({istcp: 2, grouprealid: 3, groupworkid: -1, weight: 100,
        weightType: 2});
    });

    it('leaves out standbys and unparsable endpoints, and lists flow-off or stopped instances as inactive', () => {
      const r = rowsOf([
        instance('X.Y.Obj', '10.0.0.1', 1),
        instance('X.Y.Obj', '10.0.0.2', 2, {bakFlag: 1}),
        instance('X.Y.Obj', '10.0.0.3', 3, {}, {endpoint: 'carrier-pigeon -h nowhere'}),
        instance('X.Y.Obj', '10.0.0.4', 4, {flowState: 'inactive'}),
        instance('X.Y.Obj', '10.0.0.5', 5, {settingState: 'inactive'}),
        instance('X.Y.Obj', '10.0.0.6', 6, {presentState: 'activating'}),
      ]);
      expect(brief(RegistrySnapshot.build(r, {now: 0}).findAll('X.Y.Obj'))).to.deep.equal({ret: 0,
        active: ['10.0.0.1:1'], inactive: ['10.0.0.4:4', '10.0.0.5:5', '10.0.0.6:6']});
    });

    it('lists an adapter bound to every address (0.0.0.0) at its node\'s address, grouped by it', () => {
      const r = rowsOf([instance('X.Y.Obj', '10.1.1.7', 7, {enableGroup: true}, {endpoint: 'tcp -h 0.0.0.0 -p 7'})],
        GROUPS);
      expect(RegistrySnapshot.build(r, {now: 0}).findObjectById('X.Y.Obj')[0]).to.include({host: '10.1.1.7', port: 7,
        grouprealid: 1, groupworkid: 1});
      // A node that itself registered a wildcard address gives nothing better: the endpoint stays as it is.
      const odd = {...r, nodes: r.nodes.map((n) => ({...n, endpointIp: '0.0.0.0'}))};
      expect(RegistrySnapshot.build(odd, {now: 0}).findObjectById('X.Y.Obj')[0]).to.include({host: '0.0.0.0'});
    });

    it('serves static endpoints by their own present state, with no node behind them', () => {
      const s = RegistrySnapshot.build(rowsOf([], {staticEndpoints: [
        {servant: 'tars.tarsregistry.QueryObj', endpoint: 'tcp -h 10.0.0.9 -p 17890', presentState: 'active',
          enableGroup: false, ipGroupName: '', setId: '', owner: 'r1'},
        {servant: 'tars.tarsregistry.QueryObj', endpoint: 'tcp -h 10.0.0.8 -p 17890', presentState: 'inactive',
          enableGroup: false, ipGroupName: '', setId: '', owner: 'r2'},
      ]}), {now: 10 ** 12});
      expect(brief(s.findAll('tars.tarsregistry.QueryObj'))).to.deep.equal({ret: 0, active: ['10.0.0.9:17890'],
        inactive: ['10.0.0.8:17890']});
    });

    it('hands out lists the caller may change without touching the snapshot', () => {
      const first = query.findObjectById(A).ret;
      first.length = 0;
      expect(query.findObjectById(A).ret).to.have.length(3);
      expect(Object.isFrozen(query.findObjectById(A).ret[0])).to.equal(true);
    });

    it('hands out fresh lists from the group answers it remembers, for every caller of the group', () => {
      // The group-priority answer is computed once per (object, caller group): emptying one caller's lists must not
      // empty the next one's, whichever IP of the group asks.
      const first = query.findObjectByIdInSameGroup(A, from('10.1.1.100'));
      first.activeEp.length = 0;
      first.inactiveEp.length = 0;
      expect(brief(query.findObjectByIdInSameGroup(A, from('10.1.1.101')))).to.deep.equal({ret: 0,
        active: ['10.1.1.5:1'], inactive: ['10.1.1.6:4']});
      const fallback = query.findObjectByIdInSameGroup(B, from('10.3.3.9'));
      fallback.activeEp.length = 0;
      expect(brief(query.findObjectByIdInSameGroup(B, from('10.3.3.10'))).active).to.deep.equal(['10.2.2.2:5']);
    });
  });
});
