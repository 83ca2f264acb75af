import {RegistryClientCommand} from '../../client-command.js';

interface NodesJson {
  nodes: {name: string; nodeObj: string; alive: boolean; lastHeartbeat: string; load: [number, number, number];
    servers: number; version: string}[];
}

export default class RegistryNodes extends RegistryClientCommand {
  static override summary = 'List the nodes with their last heart-beat and load.';
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json'];

  async run(): Promise<NodesJson> {
    const {flags} = await this.parse(RegistryNodes);
    const [{RegistryCtl}, {renderTable}, {REGISTRY_CTL_OBJ}] = await Promise.all([import('@tars-ts/core/framework'),
      import('@tars-ts/kit'), import('../../ctl-servant.js')]);
    const ctl = await this.registry(RegistryCtl.RegistryCtlProxy, flags, REGISTRY_CTL_OBJ);
    const {nodes} = await ctl.listNodes();
    const json: NodesJson = {nodes: nodes.map((n) => ({name: n.name, nodeObj: n.nodeObj, alive: n.alive,
      lastHeartbeat: new Date(Number(n.lastHeartbeat)).toISOString(), load: [n.load1, n.load5, n.load15],
      servers: n.servers, version: n.version}))};
    if (!this.jsonEnabled()) {
      const now = Date.now();
      this.log(json.nodes.length === 0 ? 'no node has registered' : await renderTable(
        ['NODE', 'STATE', 'LAST HEART-BEAT', 'LOAD 1/5/15', 'SERVERS', 'VERSION'], json.nodes.map((n) => [n.name,
          n.alive ? 'alive' : 'silent', `${Math.max(0, Math.round((now - Date.parse(n.lastHeartbeat)) / 1000))} s ago`,
          n.load.map((l) => l.toFixed(2)).join(' '), String(n.servers), n.version || '-'])));
    }
    return json;
  }
}
