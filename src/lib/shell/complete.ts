// Tab completion of a shell line: command names, object names from the registry (short ones under `use`), function
// names after `Obj.`, and parameter names inside `--data '{...}'`. The candidates are computed from what the
// session knows (its caches), given as functions, so that this stays pure of I/O.
import {SHELL_COMMANDS, splitLine} from './line.js';

/** An interface as completion needs it: functions with their in-parameters' names. */
export interface FunctionNames {
  readonly name: string;
  readonly params: readonly string[];
}

/** What completion may ask the session. */
export interface CompletionSource {
  /** Every object the registry lists (App.Server.Obj). */
  objects(): Promise<readonly string[]>;
  /** The functions of an object (full name), or undefined when its interface cannot be had. */
  functions(obj: string): Promise<readonly FunctionNames[] | undefined>;
  /** The `use` in effect. */
  readonly use: string | undefined;
}

/** Candidates for the word being typed, each the whole replacement of `word` (as readline's completer returns). */
export interface Completion {
  candidates: string[];
  /** The text being completed: the raw last word of the line (quotes included), or '' after a blank. */
  word: string;
}

const COMMANDS_TAKING_OBJECT = new Set(['ping', 'describe', 'find']);
const COMMANDS_TAKING_FUNC = new Set(['call', 'bench']);

const unique = (xs: Iterable<string>): string[] => [...new Set(xs)].sort();

/** The object names a word may start, full and (under `use`) short. */
function objectNames(objects: readonly string[], use: string | undefined): string[] {
  const short = use ? objects.filter((o) => o.startsWith(`${use}.`)).map((o) => o.slice(use.length + 1)) : [];
  return unique([...short, ...objects]);
}

/** `App.Server` names of the objects. */
function serverNames(objects: readonly string[]): string[] {
  return unique(objects.map((o) => o.split('.').slice(0, 2).join('.')));
}

/**
 * Completion of `line` (the text before the cursor). Commands first; then by command: object names (`ping`,
 * `describe`, `find`), `App.Server` (`use`, `stat`), `Obj.Func` and `Obj Func` (`call`, `bench`), `on|off`
 * (`.json`), command names (`help`); after a call's target, `--data`, and inside `--data '{...` the function's
 * in-parameter names not given yet (as JSON keys, `"name":`).
 */
export async function completeLine(line: string, source: CompletionSource): Promise<Completion> {
  const split = splitLine(line);
  const word = line.slice(split.partialStart);
  const typed = split.partial >= 0 ? split.words[split.partial]! : '';
  const index = split.partial >= 0 ? split.partial : split.words.length;
  const before = split.words.slice(0, index);
  const pick = (all: Iterable<string>): Completion =>
    ({candidates: unique([...all].filter((c) => c.startsWith(typed))), word});
  if (index === 0) return pick(SHELL_COMMANDS);
  const command = before[0]!;
  if (command === 'help' && index === 1) return pick(SHELL_COMMANDS);
  if (command === '.json' && index === 1) return pick(['on', 'off']);
  if ((command === 'use' || command === 'stat') && index === 1) {
    return pick([...serverNames(await source.objects()), ...(command === 'use' ? ['-'] : [])]);
  }
  if (COMMANDS_TAKING_OBJECT.has(command) && index === 1) return pick(objectNames(await source.objects(), source.use));
  if (!COMMANDS_TAKING_FUNC.has(command)) return {candidates: [], word};
  if (index === 1) return completeTarget(typed, word, source);
  // after the target: `Obj Func` (the function as the second word), then the arguments
  const target = resolveTarget(before.slice(1), source.use);
  if (target === undefined) return {candidates: [], word};
  if (target.func === undefined) {
    const functions = await source.functions(target.obj);
    return pick((functions ?? []).map((f) => f.name));
  }
  const previous = before.at(-1);
  if (previous === '--data' || typed.startsWith('--data=')) {
    const functions = await source.functions(target.obj);
    const params = functions?.find((f) => f.name === target.func)?.params ?? [];
    return {candidates: dataKeys(word, params), word};
  }
  if (typed.startsWith('-')) return pick(['--data', '--arg-types', ...(command === 'bench' ? ['-n', '-c'] : [])]);
  return {candidates: [], word};
}

/** The first word of `call`/`bench` being typed: objects, then `Obj.Func` once an object is written out. */
async function completeTarget(typed: string, word: string, source: CompletionSource): Promise<Completion> {
  const objects = await source.objects();
  const names = objectNames(objects, source.use);
  const dot = typed.lastIndexOf('.');
  const objPart = dot > 0 ? typed.slice(0, dot) : '';
  const known = names.includes(objPart) ? objPart : undefined;
  if (known !== undefined) {
    const full = known.split('.').length === 3 ? known : `${source.use}.${known}`;
    const functions = await source.functions(full);
    const candidates = (functions ?? []).map((f) => `${known}.${f.name}`).filter((c) => c.startsWith(typed));
    return {candidates: unique(candidates), word};
  }
  return {candidates: names.filter((n) => n.startsWith(typed)), word};
}

/** The object and, when written, the function of the words after `call`/`bench` (undefined when no object). */
function resolveTarget(words: readonly string[], use: string | undefined): {obj: string; func?: string} | undefined {
  const [first, second] = words;
  if (first === undefined || first.includes('@')) return undefined;
  const parts = first.split('.');
  if (parts.length === 4) return {obj: parts.slice(0, 3).join('.'), func: parts[3]!};
  if (parts.length === 2 && use) return {obj: `${use}.${parts[0]}`, func: parts[1]!};
  const obj = parts.length === 3 ? first : parts.length === 1 && use ? `${use}.${first}` : undefined;
  if (obj === undefined) return undefined;
  return second === undefined ? {obj} : {obj, func: second};
}

/**
 * The completions of a `--data` JSON object being typed (the raw word, quote included): the word extended by each
 * parameter name not given yet as `"name":`. `'{"re` -> `'{"req":`; `''` -> `'{"req":`.
 */
export function dataKeys(word: string, params: readonly string[]): string[] {
  const raw = word.startsWith('--data=') ? word.slice('--data='.length) : word;
  const head = word.slice(0, word.length - raw.length);
  const m = /^(?:'?\{?)(?<body>.*?)(?<key>"?)(?<name>[A-Za-z0-9_]*)$/s.exec(raw);
  if (!m?.groups) return [];
  const {body, name} = m.groups as {body: string; name: string};
  // always single-quoted: the shell's words keep the JSON's double quotes and blanks only inside quotes
  const open = '\'{';
  if (body !== '' && !/[{,]\s*$/.test(body)) return [];
  const given = new Set([...body.matchAll(/"([A-Za-z0-9_]+)"\s*:/g)].map((g) => g[1]!));
  return params.filter((p) => !given.has(p) && p.startsWith(name)).map((p) => `${head}${open}${body}"${p}":`);
}
