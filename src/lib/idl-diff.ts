import {execFileSync} from 'node:child_process';
import {existsSync, readFileSync, realpathSync, statSync} from 'node:fs';
import path from 'node:path';

import {
  type IdlChange, type IdlChangeSeverity, type IdlProgram, type Pos, SEVERITY_ORDER, assertNoErrors, compareIdl,
  loadIdl,
} from '@tars-ts/core';

import {UserError} from '@tars-ts/kit';

/** One change as `tars idl diff --json` and `tars gen --against --json` print it: positions as `file:line`. */
export interface IdlDiffChange {
  kind: string;
  severity: IdlChangeSeverity;
  module: string;
  definition: string;
  member?: string;
  message: string;
  /** `file:line` in the old version (for a git ref: `<ref>:<path in the repository>:line`). */
  old?: string;
  /** `file:line` in the new version. */
  new?: string;
}

/** The outcome of a comparison: counts per severity and every change, breaking first. */
export interface IdlDiffReport {
  breaking: number;
  risky: number;
  compatible: number;
  changes: IdlDiffChange[];
}

/** What `tars gen --against` compared with, and the report. */
export interface AgainstReport extends IdlDiffReport {
  /** The --against value as given. */
  against: string;
  /** Input files that did not exist in the old version (everything in them counts as added). */
  newFiles: string[];
}

/** How to show a file of one side in positions and diagnostics. */
type Display = (file: string) => string;

function rel(cwd: string, file: string): string {
  const r = path.relative(cwd, file);
  return r === '' || r.startsWith('..') || path.isAbsolute(r) ? file : r;
}

/**
 * Loads and checks entry files; IDL errors throw the same error `tars gen` reports (every diagnostic with
 * file:line:col, exit 1), with files named by `display`.
 */
function loadChecked(entries: readonly string[], includeDirs: readonly string[], display: Display,
  readFile?: (abs: string) => string | undefined): IdlProgram {
  const loaded = loadIdl(entries, {includeDirs, ...(readFile ? {readFile} : {})});
  assertNoErrors(loaded.diagnostics.map((d) => ({...d, file: display(d.file)})));
  return loaded.program;
}

/** Orders changes breaking first (stable otherwise), formats positions and counts severities. */
export function diffReport(changes: readonly IdlChange[], showOld: Display, showNew: Display): IdlDiffReport {
  const at = (show: Display, p?: Pos): string | undefined => p === undefined ? undefined : `${show(p.file)}:${p.line}`;
  const sorted = [...changes].sort((a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity));
  const count = (s: IdlChangeSeverity): number => changes.filter((c) => c.severity === s).length;
  return {
    breaking: count('breaking'), risky: count('risky'), compatible: count('compatible'),
    changes: sorted.map((c) => {
      const old = at(showOld, c.old);
      const now = at(showNew, c.new);
      return {kind: c.kind, severity: c.severity, module: c.module, definition: c.definition,
        ...(c.member === undefined ? {} : {member: c.member}), message: c.message,
        ...(old === undefined ? {} : {old}), ...(now === undefined ? {} : {new: now})};
    }),
  };
}

/**
 * The report as text: one line per change (breaking first) with what changed and where, then a summary line:
 *
 * ```text
 * breaking    required-field-added  Demo::Req.age  new Hello.tars:7: required field 'age' (tag 3, int) is new: ...
 * 1 breaking, 0 risky, 2 compatible
 * ```
 */
export function formatReport(report: IdlDiffReport): string[] {
  const lines = report.changes.map((c) => {
    const where = [c.old === undefined ? '' : `old ${c.old}`, c.new === undefined ? '' : `new ${c.new}`]
      .filter((s) => s !== '').join(', ');
    const what = `${c.module}::${c.definition}${c.member === undefined ? '' : `.${c.member}`}`;
    return `${c.severity.padEnd(10)}  ${c.kind.padEnd(28)}  ${what}  (${where}): ${c.message}`;
  });
  lines.push(report.changes.length === 0
    ? 'no changes'
    : `${report.breaking} breaking, ${report.risky} risky, ${report.compatible} compatible`);
  return lines;
}

function checkFile(given: string, cwd: string): string {
  const abs = path.resolve(cwd, given);
  if (!existsSync(abs)) {
    throw new UserError(`${given}: no such file`, {hint: 'check the path of the .tars file', code: 'IDL_FILE_NOT_FOUND'});
  }
  if (statSync(abs).isDirectory()) {
    throw new UserError(`${given} is a directory, not a .tars file`, {hint: 'tars idl diff OLD.tars NEW.tars'});
  }
  return abs;
}

function checkIncludeDirs(include: readonly string[], cwd: string): string[] {
  return include.map((d) => {
    const abs = path.resolve(cwd, d);
    if (!existsSync(abs) || !statSync(abs).isDirectory()) {
      throw new UserError(`include directory ${d} does not exist`, {
        hint: '-I/--include takes a directory that holds .tars files to #include'});
    }
    return abs;
  });
}

/** What `tars idl diff` is asked to compare. */
export interface IdlDiffRequest {
  old: string;
  new: string;
  include: readonly string[];
  cwd?: string;
}

/**
 * `tars idl diff`: loads both files (each with its includes, looked up from its own directory, then -I), checks
 * them and compares. Missing files are usage errors; IDL errors fail as in `tars gen`.
 */
export function runIdlDiff(req: IdlDiffRequest): IdlDiffReport {
  const cwd = req.cwd ?? process.cwd();
  const oldFile = checkFile(req.old, cwd);
  const newFile = checkFile(req.new, cwd);
  const includeDirs = checkIncludeDirs(req.include, cwd);
  const show = (f: string): string => rel(cwd, f);
  const oldProgram = loadChecked([oldFile], includeDirs, show);
  const newProgram = loadChecked([newFile], includeDirs, show);
  return diffReport(compareIdl(oldProgram, newProgram), show, show);
}

function git(args: readonly string[], cwd: string): string | undefined {
  try {
    return execFileSync('git', args, {cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 64 * 1024 * 1024, timeout: 30_000});
  } catch {
    return undefined;
  }
}

/** The directory that holds every file (the inputs' common root). */
function commonDirectory(files: readonly string[]): string {
  let dir = path.dirname(files[0]);
  for (const f of files) {
    while (!(f + path.sep).startsWith(dir + path.sep) && dir !== path.dirname(dir)) dir = path.dirname(dir);
  }
  return dir;
}

/** What `tars gen --against` compares. */
export interface AgainstRequest {
  /** A git ref (branch, tag, commit), or an existing .tars file or directory holding the old versions. */
  against: string;
  /** The input files, absolute. */
  entries: readonly string[];
  /** Include directories, absolute. */
  includeDirs: readonly string[];
  /** The new program, already loaded and checked. */
  program: IdlProgram;
  cwd: string;
}

/**
 * `tars gen --against`: loads the old version of the input files and compares it with the new program.
 *
 * - An existing directory: each input is looked up at its path relative to the inputs' common directory inside it.
 * - An existing file: the old version of the single input file.
 * - Otherwise a git ref of the repository holding the inputs: every file inside the repository (inputs and their
 *   includes, also from -I directories inside it) is read with `git show <ref>:<path>`; files outside it from disk.
 *
 * Inputs that do not exist in the old version are listed in `newFiles` (everything in them is added). A ref that
 * is not a commit, or inputs outside a repository, are usage errors; an old version with IDL errors fails with its
 * diagnostics, named `<ref>:<path>`.
 */
export function compareAgainst(req: AgainstRequest): AgainstReport {
  const {against, cwd} = req;
  const showNew = (f: string): string => rel(cwd, f);
  const given = path.resolve(cwd, against);
  let oldEntries: string[];
  let showOld: Display = showNew;
  let readFile: ((abs: string) => string | undefined) | undefined;
  let includeDirs = [...req.includeDirs];
  const newFiles: string[] = [];

  if (existsSync(given)) {
    if (statSync(given).isDirectory()) {
      const root = commonDirectory(req.entries);
      oldEntries = req.entries.map((e) => path.join(given, path.relative(root, e)));
    } else {
      if (req.entries.length !== 1) {
        throw new UserError(`--against ${against} is one file, but ${req.entries.length} .tars files are generated`, {
          hint: 'give a directory holding the old versions, or a git ref (--against main)'});
      }
      oldEntries = [given];
    }
    for (const [i, e] of oldEntries.entries()) if (!existsSync(e)) newFiles.push(showNew(req.entries[i]));
    oldEntries = oldEntries.filter((e) => existsSync(e));
  } else {
    const from = path.dirname(req.entries[0]);
    const top = git(['rev-parse', '--show-toplevel'], from)?.trim();
    if (top === undefined || top === '') {
      throw new UserError(`--against ${against}: no such file or directory, and ${showNew(from)} is not in a git ` +
        'repository', {hint: 'give the old .tars file or a directory holding the old versions, or run inside a git ' +
        'repository to compare with a ref (--against main)'});
    }
    if (git(['rev-parse', '--verify', '--quiet', `${against}^{commit}`], top) === undefined) {
      throw new UserError(`--against ${against} is neither an existing .tars file or directory nor a commit of the ` +
        `git repository ${top}`, {hint: 'give a branch, tag or commit (main, HEAD~1, v1.2.0), or the path of the old ' +
        '.tars file or directory'});
    }
    const root = realpathSync(top);
    const inRepo = (abs: string): string | undefined => {
      const r = path.relative(root, abs);
      return r === '' || r.startsWith('..') || path.isAbsolute(r) ? undefined : r.split(path.sep).join('/');
    };
    readFile = (abs) => {
      const r = inRepo(abs);
      if (r === undefined) {
        try {
          return readFileSync(abs, 'utf8');
        } catch {
          return undefined;
        }
      }
      return git(['show', `${against}:${r}`], root);
    };
    showOld = (f) => {
      const r = inRepo(f);
      return r === undefined ? showNew(f) : `${against}:${r}`;
    };
    const real = req.entries.map((e) => realpathSync(e));
    includeDirs = includeDirs.map((d) => realpathSync(d));
    oldEntries = [];
    for (const [i, e] of real.entries()) {
      if (readFile(e) === undefined) newFiles.push(showNew(req.entries[i]));
      else oldEntries.push(e);
    }
  }
  const oldProgram = oldEntries.length === 0
    ? loadIdl([]).program
    : loadChecked(oldEntries, includeDirs, showOld, readFile);
  return {against, newFiles, ...diffReport(compareIdl(oldProgram, req.program), showOld, showNew)};
}
