// The node's side of the registry (framework.md 1.3, 2.2): registerNode once at start, then keepAlive every
// interval; a registry that is away is retried for ever and never stops the node.
import type {Communicator, Logger} from '@tars-ts/core';
import type {NodeDescriptor, Registry} from '@tars-ts/core/framework';
import {UserError} from '@tars-ts/kit';

/** The registry's object the node registers with, resolved by name through the locator. */
export const REGISTRY_OBJ = 'tars.tarsregistry.RegistryObj';
/** How often the node beats by default, ms (tarsnode's reportAliveInterval). */
export const DEFAULT_KEEPALIVE_MS = 10_000;
/** At most one "the registry is unreachable" line per this many ms. */
export const FAILURE_LOG_INTERVAL_MS = 60_000;

/** What {@link RegistryLink} needs. */
export interface RegistryLinkOptions {
  readonly communicator: Communicator;
  readonly nodeName: string;
  /** The NodeInfo to register (its nodeObj is the bound NodeObj endpoint). */
  readonly nodeInfo: NodeDescriptor.NodeInfo;
  readonly load: () => NodeDescriptor.LoadInfo;
  readonly logger: Logger;
  /** keepAlive period, ms; default {@link DEFAULT_KEEPALIVE_MS}. */
  readonly intervalMs?: number;
  /** Each call's timeout, ms; default 3000. */
  readonly callTimeoutMs?: number;
}

/**
 * Keeps the node registered. {@link start} calls registerNode once: answered 1 (the name is held by another live
 * node) it rejects with DAEMON_START_FAILED, the node must not start; any other failure (registry down, ret 2/3) is
 * logged and retried. Then, every interval (an unref'd timer): registerNode while not registered, else keepAlive
 * (a non-zero answer means register again next time). Failures are logged at most once a minute, and the recovery
 * once. {@link close} stops the timer.
 */
export class RegistryLink {
  private readonly proxy: Registry.RegistryProxy;
  private timer?: NodeJS.Timeout;
  private registered = false;
  private failing = false;
  private lastFailureLog = -Infinity;
  private busy = false;
  /** How many registerNode and keepAlive calls the registry answered 0. */
  readonly counts = {registered: 0, beats: 0};

  constructor(private readonly options: RegistryLinkOptions, proxyClass: typeof Registry.RegistryProxy) {
    this.proxy = options.communicator.stringToProxy(proxyClass, REGISTRY_OBJ,
      {timeout: options.callTimeoutMs ?? 3000});
  }

  /** Registers (NODE_NAME_TAKEN on ret 1; other failures are retried later) and starts the keepAlive timer. */
  async start(): Promise<void> {
    const ret = await this.register();
    if (ret === 1) {
      throw new UserError(`the registry refused node name "${this.options.nodeName}": another live node holds it`,
        {code: 'DAEMON_START_FAILED', hint: 'give this node another --name, or stop the node that holds the name'});
    }
    this.timer = setInterval(() => void this.tick(), this.options.intervalMs ?? DEFAULT_KEEPALIVE_MS);
    this.timer.unref();
  }

  /** Stops beating. */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** registerNode: its answer, or undefined when the call failed (logged). */
  private async register(): Promise<number | undefined> {
    const {nodeName, nodeInfo, load} = this.options;
    try {
      const {ret} = await this.proxy.registerNode(nodeName, nodeInfo, load());
      if (ret === 0) {
        this.registered = true;
        this.counts.registered++;
        this.recovered(`registered with the registry as ${nodeName}`);
      } else {
        this.failed(`registerNode answered ${ret}${ret === 1 ? ' (the name is held by another live node)' : ''}`);
      }
      return ret;
    } catch (error) {
      this.failed(`registerNode: ${(error as Error).message}`);
      return undefined;
    }
  }

  private async tick(): Promise<void> {
    if (this.busy || !this.timer) return;
    this.busy = true;
    try {
      if (!this.registered) {
        await this.register();
        return;
      }
      const {ret} = await this.proxy.keepAlive(this.options.nodeName, this.options.load());
      if (ret === 0) {
        this.counts.beats++;
        this.recovered('the registry answers keepAlive again');
      } else {
        this.registered = false;
        this.failed(`keepAlive answered ${ret}: registering again`);
      }
    } catch (error) {
      this.failed(`keepAlive: ${(error as Error).message}`);
    } finally {
      this.busy = false;
    }
  }

  private failed(message: string): void {
    this.failing = true;
    const now = Date.now();
    if (now - this.lastFailureLog < FAILURE_LOG_INTERVAL_MS) return;
    this.lastFailureLog = now;
    this.options.logger.warn(`node ${this.options.nodeName}: ${message} (retrying)`);
  }

  private recovered(message: string): void {
    if (!this.failing && this.counts.registered + this.counts.beats > 1) return;
    this.failing = false;
    this.lastFailureLog = -Infinity;
    this.options.logger.info(`node ${this.options.nodeName}: ${message}`);
  }
}
