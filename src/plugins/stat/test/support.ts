// What the stat plugin's tests share (plugin tests may not reach into the root's test/support).
import {createRequire} from 'node:module';

/** Waits at least `ms` (a lower bound: a loaded machine only makes it longer). */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

const require = createRequire(import.meta.url);
let rpcModule: any; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * `@tars/rpc`, loaded on first use. It and @tars/monitor require each other, and Node warns three times while they
 * load ("... of module exports inside circular dependency"): those warnings, the oracle's own, are dropped.
 */
export function tarsRpc(): any { // eslint-disable-line @typescript-eslint/no-explicit-any
  if (rpcModule === undefined) {
    const emitWarning = process.emitWarning;
    process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
      const text = typeof warning === 'string' ? warning : warning.message;
      if (/of module exports inside circular dependency/.test(text)) return;
      (emitWarning as (...a: unknown[]) => void).call(process, warning, ...rest);
    }) as typeof process.emitWarning;
    try {
      rpcModule = require('@tars/rpc');
    } finally {
      process.emitWarning = emitWarning;
    }
  }
  return rpcModule;
}
