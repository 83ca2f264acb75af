// Where the config center keeps its files: an abstract repository (the SQL one is ./sql-repository.ts). Every
// write is one transaction: a push or a rollback either stores a whole version and makes it current, or nothing.
// Writes of every process sharing the store run one at a time, so version numbers are handed out without gaps or
// duplicates, and each moves the store's change stamp on.
import type {ConfigRows, FileKey, Level, VersionRow} from './rows.js';

/** A version to store. */
export interface NewVersion {
  readonly content: string;
  readonly author: string;
  readonly time: number;
  readonly comment: string;
}

export interface ConfigRepository {
  /** Every file at its current version, and every reference, in creation order; with the change stamp they match. */
  loadRows(): Promise<ConfigRows>;
  /**
   * The store's change stamp: a number every write (push, rollback, reference added or removed), through any config
   * center sharing the store, moves on in the write's own transaction. Equal stamps: nothing changed in between.
   */
  stamp(): Promise<number>;
  /** Stores the next version of `key` (creating the file at `level` on its first push); returns its number. */
  push(key: FileKey, level: Level, version: NewVersion): Promise<number>;
  /**
   * Stores the content of version `from` of `key` again as its next version, with `version`'s author, time and
   * comment; the new number, or undefined when the file or that version does not exist (nothing stored).
   */
  rollback(key: FileKey, from: number, version: Omit<NewVersion, 'content'>): Promise<number | undefined>;
  /** Every version of `key`, oldest first; undefined when the file does not exist. */
  history(key: FileKey): Promise<VersionRow[] | undefined>;
  /** Version `version` of `key` (0: the current one). */
  version(key: FileKey, version: number): Promise<VersionRow | undefined>;
  /**
   * Adds the reference from file id `from` to `to` (after the ones it has); false when it exists already. `check`,
   * when given, runs in the write's transaction on every reference stored then, and may throw to store nothing.
   */
  addReference(from: number, to: number, check?: (references: ConfigRows['references']) => void): Promise<boolean>;
  /** Removes it; false when there was none. */
  removeReference(from: number, to: number): Promise<boolean>;
}
