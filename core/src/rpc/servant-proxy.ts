import type {InterfaceDef, OperationDef} from '../protocol/operation.js';
import type {CallOptions} from './call-options.js';

/**
 * What a proxy needs to make calls: the communicator's object proxy for one servant implements it (encoding, routing,
 * timeouts, retries); tests supply a fake. `invoke` resolves with the call result object (`{ret, <out>...}`) or
 * rejects with a TarsError.
 */
export interface Invoker {
  invoke(op: OperationDef, args: readonly unknown[], options?: CallOptions): Promise<Record<string, unknown>>;
}

/**
 * Base of generated client proxies. Its own members start with `$` so that no IDL operation name (identifiers
 * cannot contain `$`) can clash with them.
 */
export abstract class ServantProxy {
  /** The interface the generated subclass implements. */
  static readonly $interface: InterfaceDef;

  constructor(readonly $invoker: Invoker) {}

  /** Calls `op` with the in-arguments `args` (declaration order). */
  protected $invoke<R>(op: OperationDef, args: readonly unknown[], options?: CallOptions): Promise<R> {
    return this.$invoker.invoke(op, args, options) as Promise<R>;
  }

  /** Settles a call into a node-style callback; errors thrown by the callback itself are not swallowed. */
  protected $callback<R>(call: Promise<R>, cb: Callback<R>): void {
    call.then((result) => {
      queueMicrotask(() => cb(null, result));
    }, (error: unknown) => {
      queueMicrotask(() => cb(error instanceof Error ? error : new Error(String(error))));
    });
  }
}

/** A node-style callback of a callback-style call (`proxy.async_EchoHello(cb, ...)`). */
export type Callback<R> = (error: Error | null, result?: R) => void;

/** A generated proxy class: what `Communicator.stringToProxy` takes. */
export interface ServantProxyClass<P extends ServantProxy> {
  new (invoker: Invoker): P;
  readonly $interface: InterfaceDef;
}
