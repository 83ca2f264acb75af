import {DaemonClientCommand, UserError} from '@tars-ts/kit';

import {nodeDaemon} from '../../daemon.js';

/** The registry's own control servant, resolved by name through the locator. */
const REGISTRY_CTL_OBJ = 'tars.tarsregistry.RegistryCtlObj';

interface NodeListJson {
  nodes: {name: string; nodeObj: string; alive: boolean; lastHeartbeat: string; load: [number, number, number];
    servers: number; version: string}[];
}

export default class NodeList extends DaemonClientCommand {
  static override daemon = nodeDaemon;
  static override summary = 'List the nodes the registry knows, with their last heart-beat and load.';
  static override examples = ['<%= config.bin %> <%= command.id %> --locator "tcp -h 127.0.0.1 -p 17890"',
    '<%= config.bin %> <%= command.id %> --json'];

  async run(): Promise<NodeListJson> {
    const {flags} = await this.parse(NodeList);
    const [{RegistryCtl}, {renderTable}] = await Promise.all([import('@tars-ts/core/framework'),
      import('@tars-ts/kit')]);
    const locator = flags.locator && !flags.locator.includes('@') ? `tars.tarsregistry.QueryObj@${flags.locator}`
      : flags.locator;
    const ctl = await this.connect(RegistryCtl.RegistryCtlProxy, {...flags, locator}, REGISTRY_CTL_OBJ)
      .catch((error: unknown) => {
        // The nodes are the registry's to list: point at the registry, not at a local node's port.
        if (!(error instanceof UserError) || error.code !== 'NO_ENDPOINT') throw error;
        throw new UserError('no registry to ask for the nodes: give --locator, or save a locator', {code: 'NO_ENDPOINT',
          hint: `${this.config.bin} ${this.id?.replaceAll(':', ' ') ?? 'node list'} --locator "tcp -h REGISTRY_HOST ` +
            `-p 17890", or ${this.config.bin} settings set locator "tars.tarsregistry.QueryObj@tcp -h HOST -p 17890"`});
      });
    const {nodes} = await ctl.listNodes();
    const json: NodeListJson = {nodes: nodes.map((n) => ({name: n.name, nodeObj: n.nodeObj, alive: n.alive,
      lastHeartbeat: new Date(Number(n.lastHeartbeat)).toISOString(), load: [n.load1, n.load5, n.load15],
      servers: n.servers, version: n.version}))};
    if (!this.jsonEnabled()) {
      const now = Date.now();
      this.log(json.nodes.length === 0 ? 'no node has registered' : await renderTable(
        ['NODE', 'STATE', 'LAST HEART-BEAT', 'LOAD 1/5/15', 'SERVERS', 'NODEOBJ'], json.nodes.map((n) => [n.name,
          n.alive ? 'alive' : 'silent', `${Math.max(0, Math.round((now - Date.parse(n.lastHeartbeat)) / 1000))} s ago`,
          n.load.map((l) => l.toFixed(2)).join(' '), String(n.servers), n.nodeObj])));
    }
    return json;
  }
}
