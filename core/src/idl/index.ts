/**
 * The .tars IDL front end (protocol.md section 4): lexer, parser, include loader and semantic checks, producing the
 * AST that code generators consume. Pure library code: no output, no process exit; problems come back as
 * {@link Diagnostic}s.
 */
export type * from './ast.js';
export {KEYWORDS, type LexResult, type Token, type TokenKind, tokenize} from './lexer.js';
export {MAX_DIAGNOSTICS, type ParseResult, parseIdl} from './parser.js';
export {type LoadOptions, type LoadResult, loadIdl} from './loader.js';
export {assertNoErrors, formatDiagnostic, formatDiagnostics, hasErrors} from './diagnostics.js';
export {closestName} from './suggest.js';
export {
  type IdlChange, type IdlChangeKind, type IdlChangeSeverity, SEVERITY_ORDER, compareIdl, idlTypeText,
} from './compat.js';
