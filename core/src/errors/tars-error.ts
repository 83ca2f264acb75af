import {type ErrorCode, type ErrorSpec, errorSpec, errorSpecByWireCode} from './catalogue.js';

/** Where in the input a codec error happened; any part may be unknown. */
export interface ErrorDetails {
  /** Tag of the field being read or written. */
  tag?: number;
  /** Wire type code (0..15) found in the head. */
  wireType?: number;
  /** Byte offset into the buffer being decoded. */
  offset?: number;
  /** Anything else worth showing (names, limits). */
  [key: string]: unknown;
}

/**
 * The error type of the whole library. `code` is a stable string from the catalogue; `wireCode` is the TARS return
 * code when the error maps to one; `retryable` comes from the catalogue.
 */
export class TarsError extends Error {
  override name = 'TarsError';
  readonly code: ErrorCode;
  readonly wireCode: number | undefined;
  readonly retryable: boolean;
  readonly details: ErrorDetails;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}, options?: {cause?: unknown}) {
    super(message, options);
    const entry = errorSpec(code);
    this.code = code;
    this.wireCode = entry.wireCode;
    this.retryable = entry.retryable;
    this.details = details;
  }

  /** The catalogue entry: summary and hint for users. */
  get spec(): ErrorSpec {
    return errorSpec(this.code);
  }
}

/**
 * A TARS return code received from (or to be sent to) a peer. Codes outside BaseF (TarsGo sends 1 for business
 * errors) are kept as they are, with TARSSERVERUNKNOWNERR as the catalogue entry.
 */
export class TarsReturnCodeError extends TarsError {
  /** The exact code as on the wire. */
  readonly returnCode: number;

  constructor(returnCode: number, message: string, details: ErrorDetails = {}) {
    const entry = errorSpecByWireCode(returnCode);
    super((entry?.code ?? 'TARSSERVERUNKNOWNERR') as ErrorCode, message, details);
    this.returnCode = returnCode;
  }
}

/** Name of a TARS return code, e.g. -7 -> "TARSINVOKETIMEOUT"; "TARSSERVERSUCCESS" for 0; "UNKNOWN(n)" otherwise. */
export function returnCodeName(code: number): string {
  if (code === 0) return 'TARSSERVERSUCCESS';
  return errorSpecByWireCode(code)?.code ?? `UNKNOWN(${code})`;
}
