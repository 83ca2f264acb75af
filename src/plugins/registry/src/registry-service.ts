// Ties a repository to the model: writes go to the repository, then the model reloads the rows and swaps in a new
// snapshot. The servants share one service, so QueryObj sees what RegistryObj and AdminRegObj wrote.
import {type Clock, RegistryModel, systemClock} from './registry-model.js';
import type {RegistrySnapshot} from './registry-snapshot.js';
import type {NodeLoad, RegistryRepository} from './repository.js';
import type {StaticEndpointRow} from './rows.js';

/** Node timeout check period when none is configured: `/tars/reap<nodeTimeoutInterval>` 60 s. */
export const DEFAULT_NODE_TIMEOUT_INTERVAL_MS = 60_000;

/** Options of a {@link RegistryService}. */
export interface RegistryServiceOptions {
  readonly clock?: Clock;
  /** Node heart-beat timeout (default 250 s, at least 15 s). */
  readonly nodeTimeoutMs?: number;
}

/**
 * The registry's state: a repository and the model built from it. {@link refresh} after every write (the servants
 * do); {@link expireNodes} on the reaper's period. Refreshes never overlap: one asked for while another loads runs
 * once after it, so the last write is always in the final snapshot.
 */
export class RegistryService {
  readonly model: RegistryModel;
  private loading?: Promise<RegistrySnapshot>;
  private queued?: Promise<RegistrySnapshot>;
  private own: readonly StaticEndpointRow[] = [];

  constructor(readonly repository: RegistryRepository, options: RegistryServiceOptions = {}) {
    this.model = new RegistryModel({clock: options.clock ?? systemClock,
      ...(options.nodeTimeoutMs !== undefined ? {nodeTimeoutMs: options.nodeTimeoutMs} : {})});
  }

  /** The clock everything here judges time by. */
  get clock(): Clock {
    return this.model.clock;
  }

  /** The snapshot to answer QueryF from now (no store access). */
  snapshot(): RegistrySnapshot {
    return this.model.snapshot();
  }

  /**
   * This registry's own servants (QueryObj, RegistryObj, ...) where they listen: served by QueryF like any object,
   * so that `tars.tarsregistry.QueryObj` resolves to the live registry (the official t_registry_info rows). Kept in
   * memory, not in the store: a registry that is not running does not answer, and must not be listed by another.
   */
  setOwnEndpoints(rows: readonly StaticEndpointRow[]): Promise<RegistrySnapshot> {
    this.own = rows;
    return this.refresh();
  }

  /** Reloads every row from the repository and builds a new snapshot; resolves with it. */
  refresh(): Promise<RegistrySnapshot> {
    if (this.loading) {
      // A load is under way and may have read before the caller's write: load once more after it.
      this.queued ??= this.loading.catch(() => undefined).then(() => {
        this.queued = undefined;
        return this.refresh();
      });
      return this.queued;
    }
    const loading = (async () => {
      try {
        const rows = await this.repository.loadRows();
        return this.model.replace(this.own.length === 0 ? rows
          : {...rows, staticEndpoints: [...rows.staticEndpoints, ...this.own]});
      } finally {
        this.loading = undefined;
      }
    })();
    this.loading = loading;
    return loading;
  }

  /**
   * A node's heart-beat: stored, and taken into the model without a rebuild when it changes no answer (the node was
   * alive: only its deadline moves), else by a reload. Rebuilding for every heart-beat would stall lookups for the
   * length of a build (~100 ms at 10,000 objects) several times a second on a big cluster. False when no such node.
   */
  async keepAlive(nodeName: string, load: NodeLoad): Promise<boolean> {
    const now = this.clock();
    const known = await this.repository.keepAlive(nodeName, load, now);
    if (!known) return false;
    const row = this.model.rows.nodes.find((n) => n.nodeName === nodeName);
    const beat = row && {...row, lastHeartbeat: now, presentState: 'active' as const, loadAvg1: load.avg1,
      loadAvg5: load.avg5, loadAvg15: load.avg15};
    if (!beat || !this.model.heartbeat(beat)) await this.refresh();
    return true;
  }

  /**
   * The reaper's tick: nodes silent for longer than the node timeout become inactive in the repository, with their
   * servers (so the state survives the node's next heart-beat until it reports its servers again, as officially),
   * then the model reloads. Returns the names of the nodes it expired.
   */
  async expireNodes(): Promise<string[]> {
    const expired = await this.repository.expireNodes(this.clock() - this.model.nodeTimeoutMs);
    if (expired.length > 0) await this.refresh();
    return expired;
  }
}
