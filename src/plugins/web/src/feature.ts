// What a feature of the console (servers, config, deploy, charts, logs, debugger, ...) gets to add its routes: the
// router and the cluster it talks to. Each feature is one module under features/ and is listed in features/index.ts.
import type {Communicator} from '@tars-ts/core';

import type {ClusterApi} from './cluster-api.js';
import type {Router} from './router.js';

/** The console's connection to the cluster, shared by every feature. */
export interface ConsoleContext {
  /** Resolves names through the registry; carries the admin token's keys when there is one. */
  readonly communicator: Communicator;
  /** The registry's QueryObj with its endpoints. */
  readonly locator: string;
  /** Each call's timeout, ms (long actions set their own). */
  readonly timeoutMs: number;
  /** The cluster's admin token, if any. */
  readonly token: string | undefined;
  /** The registry and nodes' view: tree, server, actions. */
  readonly cluster: ClusterApi;
  /** The tree's event streams poll at once (after something that changes a server's state). */
  poke(): void;
  /** Runs `fn` when the console closes (end streams, timers, watchers). */
  onClose(fn: () => void | Promise<void>): void;
}

/** Adds a feature's routes. */
export type Feature = (router: Router, context: ConsoleContext) => void;
