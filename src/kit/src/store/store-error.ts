import type {ErrorCode} from '@tars-ts/core/errors';

import {UserError} from '../errors.js';

/** The codes a store can fail to open with (the catalogue's STORE_ERRORS). */
export type StoreErrorCode = Extract<ErrorCode, `STORE_${string}`>;

/**
 * A store that cannot be opened, as one line a daemon can print as it is: which store (`where`: its file, or its
 * database without credentials), what is wrong, what to do. The hint repeats what to do, for the CLI's `hint:`.
 */
export function storeError(code: StoreErrorCode, where: string, what: string, todo: string, cause?: unknown): UserError {
  return new UserError(`cannot open the store ${where}: ${what}; ${todo}`, {code, hint: todo, cause});
}
