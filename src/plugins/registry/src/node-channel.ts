// How AdminRegObj reaches a node. Official tarsAdminRegistry pushes commands down the connection over which the node
// calls AdminReg.reportNode, and falls back to the node's own NodeObj (the `node_obj` it registered through
// Registry.registerNode). This toolkit's nodes are reached the second way: a NodeObj proxy through a core
// Communicator. The servant only sees the NodeChannel interface, so a push channel can be added beside it later.
import {Communicator, TarsCallError} from '@tars-ts/core';
import {Node} from '@tars-ts/core/framework';

import type {RegistryService} from './registry-service.js';

/** Default time a node has to answer a command (official AdminRegistry waits 10 s for a node). */
export const DEFAULT_NODE_CALL_TIMEOUT_MS = 10_000;

/** A node that can be asked: its NodeObj, and a tars_ping of it. */
export interface NodeLink {
  readonly nodeName: string;
  readonly proxy: Node.NodeProxy;
  /** Resolves when the node answers tars_ping; rejects when it does not. */
  ping(): Promise<void>;
}

/** Where the node commands of AdminRegObj go. */
export interface NodeChannel {
  /** The node `nodeName` if it can be asked now (registered, alive, with a NodeObj); undefined otherwise. */
  forNode(nodeName: string): NodeLink | undefined;
  /** tars_ping of any object (`Obj@endpoints`): resolves when one of its endpoints answers. */
  pingObject(obj: string): Promise<void>;
  /** Closes the connections the channel opened. Idempotent. */
  close(): void;
}

/** Options of a {@link CommunicatorNodeChannel}. */
export interface CommunicatorNodeChannelOptions {
  /** Timeout of every node call and ping, ms (default {@link DEFAULT_NODE_CALL_TIMEOUT_MS}). */
  readonly timeoutMs?: number;
  /** The communicator to call through; when absent the channel makes its own on first use and closes it. */
  readonly communicator?: Communicator;
  /** Endpoint auth keys of the channel's own communicator: the admin token for NodeObj endpoints with `-e 1`. */
  readonly auth?: Readonly<Record<string, {accesskey: string; secretkey: string}>>;
}

/**
 * A node is reachable when the registry holds it alive (active row, heart-beat within the node timeout: the same
 * test QueryF applies) and it registered a usable NodeObj; it is then called at that NodeObj.
 */
export class CommunicatorNodeChannel implements NodeChannel {
  private readonly timeoutMs: number;
  private own?: Communicator;
  private closed = false;

  constructor(private readonly service: RegistryService, private readonly options: CommunicatorNodeChannelOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_NODE_CALL_TIMEOUT_MS;
  }

  private get communicator(): Communicator {
    if (this.options.communicator) return this.options.communicator;
    if (this.closed) throw new Error('the node channel is closed');
    this.own ??= new Communicator(this.options.auth ? {auth: this.options.auth} : {});
    return this.own;
  }

  forNode(nodeName: string): NodeLink | undefined {
    if (!this.service.snapshot().liveNodes.has(nodeName)) return undefined;
    const row = this.service.model.rows.nodes.find((n) => n.nodeName === nodeName);
    if (!row || !row.nodeObj.includes('@')) return undefined;
    let proxy: Node.NodeProxy;
    try {
      proxy = this.communicator.stringToProxy(Node.NodeProxy, row.nodeObj, {timeout: this.timeoutMs});
    } catch {
      return undefined; // a NodeObj text that does not parse: the node cannot be asked
    }
    return {nodeName, proxy, ping: () => this.pingObject(row.nodeObj)};
  }

  async pingObject(obj: string): Promise<void> {
    const answers = await this.communicator.objectProxy(obj, {timeout: this.timeoutMs}).ping({timeout: this.timeoutMs});
    if (answers.length === 0) throw new Error(`${obj}: no endpoint to ping`);
    if (answers.every((a) => a.error)) throw answers[0]!.error!;
  }

  close(): void {
    this.closed = true;
    this.own?.close();
    this.own = undefined;
  }
}

/** The message of a node call's error, without the client's hint text. */
export function nodeErrorText(error: unknown): string {
  if (error instanceof TarsCallError) return error.what;
  return error instanceof Error ? error.message : String(error);
}

/** True when the node never answered (timeout, no connection), as opposed to answering with a failure. */
export function nodeDidNotAnswer(error: unknown): boolean {
  return !(error instanceof TarsCallError) || error.nothingAnswered;
}
