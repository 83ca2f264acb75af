// Holds the registry's current rows and the snapshot built from them: the one place QueryF reads from. A change of
// rows swaps in a new snapshot; the passing of time (a node's heart-beat running out) rebuilds it from the same
// rows on the next lookup, so no lookup ever queries a store.
import {EMPTY_ROWS, type RegistryRows} from './rows.js';
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
    this.rowsNow = rows;
    this.current = this.build();
    return this.current;
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
