// A base service started with `--locator` lists its servants in that registry, so that servers and clients resolve
// `tars.tarsstat.StatObj`, `tars.tarsconfig.ConfigObj`, ... by name as they do in an official cluster (where those
// services are deployed servers whose adapters the registry knows). The entries are endpoints added as by hand
// (RegistryCtl.addEndpoint), taken out again on a graceful stop.
import type {Communicator, Logger} from '@tars-ts/core';

import {reachableEndpoint} from '../net.js';

/** The registry's control servant, resolved by name through the locator. */
const REGISTRY_CTL_OBJ = 'tars.tarsregistry.RegistryCtlObj';
/** How often an announcement the registry did not take is tried again, ms. */
export const ANNOUNCE_RETRY_MS = 10_000;

/**
 * Keeps `endpoints` listed in the registry: {@link start} adds them (a registry that is away is retried every
 * {@link ANNOUNCE_RETRY_MS} on an unref'd timer, with one warning), {@link withdraw} removes them (best effort, a
 * short timeout: a stopping daemon does not wait for a registry that is gone).
 */
export class RegistryAnnouncement {
  private timer?: NodeJS.Timeout;
  private announced = false;
  private warned = false;

  constructor(private readonly communicator: Communicator, private readonly endpoints: readonly {obj: string;
    endpoint: string}[], private readonly logger: Logger, private readonly name: string) {}

  /** Whether the registry has taken every endpoint. */
  get done(): boolean {
    return this.announced;
  }

  async start(): Promise<void> {
    if (await this.tryAnnounce()) return;
    this.timer = setInterval(() => {
      void this.tryAnnounce().then((ok) => {
        if (ok && this.timer) {
          clearInterval(this.timer);
          this.timer = undefined;
        }
      });
    }, ANNOUNCE_RETRY_MS);
    this.timer.unref();
  }

  private async ctl() {
    const {RegistryCtl} = await import('@tars-ts/core/framework');
    return this.communicator.stringToProxy(RegistryCtl.RegistryCtlProxy, REGISTRY_CTL_OBJ, {timeout: 3000});
  }

  private async tryAnnounce(): Promise<boolean> {
    try {
      const {RegistryCtl} = await import('@tars-ts/core/framework');
      const ctl = await this.ctl();
      for (const e of this.endpoints) {
        const {ret, result} = await ctl.addEndpoint(RegistryCtl.ManualEndpoint.create({servant: e.obj,
          endpoint: reachableEndpoint(e.endpoint)}));
        if (ret !== 0) throw new Error(result);
      }
      this.announced = true;
      this.logger.info(`${this.name}: listed in the registry: ${this.endpoints.map((e) => e.obj).join(', ')}`);
      return true;
    } catch (error) {
      if (!this.warned) {
        this.warned = true;
        this.logger.warn(`${this.name}: the registry did not list its servants yet (${(error as Error).message}); ` +
          `trying again every ${ANNOUNCE_RETRY_MS / 1000} s`);
      }
      return false;
    }
  }

  /** Stops retrying and removes the endpoints from the registry (errors are logged, never thrown). */
  async withdraw(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (!this.announced) return;
    try {
      const {RegistryCtl} = await import('@tars-ts/core/framework');
      const ctl = this.communicator.stringToProxy(RegistryCtl.RegistryCtlProxy, REGISTRY_CTL_OBJ, {timeout: 1000});
      for (const e of this.endpoints) await ctl.removeEndpoint(e.obj, reachableEndpoint(e.endpoint));
    } catch (error) {
      this.logger.warn(`${this.name}: could not take its servants out of the registry: ${(error as Error).message}`);
    }
  }
}
