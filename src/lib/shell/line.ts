// The words of a shell line and what they name: quoting as a POSIX shell has it ('...', "...", backslash), the
// shell's commands, `call`/`bench` options, and object names shortened by `use App.Server`. Pure: no I/O.
import {UserError} from '@tars-ts/kit';

/** The shell's commands, in the order `help` lists them. */
export const SHELL_COMMANDS = ['call', 'bench', 'ping', 'describe', 'find', 'servers', 'stat', 'use', '.json', 'help',
  'exit', 'quit'] as const;

/** Each command's usage, its summary (the `help` list) and more (`help CMD`). */
export const COMMAND_HELP: Readonly<Record<string, {usage: string; summary: string; more?: string}>> = {
  call: {usage: 'call Obj.Func [args...]', summary: 'call a function (also: call Obj Func [args...])',
    more: 'arguments one per in-parameter as with tars call (strings as they are, numbers and booleans as text, ' +
      'structs and containers as JSON), or --data \'{"param": value}\'; --arg-types int,string,... calls with no ' +
      'interface'},
  bench: {usage: 'bench Obj.Func [args...] [-n N] [-c C]', summary: 'N calls, C in flight: calls/s and latencies',
    more: 'N defaults to 1000 (at most 1000000), C to 1 (at most 1000); prints calls/s, p50/p90/p99/max latency ' +
      'and the outcomes by return code; Ctrl-C stops it and prints what it has'},
  ping: {usage: 'ping Obj', summary: 'tars_ping every endpoint, with the round-trip times'},
  describe: {usage: 'describe Obj', summary: 'the interface of Obj',
    more: 'from the .tars files here, reflection, or the .tars files of the deployed version'},
  find: {usage: 'find Obj', summary: 'the registry\'s endpoints of Obj, active and inactive, with their nodes'},
  servers: {usage: 'servers', summary: 'the deployed servers: setting and present state per node'},
  stat: {usage: 'stat [App.Server]', summary: 'the last 15 minutes of call statistics',
    more: 'per callee, or per interface of App.Server: calls, errors, timeouts, average and p99 latency'},
  use: {usage: 'use [App.Server | -]', summary: 'shorten names: Obj means App.Server.Obj',
    more: 'then Obj.Func and Obj resolve to App.Server.Obj; alone it shows what is in use, "-" clears it'},
  '.json': {usage: '.json on|off', summary: 'answers as JSON documents, or as text'},
  help: {usage: 'help [command]', summary: 'this list, or one command\'s usage'},
  exit: {usage: 'exit | quit | Ctrl-D', summary: 'end the session'},
  quit: {usage: 'quit', summary: 'end the session'},
};

/** A line cut into words, and where the last word starts (for completion). */
export interface SplitLine {
  words: string[];
  /** The line still has a quote open at its end. */
  open: boolean;
  /** The last word is being typed (no space after it): its index in `words`, else -1. */
  partial: number;
  /** Where the last word starts in the line (its raw text, quotes included, is `line.slice(partialStart)`). */
  partialStart: number;
}

/**
 * Cuts `line` into words as a POSIX shell does: blanks separate words; '...' keeps everything; "..." keeps all but
 * `\"` and `\\`; a backslash outside quotes keeps the next character. A quote left open is closed at the end (and
 * `open` says so), so a line being typed always splits.
 */
export function splitLine(line: string): SplitLine {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '\'' | '"' | undefined;
  let start = 0;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote === '\'') {
      if (ch === '\'') quote = undefined;
      else word += ch;
    } else if (quote === '"') {
      if (ch === '"') quote = undefined;
      else if (ch === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\')) word += line[++i];
      else word += ch;
    } else if (ch === ' ' || ch === '\t') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      if (!inWord) start = i;
      inWord = true;
      if (ch === '\'' || ch === '"') quote = ch;
      else if (ch === '\\' && i + 1 < line.length) word += line[++i];
      else word += ch;
    }
  }
  if (inWord) words.push(word);
  return {words, open: quote !== undefined, partial: inWord ? words.length - 1 : -1,
    partialStart: inWord ? start : line.length};
}

/** `App.Server` as `use` takes it: two names of letters, digits, `_` and `-`. */
const SERVER_NAME = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** Checks the argument of `use`: `App.Server`, or a usage error saying what is expected. */
export function checkUse(name: string): string {
  if (!SERVER_NAME.test(name)) {
    throw new UserError(`use takes App.Server, not "${name}"`, {hint: 'use TestApp.HelloGo (then SayHelloObj means ' +
      'TestApp.HelloGo.SayHelloObj); use - clears it'});
  }
  return name;
}

/**
 * The full name of an object as written in the shell: `Obj@endpoints` and `App.Server.Obj` as they are; a bare
 * `Obj` is `<use>.Obj` when `use` is set. Anything else is a usage error naming the forms.
 */
export function qualifyObject(name: string, use: string | undefined): string {
  if (name.includes('@')) return name;
  const parts = name.split('.');
  if (parts.length === 3 && parts.every((p) => p !== '')) return name;
  if (parts.length === 1 && name !== '' && use) return `${use}.${name}`;
  throw new UserError(`"${name}" is not an object name`, {code: 'BAD_NAME', hint: use
    ? `write App.Server.Obj, or Obj for ${use}.Obj` : 'write App.Server.Obj (or `use App.Server` first, then Obj)'});
}

/**
 * The object and function a `call` or `bench` names, and the words after them: `App.Server.Obj.Func`, or
 * `App.Server.Obj Func`, or `"Obj@tcp -h ... -p ..." Func`; with `use`, `Obj.Func` and `Obj Func` too.
 */
export function targetOfCall(words: readonly string[], use: string | undefined): {obj: string; func: string;
  rest: string[]} {
  const [first, ...after] = words;
  const usage = new UserError('call what? give the object and the function', {hint: 'call App.Server.Obj.Func ' +
    'ARGS..., or call App.Server.Obj Func ARGS...' + (use ? `, or call Obj.Func ARGS... (in ${use})` : '')});
  if (first === undefined || first === '') throw usage;
  const parts = first.split('.');
  const dotted = !first.includes('@') && (parts.length === 4 || (parts.length === 2 && use !== undefined));
  if (dotted) {
    const func = parts.pop()!;
    return {obj: qualifyObject(parts.join('.'), use), func, rest: after};
  }
  const [func, ...rest] = after;
  if (func === undefined) throw usage;
  return {obj: qualifyObject(first, use), func, rest};
}

/** What `call` and `bench` take besides the target: the call's arguments, and their own options. */
export interface CallWords {
  args: string[];
  data?: string;
  argTypes?: string;
  /** bench: calls to make. */
  n?: number;
  /** bench: calls in flight. */
  c?: number;
}

/** Default and greatest `bench -n` and `-c`. */
export const BENCH_LIMITS = {n: 1000, maxN: 1_000_000, c: 1, maxC: 1000} as const;

function count(flag: string, text: string | undefined, max: number): number {
  const n = text === undefined ? Number.NaN : Number(text);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new UserError(`${flag} takes a whole number from 1 to ${max}, not ${text === undefined ? 'nothing' : `"${text}"`}`,
      {hint: 'bench Obj.Func ARGS... -n 10000 -c 16'});
  }
  return n;
}

/**
 * The words after a call's target: `--data JSON` and `--arg-types T` (as `tars call` has them), with `bench` also
 * `-n N` and `-c C`; every other word is an argument (`--` ends the options: the words after it are arguments even
 * when they start with a dash).
 */
export function parseCallWords(words: readonly string[], bench: boolean): CallWords {
  const out: CallWords = {args: []};
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const value = (): string => {
      const v = words[++i];
      if (v === undefined) throw new UserError(`${w} needs a value`, {hint: COMMAND_HELP[bench ? 'bench' : 'call']!.usage});
      return v;
    };
    if (w === '--') {
      out.args.push(...words.slice(i + 1));
      break;
    }
    if (w === '--data') out.data = value();
    else if (w.startsWith('--data=')) out.data = w.slice('--data='.length);
    else if (w === '--arg-types') out.argTypes = value();
    else if (w.startsWith('--arg-types=')) out.argTypes = w.slice('--arg-types='.length);
    else if (bench && w === '-n') out.n = count('-n', value(), BENCH_LIMITS.maxN);
    else if (bench && w === '-c') out.c = count('-c', value(), BENCH_LIMITS.maxC);
    else out.args.push(w);
  }
  return out;
}
