import {existsSync, mkdirSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import path from 'node:path';

import {type GeneratedFile, type IdlProgram, assertNoErrors, formatDiagnostic, generate, loadIdl} from '@tars-ts/core';

import {UserError} from '@tars-ts/kit';

import {type AgainstReport, compareAgainst} from './idl-diff.js';

/** What `tars gen` is asked to do. */
export interface GenRequest {
  /** .tars files, relative to `cwd` or absolute. */
  files: readonly string[];
  /** Output directory. */
  out: string;
  /** Extra directories searched for #include files. */
  include: readonly string[];
  /** Module the generated code imports the runtime from (default `@tars-ts/core`). */
  importFrom?: string;
  /**
   * Compare with this old version first (a git ref, or an existing .tars file or directory; see
   * {@link compareAgainst}); a breaking change stops the run before anything is written.
   */
  against?: string;
  cwd?: string;
}

/** The fate of one generated file. */
export interface GenFileResult {
  /** The .tars file, as a path relative to the working directory. */
  source: string;
  /** The generated file, relative to the working directory. */
  path: string;
  /** written: new content saved; unchanged: already up to date; stale: differs on disk (with --check). */
  status: 'written' | 'unchanged' | 'stale';
}

/** The outcome of one generation run. */
export interface GenResult {
  files: GenFileResult[];
  /** Warnings found in the IDL, formatted. */
  warnings: string[];
  /** Every file the program read (entries and includes), absolute: what --watch watches. */
  inputs: string[];
  ms: number;
  /** With `against`: the comparison. When it has breaking changes, `files` is empty: nothing was generated. */
  against?: AgainstReport;
}

function checkInputs(req: GenRequest, cwd: string): {entries: string[]; includeDirs: string[]; out: string} {
  if (req.files.length === 0) throw new UserError('no .tars file given', {hint: 'tars gen Hello.tars [--out DIR]'});
  const entries = req.files.map((f) => path.resolve(cwd, f));
  for (const [i, file] of entries.entries()) {
    if (!existsSync(file)) {
      throw new UserError(`${req.files[i]}: no such file`, {hint: 'check the path of the .tars file',
        code: 'IDL_FILE_NOT_FOUND'});
    }
    if (statSync(file).isDirectory()) {
      throw new UserError(`${req.files[i]} is a directory, not a .tars file`, {hint: `try ${req.files[i]}/*.tars`});
    }
  }
  const includeDirs = req.include.map((d) => path.resolve(cwd, d));
  for (const [i, dir] of includeDirs.entries()) {
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      throw new UserError(`include directory ${req.include[i]} does not exist`, {
        hint: '-I/--include takes a directory that holds .tars files to #include'});
    }
  }
  const out = path.resolve(cwd, req.out);
  if (existsSync(out) && !statSync(out).isDirectory()) {
    throw new UserError(`--out ${req.out} is a file, not a directory`, {hint: 'give a directory for the generated files'});
  }
  return {entries, includeDirs, out};
}

/** Loads and checks the IDL, then generates every file of the program in memory. Throws on errors. */
export function planGeneration(req: GenRequest): {program: IdlProgram; out: string; files: GeneratedFile[];
  warnings: string[]; entries: string[]; includeDirs: string[]} {
  const cwd = req.cwd ?? process.cwd();
  const {entries, includeDirs, out} = checkInputs(req, cwd);
  const loaded = loadIdl(entries, {includeDirs});
  // Diagnostics name the files as the user would: relative to the working directory.
  const diagnostics = loaded.diagnostics.map((d) => ({...d, file: rel(cwd, d.file)}));
  assertNoErrors(diagnostics);
  const {program} = loaded;
  const warnings = diagnostics.filter((d) => d.severity === 'warning').map((d) => formatDiagnostic(d));
  const files = generate(program, {sourceRoot: commonDirectory(entries), coreImport: req.importFrom});
  const seen = new Map<string, string>();
  for (const f of files) {
    const other = seen.get(f.path);
    if (other) {
      throw new UserError(`${rel(cwd, other)} and ${rel(cwd, f.source)} would both generate ${f.path}`, {
        hint: 'rename one of the .tars files: generated files are named after them in one output directory'});
    }
    seen.set(f.path, f.source);
  }
  return {program, out, files, warnings, entries, includeDirs};
}

/** Runs one generation: writes changed files, or with `check` only compares. */
export function runGeneration(req: GenRequest & {check?: boolean}): GenResult {
  const started = performance.now();
  const cwd = req.cwd ?? process.cwd();
  const plan = planGeneration(req);
  const inputs = [...plan.program.files.keys()];
  let against: AgainstReport | undefined;
  if (req.against !== undefined) {
    against = compareAgainst({against: req.against, entries: plan.entries, includeDirs: plan.includeDirs,
      program: plan.program, cwd});
    if (against.breaking > 0) {
      return {files: [], warnings: plan.warnings, inputs, ms: Math.round(performance.now() - started), against};
    }
  }
  if (!req.check) mkdirSync(plan.out, {recursive: true});
  const results = plan.files.map((f): GenFileResult => {
    const target = path.join(plan.out, f.path);
    const current = existsSync(target) ? readFileSync(target, 'utf8') : undefined;
    let status: GenFileResult['status'] = 'unchanged';
    if (current !== f.content) {
      if (req.check) {
        status = 'stale';
      } else {
        writeFileSync(target, f.content);
        status = 'written';
      }
    }
    return {source: rel(cwd, f.source), path: rel(cwd, target), status};
  });
  return {files: results, warnings: plan.warnings, inputs, ms: Math.round(performance.now() - started),
    ...(against === undefined ? {} : {against})};
}

function rel(cwd: string, file: string): string {
  const r = path.relative(cwd, file);
  return r.startsWith('..') ? file : r || '.';
}

function commonDirectory(files: readonly string[]): string {
  let dir = path.dirname(files[0]);
  for (const f of files) {
    while (!(f + path.sep).startsWith(dir + path.sep) && dir !== path.dirname(dir)) dir = path.dirname(dir);
  }
  return dir;
}
