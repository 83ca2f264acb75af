// Ties a repository to the model: writes go to the repository, then the model reloads the rows and swaps in a new
// snapshot. The servants share one service, so QueryObj sees what RegistryObj and AdminRegObj wrote.
import {type Clock, RegistryModel, systemClock} from './registry-model.js';
import type {RegistrySnapshot} from './registry-snapshot.js';
import type {NodeLoad, RegistryRepository} from './repository.js';
import {type RegistryInfoRow, type StaticEndpointRow, staticEndpointRow} from './rows.js';

/** Node timeout check period when none is configured: `/tars/reap<nodeTimeoutInterval>` 60 s. */
export const DEFAULT_NODE_TIMEOUT_INTERVAL_MS = 60_000;

/**
 * How long another registry's rows count as live without a sync tick of it (official registryTimeout: 150 s; each
 * registry here writes its rows every sync interval, 1 s by default, so a dead one is listed far sooner).
 */
export const DEFAULT_REGISTRY_TIMEOUT_MS = 10_000;

/** Options of a {@link RegistryService}. */
export interface RegistryServiceOptions {
  readonly clock?: Clock;
  /** Node heart-beat timeout (default 250 s, at least 15 s). */
  readonly nodeTimeoutMs?: number;
  /** Another registry of a shared store is listed inactive when its rows are older than this (default 10 s). */
  readonly registryTimeoutMs?: number;
  /**
   * Whether other registries may use the store (a PostgreSQL database): then each lists its own servants in it and
   * reads the others'. A store of one registry (SQLite in its locked data directory) holds no other live registry:
   * rows a killed earlier run left there are not served.
   */
  readonly shared?: boolean;
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
  /** This registry's locator id (`host:port` of its QueryObj) once it listens; '' before. */
  private locatorId = '';
  private readonly registryTimeoutMs: number;
  private readonly shared: boolean;
  /** The change stamp read before the last reload: a different one at a sync means another registry wrote. */
  private seenStamp: number | undefined;
  /** The other registries the current snapshot lists as live. */
  private liveRegistries = '';

  constructor(readonly repository: RegistryRepository, options: RegistryServiceOptions = {}) {
    this.model = new RegistryModel({clock: options.clock ?? systemClock,
      ...(options.nodeTimeoutMs !== undefined ? {nodeTimeoutMs: options.nodeTimeoutMs} : {})});
    this.registryTimeoutMs = options.registryTimeoutMs ?? DEFAULT_REGISTRY_TIMEOUT_MS;
    this.shared = options.shared ?? false;
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
  async setOwnEndpoints(locatorId: string, rows: readonly {servant: string; endpoint: string}[]):
    Promise<RegistrySnapshot> {
    this.locatorId = locatorId;
    this.own = rows.map(({servant, endpoint}) => staticEndpointRow({servant, endpoint, owner: 'self'}));
    if (this.shared) await this.repository.putRegistryInfo(locatorId, rows, this.clock());
    return this.refresh();
  }

  /** Takes this registry's rows out of the store (its graceful stop): the others stop listing it at once. */
  async withdraw(): Promise<void> {
    if (this.locatorId === '' || !this.shared) return;
    await this.repository.removeRegistryInfo(this.locatorId);
    await this.repository.bumpStamp();
  }

  /**
   * After a write: tells the other registries of the store (the change stamp), then reloads every row and builds a
   * new snapshot; resolves with it.
   */
  async refresh(): Promise<RegistrySnapshot> {
    await this.repository.bumpStamp();
    return this.reload();
  }

  /** Reloads every row from the repository and builds a new snapshot; resolves with it. */
  private reload(): Promise<RegistrySnapshot> {
    if (this.loading) {
      // A load is under way and may have read before the caller's write: load once more after it.
      this.queued ??= this.loading.catch(() => undefined).then(() => {
        this.queued = undefined;
        return this.reload();
      });
      return this.queued;
    }
    const loading = (async () => {
      try {
        const stamp = await this.repository.readStamp();
        const rows = await this.repository.loadRows();
        this.seenStamp = stamp;
        const others = this.otherRegistries(rows.registries);
        this.liveRegistries = liveKey(others);
        const statics = [...rows.staticEndpoints, ...this.own, ...others];
        return this.model.replace({...rows, staticEndpoints: statics});
      } finally {
        this.loading = undefined;
      }
    })();
    this.loading = loading;
    return loading;
  }

  /** The other registries' servants as QueryF serves them: active while their rows are fresh. */
  private otherRegistries(rows: readonly RegistryInfoRow[]): StaticEndpointRow[] {
    if (!this.shared) return [];
    const fresh = this.clock() - this.registryTimeoutMs;
    return rows.filter((r) => r.locatorId !== this.locatorId).map((r) => staticEndpointRow({servant: r.servant,
      endpoint: r.endpoint, owner: `registry:${r.locatorId}`,
      presentState: r.lastHeartbeat >= fresh ? 'active' : 'inactive'}));
  }

  /**
   * One tick of the registries sharing a store (every `sync-interval`): writes this registry's own rows with a
   * fresh heart-beat, then reloads when another registry changed a row (the change stamp) or a registry came or
   * went, else takes the nodes' heart-beats the others stored (without a rebuild while no answer changes). What
   * another registry wrote is so answered here at most one interval (plus a reload) later.
   */
  async sync(): Promise<void> {
    if (this.locatorId !== '' && this.shared) {
      await this.repository.putRegistryInfo(this.locatorId, this.own.map((o) => ({servant: o.servant,
        endpoint: o.endpoint})), this.clock());
    }
    if (await this.repository.readStamp() !== this.seenStamp) {
      await this.reload();
      return;
    }
    if (liveKey(this.otherRegistries(await this.repository.listRegistryInfo())) !== this.liveRegistries) {
      await this.reload();
      return;
    }
    const known = new Map(this.model.rows.nodes.map((n) => [n.nodeName, n]));
    for (const node of await this.repository.listNodes()) {
      const had = known.get(node.nodeName);
      if (had && had.lastHeartbeat === node.lastHeartbeat && had.presentState === node.presentState) continue;
      if (!had || !this.model.heartbeat(node)) {
        await this.reload();
        return;
      }
    }
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
    if (!beat || !this.model.heartbeat(beat)) await this.reload();
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

/** Which other registries are live, as one comparable string. */
function liveKey(rows: readonly StaticEndpointRow[]): string {
  return rows.filter((r) => r.presentState === 'active').map((r) => `${r.owner} ${r.servant} ${r.endpoint}`).sort()
    .join('\n');
}
