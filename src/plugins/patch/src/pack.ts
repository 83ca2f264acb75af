// The pack step of `tars patch upload <App.Server> DIR`: the directory becomes a .tgz with the `tar` package (never
// a shell), copied first by the kit's copyPackageTree, the rule the node follows when it stages a package (a
// `tars new` project's file: link to @tars-ts/core replaced by what npm would install). The copy is made in a
// temporary directory, then packed.
import {mkdtemp, readdir, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import {UserError, copyPackageTree} from '@tars-ts/kit';

/**
 * Packs the directory `dir` into the gzip tarball `out` (paths relative to the directory's root, portable headers:
 * no owner names, no mtimes of the packing machine's users). Temporary files are removed, also on failure.
 */
export async function packDirectory(dir: string, out: string): Promise<void> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'tars-patch-pack-'));
  try {
    const staged = path.join(tmp, 'package');
    await copyPackageTree(dir, staged);
    const tar = await import('tar');
    const top = (await readdir(staged)).sort();
    if (top.length === 0) {
      throw new UserError(`${dir} has nothing to pack`, {code: 'BAD_ARGUMENT',
        hint: 'give the directory of a built project (tars new makes one)'});
    }
    await tar.c({file: out, gzip: true, portable: true, cwd: staged}, top);
  } finally {
    await rm(tmp, {recursive: true, force: true});
  }
}
