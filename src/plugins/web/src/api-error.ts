// The one error shape of the console's JSON API: {error: {code, message, hint}} with an HTTP status, never a stack.

/** An API failure: its HTTP status and what the answer's `error` says. */
export class ApiError extends Error {
  /**
   * @param status 400 bad input, 401 no session, 403 CSRF or foreign origin, 404 unknown server or route, 409 the
   *   node refused, 502 a base service did not answer
   * @param code a stable upper-case code (BAD_REQUEST, NO_SESSION, CSRF, NO_SERVER, NO_ANSWER, ...)
   * @param hint what to do about it
   */
  constructor(readonly status: number, readonly code: string, message: string, readonly hint: string) {
    super(message);
    this.name = 'ApiError';
  }

  /** The answer's body. */
  toJSON(): {error: {code: string; message: string; hint: string}} {
    return {error: {code: this.code, message: this.message, hint: this.hint}};
  }
}

/**
 * A failed call to a base service as the API's error: an ApiError stays as it is; anything else is 502 NO_ANSWER
 * naming `what` (its first line of message only) with `hint`.
 */
export function noAnswer(error: unknown, what: string, hint = 'is it running? tars cluster status says'): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError(502, 'NO_ANSWER', `${what} did not answer: ${(error as Error).message.split('\n')[0]}`, hint);
}

/** Runs `call`; a failure rejects with {@link noAnswer}. */
export async function askService<T>(what: string, call: () => Promise<T>, hint?: string): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw noAnswer(error, what, hint);
  }
}
