// Which store a log daemon reads, as an id a client can compare: several instances of the service that give the same
// id read the same data (one log directory shared by two daemons, one PostgreSQL schema shared by every notify
// store), so a gathering query asks one of them and shows each record once; different ids are gathered from each.
// The id is kept IN the store, so sharing the store shares it, and it is random, so two stores never collide.
import {randomUUID} from 'node:crypto';
import {promises as fsp} from 'node:fs';
import path from 'node:path';

/**
 * The file in the log directory that holds its id. A leading dot: no log file or directory the daemon writes starts
 * with one (naming.ts refuses it), and the directory walk skips such names, so retention never deletes it and no
 * query lists it.
 */
export const LOG_DIR_ID_FILE = '.tars-log-id';

/**
 * The id of the log directory `logPath`: the one in its {@link LOG_DIR_ID_FILE}, made now when there is none.
 * Daemons starting at the same moment on one directory agree: the file appears at once with its content (written
 * aside, then hard-linked into place, which fails when another got there first; that one's is read then).
 * Rejects when the directory cannot be written and holds no id.
 */
export async function logDirId(logPath: string): Promise<string> {
  const file = path.join(logPath, LOG_DIR_ID_FILE);
  const existing = await readId(file);
  if (existing) return existing;
  const id = randomUUID();
  const aside = `${file}.${process.pid}.${id}`;
  await fsp.writeFile(aside, `${id}\n`, {flag: 'wx'});
  try {
    await fsp.link(aside, file);
    return id;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const theirs = await readId(file);
    if (!theirs) throw new Error(`${file} holds no log directory id; delete it and start again`);
    return theirs;
  } finally {
    await fsp.unlink(aside).catch(() => undefined);
  }
}

/** The id a file holds (its first line, trimmed), or undefined when there is no such file or it is empty. */
async function readId(file: string): Promise<string | undefined> {
  try {
    return (await fsp.readFile(file, 'utf8')).split('\n')[0]!.trim() || undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
