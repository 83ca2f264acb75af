// Holds the registry's current rows and the snapshot built from them: the one place QueryF reads from. A change of
// rows swaps in a new snapshot; the passing of time (a node's heart-beat running out) rebuilds it from the same
// rows on the next lookup, so no lookup ever queries a store.
import {EMPTY_ROWS, type NodeRow, type RegistryRows} from './rows.js';
import {DEFAULT_NODE_TIMEOUT_MS, MIN_NODE_TIMEOUT_MS, RegistrySnapshot} from './registry-snapshot.js';

/** Milliseconds since the epoch; injectable so that tests drive time. */
export type Clock = () => number;

/** The wall clock. */
export const systemClock: Clock = () => Date.now();

/** Options of a {@link RegistryModel}. */
export interface RegistryModelOptions {
  /** Default {@link systemClock}. */
  readonly clock?: Clock;
  /** Node heart-beat timeout, default 250 s, at least 15 s (`/tars/reap<nodeTimeout>`). */
  readonly nodeTimeoutMs?: number;
}

/**
 * The current rows and their snapshot. {@link replace} swaps rows (after a store reload or a write);
 * {@link snapshot} returns the snapshot for now, rebuilt first when the clock has passed a node's heart-beat
 * deadline. Snapshots themselves never change, so a lookup that holds one sees one consistent state.
 */
export class RegistryModel {
  readonly clock: Clock;
  readonly nodeTimeoutMs: number;
  private rowsNow: RegistryRows = EMPTY_ROWS;
  private current: RegistrySnapshot;
  private builds = 0;
  /** Heart-beats noted since the rows were loaded: a load that began before one must not take it back. */
  private beats = new Map<string, NodeRow>();

  constructor(options: RegistryModelOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.nodeTimeoutMs = Math.max(options.nodeTimeoutMs ?? DEFAULT_NODE_TIMEOUT_MS, MIN_NODE_TIMEOUT_MS);
    this.current = this.build();
  }

  /** The rows the current snapshot was built from. */
  get rows(): RegistryRows {
    return this.rowsNow;
  }

  /** How many snapshots were built so far (for tests and status output). */
  get buildCount(): number {
    return this.builds;
  }

  /** Replaces the rows and builds the snapshot of them at the clock's now. */
  replace(rows: RegistryRows): RegistrySnapshot {
    this.rowsNow = this.withBeats(rows);
    this.current = this.build();
    return this.current;
  }

  /**
   * Notes a heart-beat (the node's row as the store now holds it) without a rebuild when it changes no answer: the
   * node was alive and stays so, only its deadline moves. Returns false when the answers may change (the node was
   * silent, unknown or inactive): then reload the rows ({@link replace}).
   */
  heartbeat(row: NodeRow): boolean {
    const known = this.rowsNow.nodes.findIndex((n) => n.nodeName === row.nodeName);
    if (known < 0 || this.rowsNow.nodes[known]!.presentState !== 'active' || row.presentState !== 'active') return false;
    const current = this.snapshot();
    if (!current.liveNodes.has(row.nodeName)) return false;
    this.beats.set(row.nodeName, row);
    const nodes = this.rowsNow.nodes.slice();
    nodes[known] = row;
    this.rowsNow = {...this.rowsNow, nodes};
    this.current = current.withHeartbeats(this.rowsNow, this.nodeTimeoutMs);
    return true;
  }

  /** `rows` with every heart-beat noted since that is newer than the row's own; noted beats now stored are dropped. */
  private withBeats(rows: RegistryRows): RegistryRows {
    if (this.beats.size === 0) return rows;
    let changed = false;
    const nodes = rows.nodes.map((n) => {
      const beat = this.beats.get(n.nodeName);
      if (!beat) return n;
      if (beat.lastHeartbeat <= n.lastHeartbeat) {
        this.beats.delete(n.nodeName);
        return n;
      }
      changed = true;
      return {...n, lastHeartbeat: beat.lastHeartbeat, loadAvg1: beat.loadAvg1, loadAvg5: beat.loadAvg5,
        loadAvg15: beat.loadAvg15};
    });
    return changed ? {...rows, nodes} : rows;
  }

  /** The snapshot valid now: the last one, or a new one from the same rows when a node has timed out since. */
  snapshot(): RegistrySnapshot {
    if (this.current.isStaleAt(this.clock())) this.current = this.build();
    return this.current;
  }

  private build(): RegistrySnapshot {
    this.builds++;
    return RegistrySnapshot.build(this.rowsNow, {now: this.clock(), nodeTimeoutMs: this.nodeTimeoutMs});
  }
}
