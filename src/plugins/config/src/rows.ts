// The config center's data as plain values: a file slot's key, its level, the rows a store holds, and the checks
// every write goes through. No I/O here.

/** One config file slot: app level (server ''), server level (node ''), or node level; each optionally per SET. */
export interface FileKey {
  readonly app: string;
  /** '' = app level. */
  readonly server: string;
  /** '' = app or server level; else node level. */
  readonly node: string;
  /** name.area.group, '' = no SET. */
  readonly setId: string;
  readonly name: string;
}

/** t_config_files.level: 1 application, 2 server, 3 node (host). */
export type Level = 1 | 2 | 3;

/** A file slot with its current version, as the resolution reads it. */
export interface FileRow {
  /** Stable id, in creation order (the official auto-increment id): lists and references follow it. */
  readonly id: number;
  readonly key: FileKey;
  readonly level: Level;
  readonly version: number;
  readonly content: string;
  readonly author: string;
  /** ms since the epoch. */
  readonly time: number;
  readonly comment: string;
}

/** One version of a file. */
export interface VersionRow {
  readonly version: number;
  readonly content: string;
  readonly author: string;
  readonly time: number;
  readonly comment: string;
}

/** Everything the resolution needs: every file at its current version, and the references in the order added. */
export interface ConfigRows {
  readonly files: readonly FileRow[];
  /** [fromId, toId] pairs, in the order they were added. */
  readonly references: readonly (readonly [number, number])[];
  /**
   * The store's change stamp when these rows were read (every write moves it on): a config center sharing its store
   * with others compares it with the store's to know whether what it serves is still current.
   */
  readonly stamp?: number;
}

/** The default limit on one file's size, bytes (UTF-8): 1 MiB. The official table's longtext has none. */
export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;
/** The longest file name: t_config_files.filename is varchar(128). */
export const MAX_NAME_LENGTH = 128;

const TARS_NAME = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;

/** The level of a key. */
export function levelOf(key: FileKey): Level {
  return key.server === '' ? 1 : key.node === '' ? 2 : 3;
}

/** `App`, `App.Server` or `App.Server@node`, plus `[set]`, then `/name`: how errors and tables name a file. */
export function keyText(key: FileKey): string {
  const owner = key.server === '' ? key.app : `${key.app}.${key.server}`;
  return `${owner}${key.node ? `@${key.node}` : ''}${key.setId ? `[${key.setId}]` : ''}/${key.name}`;
}

/** Same slot. */
export function sameKey(a: FileKey, b: FileKey): boolean {
  return a.app === b.app && a.server === b.server && a.node === b.node && a.setId === b.setId && a.name === b.name;
}

/** Why a file name cannot be used, or undefined. */
export function nameProblem(name: string): string | undefined {
  if (name === '') return 'the file name is empty';
  if (name.includes('/') || name.includes('\\')) return `file name "${name}" contains a path separator (/ or \\)`;
  if (name.includes('..')) return `file name "${name}" contains ".."`;
  if (name.length > MAX_NAME_LENGTH) return `file name "${name.slice(0, 20)}..." is longer than ${MAX_NAME_LENGTH} characters`;
  if (/[\0-\x1f\x7f]/.test(name)) return `file name ${JSON.stringify(name)} contains a control character`;
  return undefined;
}

/** A SET id name.area.group split, or undefined when it is not one (three non-empty parts). */
export function splitSet(setId: string): [string, string, string] | undefined {
  const parts = setId.split('.');
  return parts.length === 3 && parts.every((p) => p !== '') ? parts as [string, string, string] : undefined;
}

/** Why a key cannot be written, or undefined: names, SET, level. */
export function keyProblem(key: FileKey): string | undefined {
  if (!TARS_NAME.test(key.app)) return `"${key.app}" is not an application name (letters, digits, _ and -)`;
  if (key.server !== '' && !TARS_NAME.test(key.server)) return `"${key.server}" is not a server name (letters, digits, _ and -)`;
  if (key.node !== '' && key.server === '') return 'a node-level file needs a server: App.Server, not App';
  if (key.node !== '' && !/^[A-Za-z0-9_.:-]+$/.test(key.node)) return `"${key.node}" is not a node name`;
  if (key.setId !== '' && !splitSet(key.setId)) return `set "${key.setId}" is not name.area.group`;
  return nameProblem(key.name);
}

/** Why a content cannot be stored, or undefined. */
export function contentProblem(content: string, maxBytes: number): string | undefined {
  const bytes = Buffer.byteLength(content, 'utf8');
  return bytes > maxBytes ? `the file is ${bytes} bytes, over the limit of ${maxBytes} bytes` : undefined;
}
