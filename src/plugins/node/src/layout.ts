// Where a node keeps each server it manages: `<data>/<App>.<Server>/` with `bin/` (the package), `conf/` (the
// generated config), `data/` and `log/` (framework.md 2.2). Every path a package or a deploy names is resolved
// inside that directory: nothing of a server can reach outside it.
import path from 'node:path';

import {UserError} from '@tars-ts/kit';

/** The directories of one server on a node. */
export interface ServerLayout {
  /** `<data>/<App>.<Server>`. */
  readonly root: string;
  /** The package: what `tars server deploy --package` copied. */
  readonly bin: string;
  /** The generated TARS config file lives here (`<App>.<Server>.config.conf`). */
  readonly conf: string;
  /** The server's own data (its `datapath`; the endpoint cache file goes there). */
  readonly data: string;
  /** stdout/stderr of the process and the server's own log (`logpath`). */
  readonly log: string;
  /** The generated config file. */
  readonly configFile: string;
}

/** App and Server names: what TARS accepts in object names (letters, digits, `_`, `-`), never a path. */
const NAME = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;

/**
 * The layout of `App.Server` under the node's data directory. A name that is not a plain TARS name (a `/`, `..`,
 * an empty part) is a BAD_NAME error: the name becomes a directory.
 */
export function serverLayout(dataDir: string, application: string, serverName: string): ServerLayout {
  for (const [what, name] of [['application', application], ['server', serverName]] as const) {
    if (!NAME.test(name)) {
      throw new UserError(`${what} name "${name}" is not a TARS name (letters, digits, _ and -)`, {code: 'BAD_NAME'});
    }
  }
  const root = path.join(path.resolve(dataDir), `${application}.${serverName}`);
  const conf = path.join(root, 'conf');
  return {root, bin: path.join(root, 'bin'), conf, data: path.join(root, 'data'), log: path.join(root, 'log'),
    configFile: path.join(conf, `${application}.${serverName}.config.conf`)};
}

/**
 * `relative` (a path from a package or a deploy: an entry script, a file of a tarball) resolved inside `base`.
 * Absolute paths and paths that climb out (`..`, or a symlink-free equivalent) are refused with BAD_NAME: a
 * package can never write or run anything outside its server's directory.
 */
export function inside(base: string, relative: string): string {
  if (relative === '' || path.isAbsolute(relative) || relative.includes('\0')) {
    throw new UserError(`"${relative}" is not a path inside the package`, {code: 'BAD_NAME',
      hint: 'paths in a package are relative to its root and stay inside it'});
  }
  const resolved = path.resolve(base, relative);
  const rel = path.relative(base, resolved);
  if (rel === '' || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) {
    throw new UserError(`"${relative}" leaves the package directory`, {code: 'BAD_NAME',
      hint: 'paths in a package are relative to its root and stay inside it'});
  }
  return resolved;
}
