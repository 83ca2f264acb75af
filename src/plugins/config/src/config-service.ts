// The config center's state and rules over a repository: the snapshot every ConfigF answer reads, and the writes
// (push, rollback, references) with their checks. A write that fails a check stores nothing; a write that passes
// is one repository transaction, then the snapshot is reloaded.
import {ConfigSnapshot} from './config-snapshot.js';
import type {ConfigRepository} from './repository.js';
import {
  DEFAULT_MAX_FILE_BYTES, type FileKey, type FileRow, type VersionRow, contentProblem, keyProblem, keyText, levelOf,
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
}

export class ConfigService {
  private current: ConfigSnapshot;
  readonly maxFileBytes: number;
  private readonly now: () => number;

  private constructor(readonly repository: ConfigRepository, first: ConfigSnapshot,
    private readonly options: ConfigServiceOptions) {
    this.current = first;
    this.maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
    this.now = options.now ?? Date.now;
  }

  static async open(repository: ConfigRepository, options: ConfigServiceOptions = {}): Promise<ConfigService> {
    return new ConfigService(repository, new ConfigSnapshot(await repository.loadRows()), options);
  }

  /** Every file at its current version. */
  snapshot(): ConfigSnapshot {
    return this.current;
  }

  private async reload(): Promise<void> {
    this.current = new ConfigSnapshot(await this.repository.loadRows());
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
    if (!this.current.file(key)) throw new ConfigRefused(`no file ${keyText(key)}`);
    if (!Number.isInteger(from) || from < 1) throw new ConfigRefused(`version ${from} is not a version number (1, 2, ...)`);
    const version = await this.repository.rollback(key, from, {author, time: this.now(),
      comment: comment || `rollback to version ${from}`});
    if (version === undefined) {
      const file = this.current.file(key)!;
      throw new ConfigRefused(`${keyText(key)} has no version ${from} (versions 1..${file.version})`);
    }
    await this.reload();
    return version;
  }

  /** The file at `key`, or a refusal naming it. */
  existing(key: FileKey): FileRow {
    this.checkKey(key);
    const file = this.current.file(key);
    if (!file) throw new ConfigRefused(`no file ${keyText(key)}`);
    return file;
  }

  async history(key: FileKey): Promise<VersionRow[]> {
    this.existing(key);
    return (await this.repository.history(key)) ?? [];
  }

  async version(key: FileKey, version: number): Promise<VersionRow> {
    const file = this.existing(key);
    const row = await this.repository.version(key, version);
    if (!row) throw new ConfigRefused(`${keyText(key)} has no version ${version} (versions 1..${file.version})`);
    return row;
  }

  /** `key` references `target`: both exist, and no reference chain leads from `target` back to `key`. */
  async addReference(key: FileKey, target: FileKey): Promise<void> {
    const from = this.existing(key);
    const to = this.existing(target);
    if (this.current.reaches(to.id, from.id)) {
      throw new ConfigRefused(from.id === to.id ? `${keyText(key)} cannot reference itself`
        : `${keyText(key)} -> ${keyText(target)} would make a cycle: ${keyText(target)} already leads to ${keyText(key)}`);
    }
    await this.repository.addReference(from.id, to.id);
    await this.reload();
  }

  async removeReference(key: FileKey, target: FileKey): Promise<boolean> {
    const from = this.existing(key);
    const to = this.existing(target);
    const removed = await this.repository.removeReference(from.id, to.id);
    await this.reload();
    return removed;
  }
}
