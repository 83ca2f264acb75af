// The config center's state and rules over a repository: the snapshot every ConfigF answer reads, and the writes
// (push, rollback, references) with their checks. A write that fails a check stores nothing; a write that passes
// is one repository transaction, then the snapshot is reloaded.
//
// Several config centers may share one store (PostgreSQL): then the snapshot of each is a cache of the store that
// another's write makes stale. Every answer first reads the store's change stamp (one small query) and reloads the
// snapshot when it moved, so a call that starts after a write was acknowledged, through any config center, sees it.
// Calls that arrive together share one stamp read (one that started after they arrived) and one reload.
import {ConfigSnapshot} from './config-snapshot.js';
import type {ConfigRepository} from './repository.js';
import {
  type ConfigRows, DEFAULT_MAX_FILE_BYTES, type FileKey, type FileRow, type VersionRow, contentProblem, keyProblem, keyText, levelOf,
} from './rows.js';

/** A deployed server instance, as the registry lists it: what names a push may use. */
export interface KnownInstance {
  readonly app: string;
  readonly server: string;
  readonly node: string;
  readonly setId: string;
}

/** A rule a write broke: ConfigCtl answers -1 with the message, and nothing is stored. */
export class ConfigRefused extends Error {}

export interface ConfigServiceOptions {
  /** Largest file, bytes (default {@link DEFAULT_MAX_FILE_BYTES}). */
  maxFileBytes?: number;
  /**
   * The deployed instances (the registry's), to refuse a push for an app, server or node that does not exist.
   * Absent: every well-formed name is accepted (a config center with no registry).
   */
  instances?: () => Promise<readonly KnownInstance[]>;
  now?: () => number;
  /**
   * Other config centers may write the store (a shared PostgreSQL database): check its change stamp before every
   * answer ({@link ConfigService.fresh}). False (the default): this one is the only writer, the snapshot is always
   * current.
   */
  shared?: boolean;
}

export class ConfigService {
  private current: ConfigSnapshot;
  readonly maxFileBytes: number;
  private readonly now: () => number;
  /** The stamp read in flight, and the one queued after it for the calls that arrived while it ran. */
  private checking: Promise<ConfigSnapshot> | undefined;
  private queued: Promise<ConfigSnapshot> | undefined;

  private constructor(readonly repository: ConfigRepository, first: ConfigSnapshot,
    private readonly options: ConfigServiceOptions) {
    this.current = first;
    this.maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
    this.now = options.now ?? Date.now;
  }

  static async open(repository: ConfigRepository, options: ConfigServiceOptions = {}): Promise<ConfigService> {
    return new ConfigService(repository, new ConfigSnapshot(await repository.loadRows()), options);
  }

  /**
   * Every file at its current version, as this config center last read them: current unless the store is shared
   * (then see {@link fresh}).
   */
  snapshot(): ConfigSnapshot {
    return this.current;
  }

  /**
   * The snapshot, current as of this call: with a shared store, after a read of the store's change stamp that
   * started after the call (and a reload when another config center wrote since the last one); at once otherwise.
   * Rejects when the store cannot be read.
   */
  fresh(): Promise<ConfigSnapshot> {
    if (!this.options.shared) return Promise.resolve(this.current);
    if (!this.checking) {
      const check = this.check().finally(() => {
        if (this.checking === check) this.checking = undefined;
      });
      this.checking = check;
      return check;
    }
    // The read in flight may have started before this call: wait for the next one, shared by every call that
    // arrives meanwhile.
    this.queued ??= this.checking.catch(() => undefined).then(() => {
      this.queued = undefined;
      return this.fresh();
    });
    return this.queued;
  }

  private async check(): Promise<ConfigSnapshot> {
    const stamp = await this.repository.stamp();
    if (stamp !== this.current.rows.stamp) await this.reload();
    return this.current;
  }

  private async reload(): Promise<void> {
    const next = new ConfigSnapshot(await this.repository.loadRows());
    // Two reloads may finish out of order: never go back to an older state of the store.
    if ((next.rows.stamp ?? 0) >= (this.current.rows.stamp ?? 0)) this.current = next;
  }

  private async checkKnown(key: FileKey): Promise<void> {
    if (!this.options.instances) return;
    let instances: readonly KnownInstance[];
    try {
      instances = await this.options.instances();
    } catch (error) {
      throw new ConfigRefused(`cannot check ${keyText(key)} against the registry: ${(error as Error).message}`);
    }
    const ofApp = instances.filter((i) => i.app === key.app);
    if (ofApp.length === 0) throw new ConfigRefused(`unknown application "${key.app}": no server of it is deployed`);
    if (key.server === '') return;
    const ofServer = ofApp.filter((i) => i.server === key.server);
    if (ofServer.length === 0) {
      throw new ConfigRefused(`unknown server "${key.app}.${key.server}": it is not deployed (servers of ${key.app}: ` +
        `${[...new Set(ofApp.map((i) => i.server))].sort().join(', ')})`);
    }
    if (key.node !== '' && !ofServer.some((i) => i.node === key.node)) {
      throw new ConfigRefused(`${key.app}.${key.server} has no instance on node "${key.node}" (it runs on ` +
        `${[...new Set(ofServer.map((i) => i.node))].sort().join(', ')})`);
    }
  }

  private checkKey(key: FileKey): void {
    const problem = keyProblem(key);
    if (problem) throw new ConfigRefused(problem);
  }

  /** Stores `content` as the next version of `key`; its number. */
  async push(key: FileKey, content: string, author: string, comment: string): Promise<number> {
    this.checkKey(key);
    await this.fresh();
    const big = contentProblem(content, this.maxFileBytes);
    if (big) throw new ConfigRefused(`${keyText(key)}: ${big}`);
    await this.checkKnown(key);
    const version = await this.repository.push(key, levelOf(key), {content, author, time: this.now(), comment});
    await this.reload();
    return version;
  }

  /** Stores version `from`'s content again as the next version; the new number. */
  async rollback(key: FileKey, from: number, author: string, comment: string): Promise<number> {
    this.checkKey(key);
    await this.fresh();
    if (!this.current.file(key)) throw new ConfigRefused(`no file ${keyText(key)}`);
    if (!Number.isInteger(from) || from < 1) throw new ConfigRefused(`version ${from} is not a version number (1, 2, ...)`);
    const version = await this.repository.rollback(key, from, {author, time: this.now(),
      comment: comment || `rollback to version ${from}`});
    if (version === undefined) {
      const file = (await this.fresh()).file(key);
      throw new ConfigRefused(file ? `${keyText(key)} has no version ${from} (versions 1..${file.version})`
        : `no file ${keyText(key)}`);
    }
    await this.reload();
    return version;
  }

  /** The file at `key` (current as of this call, see {@link fresh}), or a refusal naming it. */
  async existing(key: FileKey): Promise<FileRow> {
    this.checkKey(key);
    const file = (await this.fresh()).file(key);
    if (!file) throw new ConfigRefused(`no file ${keyText(key)}`);
    return file;
  }

  async history(key: FileKey): Promise<VersionRow[]> {
    await this.existing(key);
    return (await this.repository.history(key)) ?? [];
  }

  async version(key: FileKey, version: number): Promise<VersionRow> {
    const file = await this.existing(key);
    const row = await this.repository.version(key, version);
    if (!row) throw new ConfigRefused(`${keyText(key)} has no version ${version} (versions 1..${file.version})`);
    return row;
  }

  /** `key` references `target`: both exist, and no reference chain leads from `target` back to `key`. */
  async addReference(key: FileKey, target: FileKey): Promise<void> {
    const from = await this.existing(key);
    const to = await this.existing(target);
    // Checked again inside the write, on the references stored then: another config center sharing the store may
    // have added one since this snapshot.
    const refuseCycle = (references: ConfigRows['references']): void => {
      if (new ConfigSnapshot({files: [], references}).reaches(to.id, from.id)) {
        throw new ConfigRefused(from.id === to.id ? `${keyText(key)} cannot reference itself`
          : `${keyText(key)} -> ${keyText(target)} would make a cycle: ${keyText(target)} already leads to ${keyText(key)}`);
      }
    };
    refuseCycle(this.current.rows.references);
    await this.repository.addReference(from.id, to.id, refuseCycle);
    await this.reload();
  }

  async removeReference(key: FileKey, target: FileKey): Promise<boolean> {
    const from = await this.existing(key);
    const to = await this.existing(target);
    const removed = await this.repository.removeReference(from.id, to.id);
    await this.reload();
    return removed;
  }
}
