import * as fs from 'node:fs';
import * as path from 'node:path';
import type {Diagnostic, IdlFile, IdlProgram, IncludeDecl} from './ast.js';
import {checkProgram} from './checker.js';
import {diagnosticAt} from './diagnostics.js';
import {parseIdl} from './parser.js';
import {SourceText} from './source-text.js';

/** Options of {@link loadIdl}. */
export interface LoadOptions {
  /** Directories searched for `#include "x.tars"` after the including file's own directory, in order. */
  readonly includeDirs?: readonly string[];
  /**
   * Reads a file by absolute path; returns undefined when it does not exist or cannot be read. Defaults to reading
   * UTF-8 from disk. Pass an in-memory map for tests or editors holding unsaved buffers.
   */
  readonly readFile?: (absPath: string) => string | undefined;
}

/** What {@link loadIdl} returns: the program (partial when there were errors) and every problem found. */
export interface LoadResult {
  readonly program: IdlProgram;
  readonly diagnostics: Diagnostic[];
}

function readFromDisk(absPath: string): string | undefined {
  try {
    return fs.readFileSync(absPath, 'utf8');
  } catch {
    return undefined;
  }
}

/** A path for messages: relative to the working directory when it lies below it, absolute otherwise. */
function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

/**
 * Loads .tars entry files with everything they `#include`, and checks the whole as one program.
 *
 * - An include is looked up relative to the including file's directory, then in each of `includeDirs` (as
 *   tars2go does); an absolute include path is used as is when it exists, else its base name is looked up in
 *   those directories (as tarsparse's current-path options do). Every file is read and parsed once, however often
 *   it is included.
 * - A missing entry file gives a diagnostic with line 0 naming the path as given; a missing include gives one at
 *   the `#include`. Both carry `code: 'IDL_FILE_NOT_FOUND'`.
 * - An include cycle is reported at the `#include` that closes it, with the chain (a.tars -> b.tars -> a.tars),
 *   and is not followed.
 * - Then the semantic checks run over every file (see protocol.md 4.2), included files before their includers:
 *   modules are merged across blocks and files into `program.modules` (the first definition of a name wins),
 *   names and enumerators are resolved, enum values computed and keys attached.
 *
 * Never throws on bad input; callers that want an exception use `assertNoErrors` on the diagnostics.
 * Diagnostics come sorted by file (in load order), line and column.
 */
export function loadIdl(entries: readonly string[], options: LoadOptions = {}): LoadResult {
  const read = options.readFile ?? readFromDisk;
  const includeDirs = (options.includeDirs ?? []).map((d) => path.resolve(d));
  const files = new Map<string, IdlFile>();
  const sources = new Map<string, SourceText>();
  const diagnostics: Diagnostic[] = [];
  const entryPaths: string[] = [];
  const state = new Map<string, 'loading' | 'done'>();
  const stack: string[] = [];
  const missingIncludes = new Set<string>();
  // Included files before their includers, as a C preprocessor would see them: a name defined twice is then
  // reported in the including file (the one being written), not in the shared file it includes.
  const checkOrder: string[] = [];

  const load = (abs: string, text: string): void => {
    state.set(abs, 'loading');
    stack.push(abs);
    const source = new SourceText(abs, text);
    sources.set(abs, source);
    const parsed = parseIdl(text, abs);
    files.set(abs, parsed.file);
    diagnostics.push(...parsed.diagnostics);
    for (const inc of parsed.file.includes) {
      const search = includeSearch(inc, abs);
      const found = resolveInclude(search.candidates);
      if (found === undefined) {
        missingIncludes.add(abs);
        diagnostics.push({
          ...diagnosticAt(source, inc.pos, `cannot find included file '${inc.path}'`,
            `${search.looked}; add the directory that holds it to the include directories (-I/--include)`),
          code: 'IDL_FILE_NOT_FOUND',
        });
        continue;
      }
      inc.resolved = found.abs;
      const s = state.get(found.abs);
      if (s === 'loading') {
        const chain = [...stack.slice(stack.indexOf(found.abs)), found.abs].map((f) => displayPath(f));
        diagnostics.push(diagnosticAt(source, inc.pos, `include cycle: ${chain.join(' -> ')}`,
          'remove one of these #include lines; files cannot include each other in a circle'));
      } else if (s === undefined) {
        load(found.abs, found.text);
      }
    }
    stack.pop();
    state.set(abs, 'done');
    checkOrder.push(abs);
  };

  const cache = new Map<string, string | undefined>();
  const readCached = (abs: string): string | undefined => {
    if (!cache.has(abs)) cache.set(abs, read(abs));
    return cache.get(abs);
  };

  /**
   * Where an include is looked for, in order, and the words saying so. A relative path is looked up in the including
   * file's directory, then in each include directory. An absolute path that does not exist (a file written on
   * another machine) falls back to its base name in those same directories, as tarsparse does with its current-path
   * options (tars2cpp --currentPriority, tars2node --relative).
   */
  const includeSearch = (inc: IncludeDecl, from: string): {candidates: string[]; looked: string} => {
    const dirs = [...new Set([path.dirname(from), ...includeDirs])];
    const shownDirs = dirs.map(displayPath).join(', ');
    if (!path.isAbsolute(inc.path)) {
      return {candidates: dirs.map((d) => path.resolve(d, inc.path)), looked: `looked in ${shownDirs}`};
    }
    const base = path.basename(inc.path);
    return {
      candidates: [path.resolve(inc.path), ...dirs.map((d) => path.join(d, base))],
      looked: `looked for ${path.resolve(inc.path)}, then for '${base}' in ${shownDirs}`,
    };
  };

  const resolveInclude = (candidates: readonly string[]): {abs: string; text: string} | undefined => {
    for (const abs of candidates) {
      // A file already loaded (or being loaded) is found without reading it again.
      if (state.has(abs)) return {abs, text: ''};
      const text = readCached(abs);
      if (text !== undefined) return {abs, text};
    }
    return undefined;
  };

  for (const entry of entries) {
    const abs = path.resolve(entry);
    if (entryPaths.includes(abs)) continue;
    if (state.has(abs)) {
      entryPaths.push(abs);
      continue;
    }
    const text = readCached(abs);
    if (text === undefined) {
      diagnostics.push({
        severity: 'error', message: `cannot find file '${entry}'`, hint: 'check the path of the .tars file',
        file: entry, line: 0, col: 0, code: 'IDL_FILE_NOT_FOUND',
      });
      continue;
    }
    entryPaths.push(abs);
    load(abs, text);
  }

  const visible = includeClosures(files);
  const incomplete = new Set<string>();
  for (const [file, seen] of visible) if ([...seen].some((f) => missingIncludes.has(f))) incomplete.add(file);

  const checkFiles = new Map(checkOrder.map((f) => [f, files.get(f)!]));
  const checked = checkProgram({files: checkFiles, sources, visible, incomplete, display: displayPath});
  diagnostics.push(...checked.diagnostics);

  const order = new Map([...files.keys()].map((f, i) => [f, i]));
  const indexed = diagnostics.map((d, i) => ({d, i}));
  indexed.sort((a, b) =>
    (order.get(a.d.file) ?? -1) - (order.get(b.d.file) ?? -1) || a.d.line - b.d.line || a.d.col - b.d.col ||
    a.i - b.i);

  return {
    program: {files, entries: entryPaths, modules: checked.modules},
    diagnostics: indexed.map((x) => x.d),
  };
}

/** For each file, itself plus every file it includes, transitively (cycles included safely). */
function includeClosures(files: ReadonlyMap<string, IdlFile>): Map<string, Set<string>> {
  const result = new Map<string, Set<string>>();
  for (const start of files.keys()) {
    const seen = new Set<string>([start]);
    const todo = [start];
    while (todo.length > 0) {
      const f = files.get(todo.pop()!);
      for (const inc of f?.includes ?? []) {
        if (inc.resolved !== undefined && !seen.has(inc.resolved)) {
          seen.add(inc.resolved);
          todo.push(inc.resolved);
        }
      }
    }
    result.set(start, seen);
  }
  return result;
}
