// `tars node start`: the per-host node as a daemon of the kit's host. Its servants are the official ones on the
// official ports: ServerObj (ServerF, 19386: what the servers it runs report) and NodeObj (Node, 19385: what the
// registry asks), or P and P+1 with --port P. It cannot work without a registry: --locator is required.
import os from 'node:os';

import type {DaemonSpec} from '@tars-ts/kit';
import {UserError, hostAddress} from '@tars-ts/kit';

/** ServerF: the servers' heart-beats. */
export const SERVER_OBJ = 'tars.tarsnode.ServerObj';
/** Node: the registry's and operators' commands. */
export const NODE_OBJ = 'tars.tarsnode.NodeObj';
/** The registry's QueryObj, which a bare `tcp -h H -p P` locator names. */
export const QUERY_OBJ = 'tars.tarsregistry.QueryObj';
/** Where the node reports its servers' crashes, restarts and flap-limit blocks (resolved through the locator). */
export const NOTIFY_OBJ = 'tars.tarsnotify.NotifyObj';
/** The version a node registers with. */
export const NODE_VERSION = 'tars-ts-node 0.1.0';

/** The default node name: the host's first external IPv4 address, else its host name. */
export function defaultNodeName(): string {
  return hostAddress() ?? os.hostname();
}

/** `--locator`: the registry's QueryObj proxy string (a bare endpoint names QueryObj); NO_LOCATOR when absent. */
export function nodeLocator(locator: string | undefined): string {
  if (!locator) {
    throw new UserError('the node needs a registry: give --locator', {code: 'NO_LOCATOR',
      hint: 'tars node start --locator "tars.tarsregistry.QueryObj@tcp -h REGISTRY_HOST -p 17890"'});
  }
  return locator.includes('@') ? locator : `${QUERY_OBJ}@${locator}`;
}

/**
 * The node daemon: what `tars node start|stop|status` run. Its own settings (flags of `start`): `name` (default
 * {@link defaultNodeName}), `keepalive-interval` (ms, default 10000) and `check-interval` (ms, default 1000: the
 * check loop over its servers).
 */
export const nodeDaemon: DaemonSpec = {
  name: 'node',
  announce: false,
  servants: [
    {obj: SERVER_OBJ, port: 19386},
    {obj: NODE_OBJ, port: 19385, admin: true},
  ],
  async create(ctx) {
    const locator = nodeLocator(ctx.locator);
    const [core, {Registry, NodeDescriptor, NotifyF}, servants, {RegistryLink, REGISTRY_OBJ}, {NodeServers}] = await Promise.all([
      import('@tars-ts/core'), import('@tars-ts/core/framework'), import('./node-servants.js'),
      import('./registry-link.js'), import('./node-servers.js')]);
    const nodeName = (ctx.settings.name as string | undefined) ?? defaultNodeName();
    const intervalMs = ctx.settings['keepalive-interval'] as number | undefined;
    const checkIntervalMs = ctx.settings['check-interval'] as number | undefined;
    const communicator = new core.Communicator({locator});
    // Reports to the notify daemon: bounded and never waited for (a framework without one costs a counter).
    const notifier = new core.Notifier(communicator.stringToProxy(NotifyF.NotifyProxy, NOTIFY_OBJ),
      {app: 'tars', server: 'tarsnode', nodeName}, {maxPending: 64, timeoutMs: 3000});
    const servers = new NodeServers({dataDir: ctx.dataDir, nodeName, logger: ctx.logger, communicator, notifier,
      registry: communicator.stringToProxy(Registry.RegistryProxy, REGISTRY_OBJ, {timeout: 5000}),
      ...(checkIntervalMs !== undefined ? {checkIntervalMs} : {}),
      ...(ctx.adminToken !== undefined ? {adminToken: ctx.adminToken} : {})});
    let link: InstanceType<typeof RegistryLink> | undefined;
    return {
      servants: {
        [SERVER_OBJ]: new servants.ServerFImpl(servers),
        [NODE_OBJ]: new servants.NodeImpl({nodeName, servers, requestStop: ctx.requestStop}),
      },
      async onStarted(bound) {
        const nodeEndpoint = bound.find((b) => b.obj === NODE_OBJ)!.endpoint;
        const serverObjEndpoint = bound.find((b) => b.obj === SERVER_OBJ)!.endpoint;
        const ep = core.parseEndpoint(nodeEndpoint);
        servers.setFacts({serverObjEndpoint, locator, nodeName});
        const nodeInfo = NodeDescriptor.NodeInfo.create({nodeName, nodeObj: `${NODE_OBJ}@${nodeEndpoint}`,
          endpointIp: ep.host, endpointPort: ep.port, timeOut: Math.min(ep.timeout || 30_000, 32_767),
          dataDir: ctx.dataDir, version: NODE_VERSION});
        link = new RegistryLink({communicator, nodeName, nodeInfo, load: servants.currentLoad, logger: ctx.logger,
          ...(intervalMs !== undefined ? {intervalMs} : {})}, Registry.RegistryProxy);
        ctx.logger.info(`node ${nodeName}: NodeObj ${nodeEndpoint}, registry ${locator}`);
        await link.start();
        // The servers the registry assigns here: adopted when still running, else started by the check loop.
        await servers.load().catch((error: unknown) => ctx.logger.warn(`getServers: ${(error as Error).message} ` +
          '(the check loop tries again)'));
        servers.startLoop();
      },
      async onClose() {
        // The servers keep running (as with tarsnode): a node started again adopts them.
        link?.close();
        await servers.close();
        await notifier.flush(1000);
        notifier.close();
        communicator.close();
      },
    };
  },
};
