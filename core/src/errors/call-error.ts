import {TarsReturnCodeError, returnCodeName} from './tars-error.js';

/** Where a failed call was going. */
export interface CallTarget {
  readonly obj: string;
  readonly func: string;
  /** `tcp -h H -p P`, when an endpoint had been chosen. */
  readonly endpoint?: string;
}

/**
 * A call that failed with a TARS return code, from the server (iRet) or locally (timeout, connect failure, no
 * endpoint). The message reads `-7 TARSINVOKETIMEOUT: <what happened> (<obj.func at endpoint>); <likely cause>`;
 * {@link what}, {@link where} and {@link hint} carry its parts for callers that lay them out themselves (the CLI
 * prints the hint on a line of its own).
 */
export class TarsCallError extends TarsReturnCodeError {
  readonly obj: string;
  readonly func: string;
  readonly endpoint?: string;
  /** True when the code was produced by this client (timeout, connect, no endpoint), not sent by the server. */
  readonly local: boolean;
  /** What happened, in the caller's or the server's words. */
  readonly what: string;
  /** The likely cause and what to do, with commands that can be pasted as they are. */
  readonly hint: string;

  constructor(returnCode: number, what: string, target: CallTarget, local: boolean) {
    const hint = hintFor(returnCode, target, what);
    super(returnCode, `${returnCode} ${returnCodeName(returnCode)}: ${what} (${whereOf(target)}); ${hint}`,
      {obj: target.obj, func: target.func, ...(target.endpoint ? {endpoint: target.endpoint} : {})});
    this.name = 'TarsCallError';
    this.obj = target.obj;
    this.func = target.func;
    if (target.endpoint) this.endpoint = target.endpoint;
    this.local = local;
    this.what = what;
    this.hint = hint;
  }

  /** `Obj.func at tcp -h ... -p ...`. */
  get where(): string {
    return whereOf(this);
  }

  /** True when nothing answered: no connection, no answer in time, no endpoint to send to, the send failed. */
  get nothingAnswered(): boolean {
    return this.local && NOTHING_ANSWERED.has(returnCodeName(this.returnCode));
  }
}

const NOTHING_ANSWERED = new Set(['TARSINVOKETIMEOUT', 'TARSPROXYCONNECTERR', 'TARSADAPTERNULL', 'TARSSENDREQUESTERR']);

function whereOf(t: CallTarget): string {
  return `${t.obj}.${t.func}${t.endpoint ? ` at ${t.endpoint}` : ''}`;
}

/** Quotes a command-line argument for a POSIX shell when it needs it, so a hint can be pasted as it is. */
export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;
}

// Keyed by the catalogue's names: this folder depends on nothing, not even the protocol constants.
function hintFor(code: number, t: CallTarget, what: string): string {
  const ping = `tars ping ${shellQuote(`${t.obj}${t.endpoint ? `@${t.endpoint}` : ''}`)}`;
  switch (returnCodeName(code)) {
    case 'TARSINVOKETIMEOUT': return `is the server up and not overloaded? try: ${ping}`;
    case 'TARSPROXYCONNECTERR': return /\bTLS\b/.test(what)
      ? 'the connection opened but TLS did not (the reason is above): tars call, ping and describe take --ca, ' +
        '--cert and --key; a server gives its own in its ssl adapter\'s settings (docs/tls.md)'
      : t.endpoint
      ? `is the server listening at ${t.endpoint}? start it, or call another endpoint`
      : 'is the server listening there? start it, or call another endpoint';
    case 'TARSADAPTERNULL': return 'no endpoint is known or usable for the object; check the registry ' +
      `(tars registry find ${shellQuote(t.obj)}) or give endpoints with @`;
    case 'TARSSERVERNOFUNCERR': return 'the server does not implement this function: are client and ' +
      'server built from the same .tars file?';
    case 'TARSSERVERNOSERVANTERR': return 'the server does not host this object: check the object name and ' +
      'the endpoint';
    case 'TARSSERVERDECODEERR': return 'the server could not decode the arguments: are client and server ' +
      'built from the same .tars file?';
    case 'TARSCLIENTDECODEERR': return 'the response does not match the interface: are client and server ' +
      'built from the same .tars file?';
    case 'TARSSERVEROVERLOAD': return 'the server queue is full: retry later or add capacity';
    case 'TARSSERVERQUEUETIMEOUT': return 'the request waited too long in the server queue: the server is ' +
      'overloaded';
    case 'TARSSENDREQUESTERR': return 'the request could not be sent; it may be retried';
    case 'TARSSERVERUNKNOWNERR': return 'the servant threw: see the message and the server log';
    case 'AUTH_ERROR': return `check the accesskey/secretkey configured for ${t.obj} (<client><${t.obj}> ` +
      'accesskey, secretkey) and that both clocks agree within an hour';
    default: return 'see the server log';
  }
}
