// An immutable index of every config file at its current version, answering what ConfigF answers, by the official
// tarsconfig's rules (spec/framework.md 2.4, checked against TarsFramework's ConfigServer): pieces are joined with
// "\r\n\r\n", an empty piece adds nothing (no separator either), and later pieces win because TARS config parsers
// keep the last value of a key.
import {type ConfigRows, type FileKey, type FileRow, type Level, levelOf, splitSet} from './rows.js';

/** What joins two pieces of a merged file, as the official config server writes it. */
export const PIECE_SEPARATOR = '\r\n\r\n';

/** The official mergeConfig: `low` then `high`, with the separator only when both are non-empty. */
export function mergePieces(...pieces: string[]): string {
  return pieces.filter((p) => p !== '').join(PIECE_SEPARATOR);
}

/** A resolution's answer: ret 0 with the merged text, or -1 (a malformed SET). */
export interface Resolved {
  ret: number;
  config: string;
}

function indexKey(level: Level, app: string, server: string, node: string, setId: string, name: string): string {
  return [level, app, server, node, setId, name].join('\u0000');
}

/** Every file at its current version; immutable. Build a new one after each write. */
export class ConfigSnapshot {
  private readonly byKey = new Map<string, FileRow>();
  private readonly byId = new Map<number, FileRow>();
  private readonly refs = new Map<number, number[]>();

  constructor(readonly rows: ConfigRows) {
    for (const f of rows.files) {
      this.byKey.set(indexKey(f.level, f.key.app, f.key.server, f.key.node, f.key.setId, f.key.name), f);
      this.byId.set(f.id, f);
    }
    for (const [from, to] of rows.references) {
      const list = this.refs.get(from) ?? [];
      list.push(to);
      this.refs.set(from, list);
    }
  }

  /** The files sorted by id (creation order). */
  get files(): readonly FileRow[] {
    return this.rows.files;
  }

  /** The file at `key`, if it exists. */
  file(key: FileKey): FileRow | undefined {
    return this.byKey.get(indexKey(levelOf(key), key.app, key.server, key.node, key.setId, key.name));
  }

  /** The files `file` references, in the order the references were added. */
  referencesOf(id: number): FileRow[] {
    return (this.refs.get(id) ?? []).map((r) => this.byId.get(r)).filter((r): r is FileRow => r !== undefined);
  }

  /** Whether `to` can be reached from `from` following references (or is `from`). */
  reaches(from: number, to: number): boolean {
    const seen = new Set<number>();
    const stack = [from];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (id === to) return true;
      if (seen.has(id)) continue;
      seen.add(id);
      stack.push(...(this.refs.get(id) ?? []));
    }
    return false;
  }

  /** This snapshot with `key` holding `content` (added when it does not exist): what a push would make. */
  withContent(key: FileKey, content: string): ConfigSnapshot {
    const existing = this.file(key);
    const files = existing ? this.rows.files.map((f) => f.id === existing.id ? {...f, content} : f)
      : [...this.rows.files, {id: Math.max(0, ...this.rows.files.map((f) => f.id)) + 1, key, level: levelOf(key),
        version: 0, content, author: '', time: 0, comment: ''}];
    return new ConfigSnapshot({files, references: this.rows.references});
  }

  private content(level: Level, app: string, server: string, node: string, setId: string, name: string): FileRow | undefined {
    return this.byKey.get(indexKey(level, app, server, node, setId, name));
  }

  /** `loadConfig(app, '', name)`: the app-level file without SET. */
  appConfig(app: string, name: string): string {
    return this.content(1, app, '', '', '', name)?.content ?? '';
  }

  /**
   * `loadConfig(app, server, name)` from `host` (and loadConfigByHost, checkConfig): the server-level file's
   * references, the server-level file, the node-level file's references, the node-level file; all without SET.
   * References give their own content only.
   */
  byHost(app: string, server: string, name: string, host: string): string {
    const l2 = this.content(2, app, server, '', '', name);
    const l3 = this.content(3, app, server, host, '', name);
    const refs = (f: FileRow | undefined) => f ? this.referencesOf(f.id).map((r) => r.content) : [];
    return mergePieces(...refs(l2), l2?.content ?? '', ...refs(l3), l3?.content ?? '');
  }

  /** loadConfigByInfo with bAppOnly or no server: the app-level file, then its version for the SET. */
  appByInfo(app: string, name: string, setdivision: string): Resolved {
    const base = this.appConfig(app, name);
    if (setdivision === '') return {ret: 0, config: base};
    if (!splitSet(setdivision)) return {ret: -1, config: ''};
    return {ret: 0, config: mergePieces(base, this.content(1, app, '', '', setdivision, name)?.content ?? '')};
  }

  /**
   * loadConfigByInfo for a server (and checkConfigByInfo): as {@link byHost}, every lookup constrained to the SET
   * (or to no SET), and each referenced file followed by its app-level version for that SET.
   */
  hostByInfo(app: string, server: string, name: string, host: string, setdivision: string): Resolved {
    if (setdivision !== '' && !splitSet(setdivision)) return {ret: -1, config: ''};
    const l2 = this.content(2, app, server, '', setdivision, name);
    const l3 = this.content(3, app, server, host, setdivision, name);
    const refs = (f: FileRow | undefined) => f ? this.referencesOf(f.id).map((r) => {
      // The official lookup of a reference's SET version is an app-level row with the referenced row's server_name:
      // only an app-level reference can have one.
      const set = setdivision !== '' && r.key.server === '' ? this.content(1, r.key.app, '', '', setdivision,
        r.key.name)?.content ?? '' : '';
      return mergePieces(r.content, set);
    }) : [];
    return {ret: 0, config: mergePieces(...refs(l2), l2?.content ?? '', ...refs(l3), l3?.content ?? '')};
  }

  /** ListConfig / ListConfigByInfo: names of the node-level files of app.server on `host`, in the SET or none. */
  nodeFiles(app: string, server: string, host: string, setdivision: string): string[] | undefined {
    if (setdivision !== '' && !splitSet(setdivision)) return undefined;
    return this.rows.files.filter((f) => f.level === 3 && f.key.app === app && f.key.server === server &&
      f.key.node === host && f.key.setId === setdivision).map((f) => f.key.name);
  }

  /**
   * ListAllConfigByInfo: with bAppOnly the distinct app-level names (any SET); else the distinct names of
   * app.server (node-level on `host` only, when given), in the SET or none.
   */
  allFiles(info: {appname: string; servername: string; bAppOnly: boolean; host: string; setdivision: string}):
    string[] | undefined {
    let files: readonly FileRow[];
    if (info.bAppOnly) {
      files = this.rows.files.filter((f) => f.level === 1 && f.key.app === info.appname);
    } else {
      if (info.setdivision !== '' && !splitSet(info.setdivision)) return undefined;
      files = this.rows.files.filter((f) => f.level !== 1 && f.key.app === info.appname &&
        f.key.server === info.servername && f.key.setId === info.setdivision &&
        (info.host === '' || (f.level === 3 && f.key.node === info.host)));
    }
    return [...new Set(files.map((f) => f.key.name))];
  }
}
