// The file a server's stdout and stderr go to, rotated by size. The process gets the file itself (an O_APPEND
// descriptor), not a pipe through the node: a server must outlive a node restart, as official servers do (the
// official Activator points stdout/stderr at the log file before exec), and a pipe whose reader died would kill it
// with EPIPE at its next write. So rotation is copy-then-truncate, done by the node between writes: the process keeps
// appending to the same descriptor, which after the truncate writes from offset 0 again.
import fs from 'node:fs';
import path from 'node:path';

/** Size rotation settings. */
export interface LogRotation {
  /** Rotate once the file reaches this many bytes. Default 10 MiB. */
  readonly maxBytes: number;
  /** Rotated files kept besides the live one (`.1` newest ... `.N` oldest). Default 5. */
  readonly files: number;
}

/**
 * Defaults of this node. The official node does not rotate the redirected stdout/stderr at all (it appends to
 * `<logpath>/<app>/<server>/<app>.<server>.log` forever); servers' own roll logs rotate in the framework library.
 */
export const DEFAULT_LOG_ROTATION: LogRotation = {maxBytes: 10 * 1024 * 1024, files: 5};

/**
 * One size-rotated log file: `file` is live, `file.1` ... `file.<files>` are older. Contract: {@link open} gives a
 * descriptor for a child's stdout/stderr (the caller closes its copy after spawning); {@link rotate} may be called at
 * any time (the supervisor calls it from each check and before each start) and is cheap when there is nothing to do.
 * Bytes written between the copy and the truncate of a rotation are lost; that window is one copy of at most
 * `maxBytes` plus what was written since the last check.
 */
export class RotatedLog {
  readonly rotation: LogRotation;

  constructor(readonly file: string, rotation: Partial<LogRotation> = {}) {
    this.rotation = {...DEFAULT_LOG_ROTATION, ...rotation};
    if (!(this.rotation.maxBytes > 0) || !(this.rotation.files >= 1)) {
      throw new RangeError(`log rotation needs maxBytes > 0 and files >= 1 (got ${this.rotation.maxBytes}, ${this.rotation.files})`);
    }
  }

  /** Opens the live file for appending (creating it and its directory). The caller owns the descriptor. */
  open(): number {
    fs.mkdirSync(path.dirname(this.file), {recursive: true});
    return fs.openSync(this.file, 'a');
  }

  /**
   * When the live file has reached `maxBytes`: shifts `.k` to `.k+1` (dropping the oldest), copies the live file to
   * `.1` and truncates it. Returns whether it rotated. Never throws for a missing file.
   */
  rotate(): boolean {
    let size: number;
    try {
      size = fs.statSync(this.file).size;
    } catch {
      return false;
    }
    if (size < this.rotation.maxBytes) return false;
    const {files} = this.rotation;
    fs.rmSync(`${this.file}.${files}`, {force: true});
    for (let k = files - 1; k >= 1; k--) {
      try {
        fs.renameSync(`${this.file}.${k}`, `${this.file}.${k + 1}`);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    fs.copyFileSync(this.file, `${this.file}.1`);
    fs.truncateSync(this.file, 0);
    return true;
  }

  /** The live file and the rotated ones that exist, newest first. */
  files(): string[] {
    const all = [this.file];
    for (let k = 1; k <= this.rotation.files; k++) all.push(`${this.file}.${k}`);
    return all.filter((f) => fs.existsSync(f));
  }
}
