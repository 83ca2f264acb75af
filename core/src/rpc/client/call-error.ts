import {TarsReturnCodeError, returnCodeName} from '../../errors/tars-error.js';
import {ReturnCode} from '../../protocol/constants.js';

/** Where a failed call was going. */
export interface CallTarget {
  readonly obj: string;
  readonly func: string;
  /** `tcp -h H -p P`, when an endpoint had been chosen. */
  readonly endpoint?: string;
}

/**
 * A call that failed with a TARS return code, from the server (iRet) or locally (timeout, connect failure, no
 * endpoint). The message reads `-7 TARSINVOKETIMEOUT: <what happened>; <likely cause>` and names the object,
 * function and endpoint.
 */
export class TarsCallError extends TarsReturnCodeError {
  readonly obj: string;
  readonly func: string;
  readonly endpoint?: string;
  /** True when the code was produced by this client (timeout, connect, no endpoint), not sent by the server. */
  readonly local: boolean;

  constructor(returnCode: number, what: string, target: CallTarget, local: boolean) {
    const where = `${target.obj}.${target.func}${target.endpoint ? ` at ${target.endpoint}` : ''}`;
    super(returnCode, `${returnCode} ${returnCodeName(returnCode)}: ${what} (${where}); ${hintFor(returnCode, target)}`,
      {obj: target.obj, func: target.func, ...(target.endpoint ? {endpoint: target.endpoint} : {})});
    this.name = 'TarsCallError';
    this.obj = target.obj;
    this.func = target.func;
    if (target.endpoint) this.endpoint = target.endpoint;
    this.local = local;
  }
}

function hintFor(code: number, t: CallTarget): string {
  const ping = `tars ping ${t.obj}${t.endpoint ? `@${t.endpoint}` : ''}`;
  switch (code) {
    case ReturnCode.TARSINVOKETIMEOUT: return `is the server up and not overloaded? try: ${ping}`;
    case ReturnCode.TARSPROXYCONNECTERR: return `is the server listening there? try: ${ping}`;
    case ReturnCode.TARSADAPTERNULL: return 'no endpoint is known or usable for the object; check the registry ' +
      `(tars registry find ${t.obj}) or give endpoints with @`;
    case ReturnCode.TARSSERVERNOFUNCERR: return 'the server does not implement this function: are client and ' +
      'server built from the same .tars file?';
    case ReturnCode.TARSSERVERNOSERVANTERR: return 'the server does not host this object: check the object name and ' +
      'the endpoint';
    case ReturnCode.TARSSERVERDECODEERR: return 'the server could not decode the arguments: are client and server ' +
      'built from the same .tars file?';
    case ReturnCode.TARSCLIENTDECODEERR: return 'the response does not match the interface: are client and server ' +
      'built from the same .tars file?';
    case ReturnCode.TARSSERVEROVERLOAD: return 'the server queue is full: retry later or add capacity';
    case ReturnCode.TARSSERVERQUEUETIMEOUT: return 'the request waited too long in the server queue: the server is ' +
      'overloaded';
    case ReturnCode.TARSSENDREQUESTERR: return 'the request could not be sent; it may be retried';
    case ReturnCode.TARSSERVERUNKNOWNERR: return 'the servant threw: see the message and the server log';
    default: return 'see the server log';
  }
}
