// `tars ping` (and the shell's `ping`): the reserved tars_ping call to every endpoint of an object, with the
// round-trip time of each or why it did not answer.
import type {Communicator} from '@tars-ts/core';
import {ExitCode, ReportedFailure, type ResolvedTarget} from '@tars-ts/kit';

/** `tars ping --json`. */
export interface PingJson {
  obj: string;
  endpoints: ({endpoint: string; ms: number} | {endpoint: string; error: {code: number; name: string; message: string}})[];
}

/**
 * Pings every endpoint of `target` through `comm` (which the caller closes), within `timeout` ms each. Resolves
 * with each endpoint's answer, the lines a terminal shows, and, when no endpoint answered, the failure to raise
 * once the lines are shown (exit 4, its JSON with every endpoint).
 */
export async function runPing(comm: Communicator, target: ResolvedTarget, timeout: number):
  Promise<{json: PingJson; lines: string[]; failure?: ReportedFailure}> {
  const {TarsCallError, formatEndpoint, returnCodeName} = await import('@tars-ts/core');
  const results = await comm.objectProxy(target.proxy).ping({timeout});
  const json: PingJson = {obj: target.obj, endpoints: results.map(({endpoint, ms, error}) => {
    if (!error) return {endpoint: formatEndpoint(endpoint), ms: Math.round(ms! * 1000) / 1000};
    const code = error instanceof TarsCallError ? error.returnCode : error.wireCode ?? 0;
    const message = error instanceof TarsCallError ? error.what : error.message;
    return {endpoint: formatEndpoint(endpoint), error: {code, name: returnCodeName(code), message}};
  })};
  const lines = json.endpoints.map((e) => 'ms' in e ? `${e.endpoint}  ${e.ms} ms`
    : `${e.endpoint}  error: ${e.error.name}: ${e.error.message}`);
  if (json.endpoints.length > 0 && json.endpoints.every((e) => 'error' in e)) {
    return {json, lines, failure: new ReportedFailure(`no endpoint of ${target.obj} answered`, ExitCode.NO_ANSWER, json,
      target.via === 'locator' ? `the registry lists these endpoints: are the servers up? tars registry find ${target.obj}`
        : 'is the server up and listening there? start it, or check the endpoint')};
  }
  return {json, lines};
}
