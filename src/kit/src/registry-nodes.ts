// The nodes a registry knows, as `tars registry nodes` and `tars node list` both show them: one shape for --json
// and one table, so that the two commands (in two plugins, which may not import each other) cannot drift apart.
import type {RegistryCtl} from '@tars-ts/core/framework';

import {renderTable} from './table.js';

/** `--json` of a node list. */
export interface NodesJson {
  nodes: {name: string; nodeObj: string; alive: boolean; lastHeartbeat: string; load: [number, number, number];
    servers: number; version: string}[];
}

/** The nodes of RegistryCtl.listNodes as the commands' JSON. */
export function nodesJson(nodes: readonly RegistryCtl.RegistryNode[]): NodesJson {
  return {nodes: nodes.map((n) => ({name: n.name, nodeObj: n.nodeObj, alive: n.alive,
    lastHeartbeat: new Date(Number(n.lastHeartbeat)).toISOString(), load: [n.load1, n.load5, n.load15],
    servers: n.servers, version: n.version}))};
}

/**
 * The readable form: a table (boxed on a terminal, plain columns in a pipe; `tty` overrides the guess), or a
 * sentence when there is no node.
 */
export async function nodesText(json: NodesJson, now = Date.now(), tty?: boolean): Promise<string> {
  if (json.nodes.length === 0) return 'no node has registered';
  return renderTable(['NODE', 'STATE', 'LAST HEART-BEAT', 'LOAD 1/5/15', 'SERVERS', 'VERSION', 'NODEOBJ'],
    json.nodes.map((n) => [n.name, n.alive ? 'alive' : 'silent',
      `${Math.max(0, Math.round((now - Date.parse(n.lastHeartbeat)) / 1000))} s ago`,
      n.load.map((l) => l.toFixed(2)).join(' '), String(n.servers), n.version || '-', n.nodeObj]), tty);
}
