/**
 * `@tars-ts/core/errors`: the error catalogue and the error classes alone. A command that only needs to report
 * errors loads this, not the whole runtime (the CLI's start-up time).
 */
export {ERROR_CATALOGUE, type ErrorCode, type ErrorSpec, errorSpec, errorSpecByWireCode} from './catalogue.js';
export {errorCatalogueMarkdown} from './docs-table.js';
export {type ErrorDetails, TarsError, TarsReturnCodeError, returnCodeName} from './tars-error.js';
export {type CallTarget, TarsCallError, shellQuote} from './call-error.js';
