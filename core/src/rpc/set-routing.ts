import type {Endpoint} from '../protocol/endpoint.js';

/** A SET id `name.area.group` split into its parts; `group` may be `*`. */
export interface SetId {
  readonly name: string;
  readonly area: string;
  readonly group: string;
}

/** Parses `name.area.group`; undefined for anything else (TarsCpp and the registry insist on three parts). */
export function parseSetId(text: string | undefined): SetId | undefined {
  if (!text) return undefined;
  const parts = text.split('.');
  if (parts.length !== 3 || parts.some((p) => p === '')) return undefined;
  return {name: parts[0]!, area: parts[1]!, group: parts[2]!};
}

/**
 * The endpoints a client in SET `clientSet` may call (framework.md 5.3, the registry's findObjectByIdInSameSet
 * applied on the client to whatever list it holds):
 * - no set-enabled endpoint in the client's set *name*: the set rule does not apply, every endpoint is eligible
 *   (the IDC group rule, which the registry already applied);
 * - client group `*`: every endpoint of `name.area`, any group;
 * - else the exact `name.area.group`; failing that, endpoints registered in the wildcard group `name.area.*`;
 * - failing that: none (the caller reports that no endpoint of its set exists).
 */
export function selectBySet(endpoints: readonly Endpoint[], clientSet: SetId): Endpoint[] {
  const inName = endpoints.filter((e) => parseSetId(e.setId)?.name === clientSet.name);
  if (inName.length === 0) return [...endpoints];
  const area = inName.filter((e) => parseSetId(e.setId)!.area === clientSet.area);
  if (clientSet.group === '*') return area;
  const exact = area.filter((e) => parseSetId(e.setId)!.group === clientSet.group);
  if (exact.length > 0) return exact;
  return area.filter((e) => parseSetId(e.setId)!.group === '*');
}

/**
 * The server side of the SET check (TarsCpp `checkset`): a server in SET `own` accepts a set-routed call from
 * `caller` when the ids are equal, share `name.area`, or the set names differ; a call from the same set name but
 * another area is refused (-11 TARSINVOKEBYINVALIDESET).
 */
export function acceptsSetCall(own: SetId, caller: SetId): boolean {
  if (caller.name !== own.name) return true;
  return caller.area === own.area;
}
