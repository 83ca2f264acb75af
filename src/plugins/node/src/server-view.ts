// `tars server list|status`: the registry's rows (setting and present state, endpoints, version) joined with what
// each node says of its processes (pid, uptime, restarts). One shape for --json and one table.
import type {NodeCtl, RegistryCtl} from '@tars-ts/core/framework';
import {renderTable} from '@tars-ts/kit';

/** One server instance in `tars server list|status --json`. */
export interface ServerRowJson {
  server: string;
  node: string;
  /** What the registry wants: active (auto-start) or inactive. */
  setting: string;
  /** What the node last reported to the registry. */
  present: string;
  /** The node's own view now ('' when the node could not be asked). */
  state: string;
  pid: number;
  /** Seconds since the process was started or adopted (0 when not running). */
  uptimeSec: number;
  /** Starts after the first, by this node. */
  restarts: number;
  version: string;
  /** The patch-store version the node runs ('' for a package deployed from a path). */
  release: string;
  endpoints: string[];
  /** The flap limit holds auto-start back until then (ISO time), or ''. */
  blockedUntil: string;
}

export interface ServerListJson {
  servers: ServerRowJson[];
}

const STATE_NAMES = ['inactive', 'activating', 'active', 'deactivating', 'destroying', 'destroyed'];

/** The rows of `deployments`, with each node's managed servers (absent for a node that did not answer). */
export function serverRows(deployments: readonly RegistryCtl.ServerDeployment[],
  managed: ReadonlyMap<string, readonly NodeCtl.ManagedServer[]>, now = Date.now()): ServerListJson {
  return {servers: deployments.map((d) => {
    const m = managed.get(d.nodeName)?.find((s) => s.application === d.application && s.serverName === d.serverName);
    const startedAt = Number(m?.startedAt ?? 0n);
    const blocked = Number(m?.blockedUntil ?? 0n);
    return {server: `${d.application}.${d.serverName}`, node: d.nodeName, setting: d.settingState,
      present: d.presentState, state: m ? STATE_NAMES[m.state] ?? String(m.state) : '', pid: m?.pid ?? d.processId,
      uptimeSec: m && m.pid > 0 && startedAt > 0 ? Math.max(0, Math.round((now - startedAt) / 1000)) : 0,
      restarts: Math.max(0, (m?.starts ?? 0) - 1), version: m?.version || d.version, release: d.patchVersion,
      endpoints: d.adapters.map((a) => `${a.servant.split('.').pop()} ${a.endpoint}`),
      blockedUntil: blocked > now ? new Date(blocked).toISOString() : ''};
  })};
}

function uptime(sec: number): string {
  if (sec <= 0) return '-';
  if (sec < 120) return `${sec}s`;
  if (sec < 7200) return `${Math.floor(sec / 60)}m`;
  if (sec < 172_800) return `${Math.floor(sec / 3600)}h${String(Math.floor(sec % 3600 / 60)).padStart(2, '0')}m`;
  return `${Math.floor(sec / 86_400)}d`;
}

/** The table (or a sentence when nothing is deployed). */
export async function serverTable(json: ServerListJson, tty?: boolean): Promise<string> {
  if (json.servers.length === 0) return 'no server is deployed';
  return renderTable(['SERVER', 'NODE', 'SETTING', 'PRESENT', 'PID', 'UPTIME', 'RESTARTS', 'RELEASE', 'VERSION',
    'ENDPOINTS'],
    json.servers.map((s) => [s.server, s.node, s.setting, s.state && s.state !== s.present
      ? `${s.present} (node: ${s.state})` : s.present + (s.blockedUntil ? ' (flapping: held)' : ''),
    s.pid > 0 ? String(s.pid) : '-', uptime(s.uptimeSec), String(s.restarts), s.release || '-', s.version || '-',
    s.endpoints.join(', ')]), tty);
}
