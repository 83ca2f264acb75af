// `tars route`'s explanation, from data (no cluster): the IDC group rule with its fallbacks, the SET rule, blocked
// endpoints left to the balancer's rotation, hashing that keeps a key on one endpoint, and the cases with nothing left.
import {expect} from 'chai';

import {endpointKey, parseEndpoint} from '@tars-ts/core';

import {type IdcRules, type ListedEndpoint, type Probe, explainRoute, groupOfIp, routeLines} from '../../src/lib/route.js';

const NO_RULES: IdcRules = {groups: [], priorities: []};

/** An endpoint row: port, active, group, set. */
function ep(port: number, options: {active?: boolean; group?: number; set?: string; host?: string; weight?: number} = {}):
  ListedEndpoint {
  const w = options.weight === undefined ? '' : ` -w ${options.weight} -v 1`;
  const parsed = parseEndpoint(`tcp -h ${options.host ?? '10.0.0.1'} -p ${port} -t 3000${w}`);
  return {endpoint: options.set ? {...parsed, setId: options.set} : parsed,
    active: options.active ?? true, node: 'n1', group: options.group ?? -1, setId: options.set ?? ''};
}

/** The key the runtime files an endpoint under. */
const key = (port: number) => endpointKey(ep(port).endpoint);
const text = (port: number, host = '10.0.0.1') => `tcp -h ${host} -p ${port} -t 3000`;
const verdicts = (r: Awaited<ReturnType<typeof explainRoute>>) =>
  Object.fromEntries(r.endpoints.map((e) => [Number(/-p (\d+)/.exec(e.endpoint)![1]), e.verdict]));

describe('tars route: the explanation', () => {
  const rules: IdcRules = {
    groups: [{groupId: 1, name: 'sz', ipRule: '10.0.1.*'}, {groupId: 2, name: 'sh', ipRule: '10.0.2.*|10.0.9.9'},
      {groupId: 3, name: 'bj', ipRule: '10.0.3.*'}],
    priorities: [{id: 'p1', order: 1, groupList: '3|2'}],
  };

  it('a caller\'s IDC group comes from an exact IP entry before its /24 entry; no entry is -1', () => {
    expect(groupOfIp(rules, '10.0.1.7')).to.equal(1);
    expect(groupOfIp(rules, '10.0.9.9')).to.equal(2);
    expect(groupOfIp(rules, '10.0.4.1')).to.equal(-1);
    expect(groupOfIp(rules, 'node-a')).to.equal(-1);
  });

  it('--from-ip: the caller\'s own group first; without one in it, the first fallback row holding its group; ' +
    'else the ungrouped endpoints; else every one', async () => {
    const all = [ep(1, {group: 1}), ep(2, {group: 2}), ep(3, {group: -1})];
    const own = await explainRoute({obj: 'A.B.C', all, fromIp: '10.0.1.5', rules, probes: new Map()});
    expect(verdicts(own)).to.deep.equal({1: 'candidate', 2: 'other-group', 3: 'other-group'});
    expect(own.query).to.include({function: 'findObjectByIdInSameGroup', callerGroup: 1});
    const fallback = await explainRoute({obj: 'A.B.C', all, fromIp: '10.0.3.5', rules, probes: new Map()});
    expect(verdicts(fallback)).to.deep.equal({1: 'other-group', 2: 'candidate', 3: 'other-group'});
    expect(fallback.query.rule).to.match(/fallback row p1/);
    const ungrouped = await explainRoute({obj: 'A.B.C', all: [ep(1, {group: 1}), ep(3)], fromIp: '10.0.2.5', rules,
      probes: new Map()});
    expect(verdicts(ungrouped)).to.deep.equal({1: 'other-group', 3: 'candidate'});
    const none = await explainRoute({obj: 'A.B.C', all, fromIp: '10.0.4.4', rules, probes: new Map()});
    expect(Object.values(verdicts(none))).to.deep.equal(['candidate', 'candidate', 'candidate']);
  });

  it('without --from-ip the registry\'s own answer decides; inactive endpoints are never candidates', async () => {
    const all = [ep(1), ep(2), ep(3, {active: false})];
    const r = await explainRoute({obj: 'A.B.C', all, registryAnswer: [key(2)], rules: NO_RULES,
      probes: new Map()});
    expect(r.query.caller).to.equal('this host');
    expect(r.endpoints.find((e) => e.endpoint === text(3))!.verdict).to.equal('inactive');
    expect(verdicts(r)).to.deep.equal({1: 'other-group', 2: 'candidate', 3: 'inactive'});
    expect(r.pick).to.equal(text(2));
  });

  it('--set: the SET\'s own group, else its wildcard group; group * takes the whole area; an object with no ' +
    'instance in the SET name falls back to the group rule', async () => {
    const all = [ep(1, {set: 'sz.a.1'}), ep(2, {set: 'sz.a.*'}), ep(3, {set: 'sz.b.1'}), ep(4)];
    const exact = await explainRoute({obj: 'A.B.C', all, set: 'sz.a.1', fromIp: '', rules: NO_RULES, probes: new Map()});
    expect(verdicts(exact)).to.deep.equal({1: 'candidate', 2: 'other-set', 3: 'other-set', 4: 'other-set'});
    expect(exact.query.function).to.equal('findObjectByIdInSameSet');
    const wildcard = await explainRoute({obj: 'A.B.C', all, set: 'sz.a.2', fromIp: '', rules: NO_RULES, probes: new Map()});
    expect(verdicts(wildcard)).to.deep.equal({1: 'other-set', 2: 'candidate', 3: 'other-set', 4: 'other-set'});
    const area = await explainRoute({obj: 'A.B.C', all, set: 'sz.a.*', fromIp: '', rules: NO_RULES, probes: new Map()});
    expect(verdicts(area)).to.deep.equal({1: 'candidate', 2: 'candidate', 3: 'other-set', 4: 'other-set'});
    const elsewhere = await explainRoute({obj: 'A.B.C', all, set: 'gz.a.1', fromIp: '', rules: NO_RULES, probes: new Map()});
    expect(Object.values(verdicts(elsewhere)).every((v) => v === 'candidate')).to.equal(true);
    expect(elsewhere.query.rule).to.match(/no instance is in SET gz/);
  });

  it('an endpoint that fails its ping is blocked by the endpoint manager and the rotation goes around it', async () => {
    const probes = new Map<string, Probe>([[key(2), {error: '-7 TARSINVOKETIMEOUT', code: -7}],
      [key(1), {ms: 0.5}], [key(3), {ms: 0.7}]]);
    const r = await explainRoute({obj: 'A.B.C', all: [ep(1), ep(2), ep(3)], fromIp: '', rules: NO_RULES, probes});
    expect(verdicts(r)).to.deep.equal({1: 'candidate', 2: 'blocked', 3: 'candidate'});
    expect(r.balancer).to.equal('round-robin');
    expect(r.rotation).to.have.members([text(1), text(3)]);
    expect(r.reason).to.match(/over 2 usable endpoint/);
  });

  it('every endpoint blocked: one is tried anyway; nothing left after the rules: no pick and -10 named', async () => {
    const down: Probe = {error: '-8 TARSPROXYCONNECTERR', code: -8};
    const blocked = await explainRoute({obj: 'A.B.C', all: [ep(1), ep(2)], fromIp: '', rules: NO_RULES,
      probes: new Map([[key(1), down], [key(2), down]])});
    expect(blocked.pick).to.be.a('string');
    expect(blocked.reason).to.match(/every endpoint is blocked/);
    const empty = await explainRoute({obj: 'A.B.C', all: [ep(1, {active: false})], fromIp: '', rules: NO_RULES,
      probes: new Map()});
    expect(empty.pick).to.equal(null);
    expect(empty.reason).to.match(/TARSADAPTERNULL/);
  });

  it('--hash: the same key always picks the same endpoint, and keys spread over the endpoints', async () => {
    const all = [ep(1), ep(2), ep(3), ep(4)];
    const route = (key: string, type: 'modulo' | 'consistent' = 'modulo') => explainRoute({obj: 'A.B.C', all, fromIp: '',
      rules: NO_RULES, probes: new Map(), hash: {key, type}});
    const first = await route('user-42');
    expect((await route('user-42')).pick).to.equal(first.pick);
    expect(first.hash).to.include({key: 'user-42', type: 'modulo'});
    const picks = new Set<string | null>();
    for (let i = 0; i < 40; i++) picks.add((await route(`user-${i}`)).pick);
    expect(picks.size).to.equal(4);
    const ring = await route('user-42', 'consistent');
    expect((await route('user-42', 'consistent')).pick).to.equal(ring.pick);
    expect(ring.reason).to.match(/consistent hash ring/);
  });

  it('endpoints weighted with -w are picked by the weighted rule', async () => {
    const r = await explainRoute({obj: 'A.B.C', all: [ep(1, {weight: 90}), ep(2, {weight: 10})], fromIp: '',
      rules: NO_RULES, probes: new Map()});
    expect(r.balancer).to.equal('weighted');
    expect(r.reason).to.match(/^weighted/);
  });

  it('the text names each step and each endpoint\'s verdict', async () => {
    const r = await explainRoute({obj: 'A.B.C', all: [ep(1), ep(2, {active: false})], fromIp: '10.0.1.5', rules,
      probes: new Map([[key(1), {ms: 0.25}]])});
    const lines = routeLines(r);
    expect(lines[0]).to.equal('route A.B.C');
    expect(lines.join('\n')).to.match(/1\. registry {2}findObjectByIdInSameGroup for 10\.0\.1\.5 \(IDC group 1\)/);
    expect(lines.join('\n')).to.match(/CANDIDATE .*ping 0\.25 ms/);
    expect(lines.join('\n')).to.match(/INACTIVE/);
    expect(lines.join('\n')).to.match(/4\. pick {6}tcp -h 10\.0\.0\.1 -p 1 -t 3000/);
  });
});
