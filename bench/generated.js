// Loads real generator output into a benchmark: generates TypeScript from a .tars file next to this one with the
// compiled core (loadIdl + generate, exactly what `tars gen` runs) into bench/.gen/, then imports it through tsx.
// The generated module imports @tars-ts/core, which resolves to the compiled core/dist as in production.
import {mkdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import {assertNoErrors, generate, loadIdl} from '@tars-ts/core';
import {tsImport} from 'tsx/esm/api';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The generated module of `tarsFile` (relative to bench/). */
export async function loadGenerated(tarsFile) {
  const source = path.join(here, tarsFile);
  const {program, diagnostics} = loadIdl([source]);
  assertNoErrors(diagnostics);
  const outDir = path.join(here, '.gen');
  mkdirSync(outDir, {recursive: true});
  const files = generate(program, {sourceRoot: here});
  for (const f of files) writeFileSync(path.join(outDir, f.path), f.content);
  const entry = files.find((f) => f.source === source);
  return tsImport(path.join(outDir, entry.path), import.meta.url);
}
