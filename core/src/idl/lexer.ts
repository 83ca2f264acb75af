import type {Diagnostic, Pos} from './ast.js';
import {diagnosticAt} from './diagnostics.js';
import {SourceText} from './source-text.js';

/** Every keyword of the .tars language (protocol.md 4.1, the TarsCpp list); none may be used as a name. */
export const KEYWORDS: ReadonlySet<string> = new Set([
  'module', 'struct', 'interface', 'enum', 'const', 'key', 'routekey', 'require', 'optional', 'out', 'void',
  'unsigned', 'true', 'false', 'bool', 'byte', 'short', 'int', 'long', 'float', 'double', 'string', 'vector', 'map',
]);

export type TokenKind = 'ident' | 'keyword' | 'int' | 'float' | 'string' | 'punct' | 'include' | 'eof';

/** One token. Tokens never span lines (strings cannot hold a raw newline), which keeps `end` trivial. */
export interface Token {
  readonly kind: TokenKind;
  /**
   * The token as written: the identifier, keyword or punctuation (`::` included), the literal's source text, or
   * `#include`. Empty for `eof`.
   */
  readonly text: string;
  /** Where the token starts. */
  readonly pos: Pos;
  /** The position just past the token's last character, where a missing `;` after it belongs. */
  readonly end: Pos;
  /** The value of an `int` token (full 64-bit precision and beyond; range checks are the checker's job). */
  readonly intValue?: bigint;
  /** The value of a `float` token. */
  readonly floatValue?: number;
  /** The decoded value of a `string` token (escapes applied). */
  readonly stringValue?: string;
}

/** What {@link tokenize} returns: the tokens, always ending with one `eof` token, and the lexical errors. */
export interface LexResult {
  readonly tokens: Token[];
  readonly diagnostics: Diagnostic[];
}

/** Lexical errors beyond this many are dropped; the parser's own cap then stops the run. */
const MAX_LEX_DIAGNOSTICS = 100;

const PUNCT = '{}()<>[];,=';

const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isHex = (c: string): boolean => isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
const isIdentStart = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
const isIdentPart = (c: string): boolean => isIdentStart(c) || isDigit(c);
const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v';

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\', '"': '"', '\'': '\'', '?': '?', n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v',
};

/**
 * Splits .tars source into tokens (protocol.md 4.1). Never throws and always terminates: a malformed piece of input
 * becomes a diagnostic and lexing goes on after it, so one run reports every lexical error.
 *
 * Numbers follow `strtoll(s, 0)`: decimal, `0x` hex, and octal with a leading 0, each with an optional `+`/`-`.
 * A float has a `.` and/or an exponent and may end in `f`/`F`. Strings take the C escapes `\\ \" \' \? \n \t \r \a
 * \b \f \v`, octal `\NNN` (so `\0`) and hex `\xHH`; a `\xHH` or octal escape yields the code point U+00HH.
 *
 * The `eof` token sits just after the last token. An unterminated block comment swallows the rest of the file, so
 * `eof` is then placed where the comment starts: the braces it leaves open are reported on the comment's line and
 * folded into its error.
 */
export function tokenize(text: string, file: string, source: SourceText = new SourceText(file, text)): LexResult {
  const tokens: Token[] = [];
  const diagnostics: Diagnostic[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  let lineStart = 0;
  let eofPos: Pos | undefined;
  // A run of stray characters gets one diagnostic, not one per character (binary garbage would flood the list).
  let strayRunEnd = -1;

  const posOf = (offset: number): Pos => ({file, line, col: offset - lineStart + 1});
  const error = (pos: Pos, message: string, hint: string): void => {
    if (diagnostics.length < MAX_LEX_DIAGNOSTICS) diagnostics.push(diagnosticAt(source, pos, message, hint));
  };
  const push = (kind: TokenKind, start: number, extra: Partial<Token> = {}): void => {
    const pos = posOf(start);
    tokens.push({kind, text: text.slice(start, i), pos, end: {file, line, col: pos.col + (i - start)}, ...extra});
  };

  while (i < text.length) {
    const c = text[i]!;
    if (c === '\n') {
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (isSpace(c)) {
      i++;
      continue;
    }
    const start = i;

    if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const open = posOf(start);
      const close = text.indexOf('*/', i + 2);
      const stop = close < 0 ? text.length : close + 2;
      for (i += 2; i < stop; i++) {
        if (text[i] === '\n') {
          line++;
          lineStart = i + 1;
        }
      }
      if (close < 0) {
        error(open, 'unterminated comment: \'/*\' has no matching \'*/\'', 'close the comment with \'*/\'');
        eofPos = open;
      }
      continue;
    }

    if (isIdentStart(c)) {
      while (i < text.length && isIdentPart(text[i]!)) i++;
      push(KEYWORDS.has(text.slice(start, i)) ? 'keyword' : 'ident', start);
      continue;
    }

    const signed = (c === '-' || c === '+');
    const body = signed ? i + 1 : i;
    if (isDigit(text[body] ?? '') || (text[body] === '.' && isDigit(text[body + 1] ?? ''))) {
      lexNumber(start, body);
      continue;
    }

    if (c === '"') {
      lexString(start);
      continue;
    }

    if (c === '#') {
      i++;
      while (text[i] === ' ' || text[i] === '\t') i++;
      const wordStart = i;
      while (i < text.length && isIdentPart(text[i]!)) i++;
      const word = text.slice(wordStart, i);
      if (word === 'include') {
        push('include', start);
      } else {
        error(posOf(start), `unknown directive '#${word}'`,
          'the only directive is #include "file.tars"; remove this line');
        while (i < text.length && text[i] !== '\n') i++;
      }
      continue;
    }

    if (c === ':') {
      if (text[i + 1] === ':') {
        i += 2;
        push('punct', start);
      } else {
        i++;
        error(posOf(start), 'unexpected \':\'', 'scoped names use two colons: \'Module::Name\'');
      }
      continue;
    }

    if (PUNCT.includes(c)) {
      i++;
      push('punct', start);
      continue;
    }

    // Anything else is a stray character; step over a whole code point so a surrogate pair is not split.
    const cp = text.codePointAt(i)!;
    i += cp > 0xffff ? 2 : 1;
    if (start !== strayRunEnd) {
      const shown = cp >= 0x20 && cp < 0x7f ? `'${String.fromCodePoint(cp)}'`
        : `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
      error(posOf(start), `unexpected character ${shown}`,
        'remove it; .tars files hold only names, numbers, "strings", comments and { } ( ) < > [ ] ; , = ::');
    }
    strayRunEnd = i;
  }

  // The end of input sits just after the last token, so "expected '}'" points at where the brace belongs rather
  // than at an empty line after trailing blank lines or comments.
  const last = eofPos ?? tokens[tokens.length - 1]?.end ?? posOf(i);
  tokens.push({kind: 'eof', text: '', pos: last, end: last});
  return {tokens, diagnostics};

  /** Reads a number whose digits (after any sign) start at `body`. */
  function lexNumber(start: number, body: number): void {
    i = body;
    const negative = text[start] === '-';
    let isFloat = false;
    let bad = false;
    let value = 0n;
    if (text[i] === '0' && (text[i + 1] === 'x' || text[i + 1] === 'X')) {
      i += 2;
      const digits = i;
      while (i < text.length && isHex(text[i]!)) i++;
      if (i === digits) bad = true;
      else value = BigInt('0x' + text.slice(digits, i));
    } else {
      const digits = i;
      while (i < text.length && isDigit(text[i]!)) i++;
      const intPart = text.slice(digits, i);
      if (text[i] === '.') {
        isFloat = true;
        i++;
        while (i < text.length && isDigit(text[i]!)) i++;
      }
      if ((text[i] === 'e' || text[i] === 'E') &&
          (isDigit(text[i + 1] ?? '') || ((text[i + 1] === '+' || text[i + 1] === '-') && isDigit(text[i + 2] ?? '')))) {
        isFloat = true;
        i += 2;
        while (i < text.length && isDigit(text[i]!)) i++;
      }
      if (isFloat && (text[i] === 'f' || text[i] === 'F')) i++;
      if (!isFloat) {
        if (intPart.length > 1 && intPart[0] === '0') {
          if (/[89]/.test(intPart)) {
            while (i < text.length && isIdentPart(text[i]!)) i++;
            error(posOf(start), `invalid octal literal '${text.slice(start, i)}'`,
              'a leading 0 makes a number octal (digits 0-7); remove the leading 0 for a decimal number');
            push('int', start, {intValue: 0n});
            return;
          }
          value = BigInt('0o' + intPart.slice(1));
        } else {
          value = BigInt(intPart);
        }
      }
    }
    // A number glued to letters ("12ab", "0x", "1f") is one malformed token, not a number and a name.
    if (bad || (i < text.length && isIdentPart(text[i]!))) {
      while (i < text.length && isIdentPart(text[i]!)) i++;
      error(posOf(start), `invalid number '${text.slice(start, i)}'`,
        'write a decimal (42), hex (0x2A), octal (052) or float (4.2, 4.2e1, 4.2f) number');
      push('int', start, {intValue: 0n});
      return;
    }
    if (isFloat) {
      const raw = text.slice(start, i).replace(/[fF]$/, '');
      const floatValue = Number(raw);
      if (!Number.isFinite(floatValue)) {
        error(posOf(start), `float literal '${text.slice(start, i)}' is too large`,
          'the largest double is about 1.8e308');
      }
      push('float', start, {floatValue: Number.isFinite(floatValue) ? floatValue : 0});
      return;
    }
    push('int', start, {intValue: negative ? -value : value});
  }

  /** Reads a string literal starting at the opening quote. */
  function lexString(start: number): void {
    i++;
    let value = '';
    for (;;) {
      if (i >= text.length || text[i] === '\n') {
        error(posOf(start), 'unterminated string: the line ends before the closing \'"\'',
          'close the string with \'"\' on the same line; write a line break inside it as \\n');
        break;
      }
      const ch = text[i]!;
      if (ch === '"') {
        i++;
        break;
      }
      if (ch !== '\\') {
        value += ch;
        i++;
        continue;
      }
      const escStart = i;
      const e = text[i + 1] ?? '';
      if (e in SIMPLE_ESCAPES) {
        value += SIMPLE_ESCAPES[e];
        i += 2;
      } else if (e >= '0' && e <= '7') {
        i++;
        let code = 0;
        for (let n = 0; n < 3 && text[i]! >= '0' && text[i]! <= '7'; n++) code = code * 8 + (text.charCodeAt(i++) - 48);
        if (code > 255) {
          error(posOf(escStart), `octal escape '${text.slice(escStart, i)}' is larger than \\377`,
            'an octal escape names one byte, 0..377 (octal)');
        }
        value += String.fromCharCode(code & 0xff);
      } else if (e === 'x') {
        i += 2;
        const digits = i;
        while (i < digits + 2 && isHex(text[i] ?? '')) i++;
        if (i === digits) {
          error(posOf(escStart), 'missing hex digits after \\x', 'write a byte as \\xHH, e.g. \\x41');
        } else {
          value += String.fromCharCode(parseInt(text.slice(digits, i), 16));
        }
      } else if (e === '\n' || e === '') {
        i++;
      } else {
        error(posOf(escStart), `unknown escape '\\${e}' in string`,
          'valid escapes are \\\\ \\" \\\' \\n \\t \\r \\0, octal \\NNN and hex \\xHH; write a backslash as \\\\');
        value += e;
        i += 2;
      }
    }
    push('string', start, {stringValue: value});
  }
}
