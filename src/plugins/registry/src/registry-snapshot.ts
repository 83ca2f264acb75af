// The registry's answer table: an immutable index object name -> endpoints, built from rows at one instant, that
// answers every QueryF lookup as the official tarsregistry answers it from its object cache. Lookups read one
// map entry (and the caller's group); nothing scans all objects and nothing reaches a store.
import {type Endpoint, isWildcardHost, parseEndpoint} from '@tars-ts/core';
import type {EndpointF as EndpointFFile} from '@tars-ts/core/framework';

import {IdcGroups} from './idc-groups.js';
import {type RegistryRows, type ServerRow, serverKeyOf} from './rows.js';

type EndpointF = EndpointFFile.EndpointF;

/** Node heart-beat timeout when none is configured: `/tars/reap<nodeTimeout>` 250 s (framework.md 2.1). */
export const DEFAULT_NODE_TIMEOUT_MS = 250_000;
/** The official floor of the node timeout (15 s). */
export const MIN_NODE_TIMEOUT_MS = 15_000;

/** Options of {@link RegistrySnapshot.build}. */
export interface SnapshotOptions {
  /** The instant the snapshot describes (ms since the epoch): node liveness is judged at it. */
  readonly now: number;
  /** A node silent for longer than this makes its servers' endpoints inactive; clamped to at least 15 s. */
  readonly nodeTimeoutMs?: number;
}

/** The two lists every QueryF lookup returns. */
export interface EndpointLists {
  readonly activeEp: EndpointF[];
  readonly inactiveEp: EndpointF[];
}

/** A QueryF answer with its return code. */
export interface QueryAnswer extends EndpointLists {
  readonly ret: number;
}

interface SetMember {
  readonly setId: string;
  readonly setArea: string;
  readonly active: boolean;
  readonly ep: Readonly<EndpointF>;
}

interface ObjectEntry {
  readonly active: readonly Readonly<EndpointF>[];
  readonly inactive: readonly Readonly<EndpointF>[];
}

/** How many callers' groups a snapshot remembers: callers name themselves (context node_name), so it is bounded. */
const CALLER_CACHE = 4096;

const ISTCP: Record<Endpoint['protocol'], number> = {udp: 0, tcp: 1, ssl: 2};

/** Fresh arrays of the given (frozen) endpoints: callers own the lists, never the cached endpoints. */
function lists(active: readonly Readonly<EndpointF>[], inactive: readonly Readonly<EndpointF>[]): EndpointLists {
  return {activeEp: active.slice() as EndpointF[], inactiveEp: inactive.slice() as EndpointF[]};
}

/**
 * An immutable QueryF index built from {@link RegistryRows} at one instant. Build a new one whenever the rows change
 * or time passes {@link staleAfter} (a node's heart-beat then runs out); never mutate one.
 *
 * What makes an endpoint active (official loadObjectIdCache, plus node liveness): its server's setting state and
 * present state are both 'active', its flow state is not 'inactive', and its node (when the node has a row) has
 * heart-beaten within the node timeout. Standby instances (bakFlag 1) are left out entirely; endpoints whose text
 * does not parse are skipped.
 */
export class RegistrySnapshot {
  private constructor(
    private readonly objects: ReadonlyMap<string, ObjectEntry>,
    private readonly sets: ReadonlyMap<string, ReadonlyMap<string, readonly SetMember[]>>,
    /** The IDC group tables the snapshot was built with. */
    readonly groups: IdcGroups,
    /** The instant it describes. */
    readonly builtAt: number,
    /**
     * The first instant at which a node that was alive at {@link builtAt} has timed out: from then on the snapshot
     * is stale even if no row changed. Infinity when no live node can time out.
     */
    readonly staleAfter: number,
    /** Names of the nodes alive at {@link builtAt}. */
    readonly liveNodes: ReadonlySet<string>,
  ) {}

  /** Group-priority answers computed so far: caller group -> object name -> lists (the snapshot never changes). */
  private readonly groupAnswers = new Map<number, Map<string, ObjectEntry>>();
  /** Callers' groups looked up so far (at most {@link CALLER_CACHE}). */
  private readonly callerGroups = new Map<string, number>();

  /** The snapshot of `rows` at `options.now`. Pure: the same rows and instant give the same answers. */
  static build(rows: RegistryRows, options: SnapshotOptions): RegistrySnapshot {
    const timeout = Math.max(options.nodeTimeoutMs ?? DEFAULT_NODE_TIMEOUT_MS, MIN_NODE_TIMEOUT_MS);
    const now = options.now;
    const groups = IdcGroups.of(rows.groupRules, rows.groupPriorities);

    // Official checkNodeTimeout marks nodes whose last_heartbeat < now - timeout; the same test here means a lookup
    // between two reaper ticks already sees the node as dead.
    const liveNodes = new Set<string>();
    const deadNodes = new Set<string>();
    let staleAfter = Infinity;
    for (const node of rows.nodes) {
      if (node.presentState === 'active' && node.lastHeartbeat >= now - timeout) {
        liveNodes.add(node.nodeName);
        staleAfter = Math.min(staleAfter, node.lastHeartbeat + timeout);
      } else {
        deadNodes.add(node.nodeName);
      }
    }

    const servers = new Map<string, ServerRow>();
    for (const s of rows.servers) servers.set(serverKeyOf(s), s);

    const active = new Map<string, Readonly<EndpointF>[]>();
    const inactive = new Map<string, Readonly<EndpointF>[]>();
    const sets = new Map<string, Map<string, SetMember[]>>();
    const push = (map: Map<string, Readonly<EndpointF>[]>, servant: string, ep: Readonly<EndpointF>): void => {
      const list = map.get(servant);
      if (list) list.push(ep);
      else map.set(servant, [ep]);
    };

    // An adapter bound to every address (0.0.0.0) is listed at its node's address, so that other hosts can dial it.
    const nodeIps = new Map<string, string>();
    for (const node of rows.nodes) {
      if (node.endpointIp && !isWildcardHost(node.endpointIp)) nodeIps.set(node.nodeName, node.endpointIp);
    }
    const endpointF = (text: string, enableGroup: boolean, ipGroupName: string, nodeName: string, setId: string):
      Readonly<EndpointF> | undefined => {
      let ep: Endpoint;
      try {
        ep = parseEndpoint(text);
      } catch {
        return undefined; // official: an endpoint that does not parse is logged and skipped
      }
      if (isWildcardHost(ep.host) && nodeIps.has(nodeName)) ep = {...ep, host: nodeIps.get(nodeName)!};
      const grouprealid = ipGroupName === '' ? groups.groupOfIp(ep.host) : groups.groupOfName(ipGroupName);
      // grid and qos stay 0: the official cache fills neither from the endpoint text.
      return Object.freeze({
        host: ep.host, port: ep.port, timeout: ep.timeout, istcp: ISTCP[ep.protocol], grid: 0,
        groupworkid: enableGroup ? grouprealid : -1, grouprealid, setId, qos: 0, bakFlag: 0, weight: ep.weight,
        weightType: ep.weightType, authType: ep.authType, nodeName,
      });
    };

    // Set index: only instances with a complete set id whose name and area are not the wildcard.
    const indexSet = (servant: string, [name, area, group]: readonly string[], isActive: boolean,
      ep: Readonly<EndpointF>): void => {
      if (!name || !area || !group || name === '*' || area === '*') return;
      let byName = sets.get(servant);
      if (!byName) sets.set(servant, byName = new Map());
      let members = byName.get(name);
      if (!members) byName.set(name, members = []);
      members.push(Object.freeze({setId: `${name}.${area}.${group}`, setArea: `${name}.${area}`, active: isActive, ep}));
    };
    for (const adapter of rows.adapters) {
      const server = servers.get(serverKeyOf(adapter));
      if (!server || server.bakFlag === 1) continue; // official: right join on t_server_conf; standbys never served
      const setId = server.enableSet ? `${server.setName}.${server.setArea}.${server.setGroup}` : '';
      const ep = endpointF(adapter.endpoint, server.enableGroup, server.ipGroupName.trim(), server.nodeName.trim(),
        setId);
      if (!ep) continue;
      const isActive = server.settingState === 'active' && server.presentState === 'active' &&
        server.flowState !== 'inactive' && !deadNodes.has(server.nodeName);
      push(isActive ? active : inactive, adapter.servant, ep);
      if (server.enableSet) indexSet(adapter.servant, [server.setName, server.setArea, server.setGroup], isActive, ep);
    }
    for (const row of rows.staticEndpoints) {
      const ep = endpointF(row.endpoint, row.enableGroup, row.ipGroupName.trim(), '', row.setId);
      if (!ep) continue;
      const isActive = row.presentState === 'active';
      push(isActive ? active : inactive, row.servant, ep);
      if (row.setId) indexSet(row.servant, row.setId.split('.'), isActive, ep);
    }

    const objects = new Map<string, ObjectEntry>();
    for (const servant of new Set([...active.keys(), ...inactive.keys()])) {
      objects.set(servant, Object.freeze({
        active: Object.freeze(active.get(servant) ?? []), inactive: Object.freeze(inactive.get(servant) ?? []),
      }));
    }
    const frozenSets = new Map<string, ReadonlyMap<string, readonly SetMember[]>>();
    for (const [servant, byName] of sets) {
      frozenSets.set(servant, new Map([...byName].map(([name, members]) => [name, Object.freeze(members)])));
    }
    return new RegistrySnapshot(objects, frozenSets, groups, now, staleAfter, liveNodes);
  }

  /**
   * This snapshot with the heart-beat deadlines of `rows` (where only live nodes' heart-beats moved on): the same
   * answers, a later {@link staleAfter}. What a heart-beat of a live node changes, at the cost of one pass over the
   * nodes instead of a rebuild of every object.
   */
  withHeartbeats(rows: RegistryRows, nodeTimeoutMs: number): RegistrySnapshot {
    const timeout = Math.max(nodeTimeoutMs, MIN_NODE_TIMEOUT_MS);
    let staleAfter = Infinity;
    for (const node of rows.nodes) {
      if (this.liveNodes.has(node.nodeName)) staleAfter = Math.min(staleAfter, node.lastHeartbeat + timeout);
    }
    return new RegistrySnapshot(this.objects, this.sets, this.groups, this.builtAt, staleAfter, this.liveNodes);
  }

  /** True when `now` is past a live node's heart-beat deadline: the answers would differ from a fresh build. */
  isStaleAt(now: number): boolean {
    return now > this.staleAfter;
  }

  /** Object names with at least one endpoint. */
  get objectNames(): readonly string[] {
    return [...this.objects.keys()];
  }

  /** QueryF.findObjectById: the active endpoints only, no grouping; empty for an unknown object. */
  findObjectById(id: string): EndpointF[] {
    return (this.objects.get(id)?.active.slice() ?? []) as EndpointF[];
  }

  /**
   * Every endpoint, active and inactive, with no group filtering (official findObjectById4All in the DB layer,
   * which QueryF.findObjectById4**Any** calls: the IDL names are swapped). Always ret 0.
   */
  findAll(id: string): QueryAnswer {
    const entry = this.objects.get(id);
    return {ret: 0, ...(entry ? lists(entry.active, entry.inactive) : lists([], []))};
  }

  /**
   * IDC group-priority lookup for a caller at `callerHost` (an IP, or the node name the caller sent): what
   * QueryF.findObjectByIdInSameGroup and QueryF.findObjectById4All answer. Caller in no group: everything. Else the
   * first of these whose active list is not empty, the inactive list filtered by the same rule: (1) endpoints whose
   * groupworkid is the caller's group; (2) each fallback row containing the caller's group, in order, its groups;
   * (3) endpoints with grouping disabled (groupworkid -1); (4) everything. Always ret 0.
   */
  findInGroupPriority(id: string, callerHost: string): QueryAnswer {
    const callerGroup = this.callerGroupOf(callerHost);
    if (callerGroup === -1) return this.findAll(id);
    const entry = this.objects.get(id);
    if (!entry) return {ret: 0, ...lists([], [])};
    // The answer depends only on the object and the caller's group: computed once per pair, as every client of a
    // group asks for the same few objects again and again (the bench: 3 µs of filtering and Sets per lookup).
    let byId = this.groupAnswers.get(callerGroup);
    if (!byId) this.groupAnswers.set(callerGroup, byId = new Map());
    let answer = byId.get(id);
    if (!answer) byId.set(id, answer = this.groupPriority(entry, callerGroup));
    return {ret: 0, ...lists(answer.active, answer.inactive)};
  }

  /** The group of a caller, remembered for up to {@link CALLER_CACHE} callers (their names are the callers' to pick). */
  private callerGroupOf(callerHost: string): number {
    let group = this.callerGroups.get(callerHost);
    if (group === undefined) {
      group = this.groups.groupOfIp(callerHost);
      if (this.callerGroups.size < CALLER_CACHE) this.callerGroups.set(callerHost, group);
    }
    return group;
  }

  /** {@link findInGroupPriority}'s rule for a caller in group `callerGroup` (not -1). */
  private groupPriority(entry: ObjectEntry, callerGroup: number): ObjectEntry {
    const byWork = (ids: ReadonlySet<number>): [Readonly<EndpointF>[], Readonly<EndpointF>[]] =>
      [entry.active.filter((e) => ids.has(e.groupworkid)), entry.inactive.filter((e) => ids.has(e.groupworkid))];
    let [act, inact] = byWork(new Set([callerGroup]));
    for (const row of this.groups.priorities) {
      if (act.length > 0) break;
      if (!row.groups.has(callerGroup)) continue;
      [act, inact] = byWork(row.groups);
    }
    if (act.length === 0) [act, inact] = byWork(new Set([-1]));
    if (act.length === 0) return entry;
    return Object.freeze({active: Object.freeze(act), inactive: Object.freeze(inact)});
  }

  /**
   * QueryF.findObjectByIdInSameStation: endpoints whose **physical** group (grouprealid) is in the first fallback
   * row of that station. ret -1 (empty lists) when no row has the station; unknown object: empty lists, ret 0.
   */
  findInSameStation(id: string, station: string): QueryAnswer {
    const row = this.groups.station(station);
    if (!row) return {ret: -1, ...lists([], [])};
    const entry = this.objects.get(id);
    if (!entry) return {ret: 0, ...lists([], [])};
    return {
      ret: 0,
      ...lists(entry.active.filter((e) => row.groups.has(e.grouprealid)),
        entry.inactive.filter((e) => row.groups.has(e.grouprealid))),
    };
  }

  /**
   * QueryF.findObjectByIdInSameSet for a caller at `callerHost` asking with set id `setId` (`name.area.group`).
   * ret -1 (empty lists) when the set id has not exactly three non-empty dot parts or its name or area is `*`.
   * When the object has no set instance in set `name`: the group-priority answer (ret 0). Group `*`: every set
   * instance of area `name.area`. Otherwise the instances of exactly `name.area.group`, else those registered in the
   * wildcard group `name.area.*`. Nothing found in the set: ret -1 with empty lists.
   */
  findInSameSet(id: string, setId: string, callerHost: string): QueryAnswer {
    // Official sepstr drops empty parts: "a..b" has two parts and is refused like "a.b".
    const parts = setId.split('.').filter((p) => p !== '');
    if (parts.length !== 3 || parts[0] === '*' || parts[1] === '*') return {ret: -1, ...lists([], [])};
    const [name, area, group] = parts as [string, string, string];
    const members = this.sets.get(id)?.get(name);
    if (!members) return this.findInGroupPriority(id, callerHost); // the object is not deployed in that set
    const pick = (match: (m: SetMember) => boolean): QueryAnswer => {
      const chosen = members.filter(match);
      return {
        ret: chosen.length === 0 ? -1 : 0,
        ...lists(chosen.filter((m) => m.active).map((m) => m.ep), chosen.filter((m) => !m.active).map((m) => m.ep)),
      };
    };
    const setArea = `${name}.${area}`;
    if (group === '*') return pick((m) => m.setArea === setArea);
    const exact = pick((m) => m.setId === `${setArea}.${group}`);
    return exact.ret === 0 ? exact : pick((m) => m.setId === `${setArea}.*`);
  }
}
