import {existsSync, mkdirSync, readFileSync, renameSync, writeFileSync} from 'node:fs';
import path from 'node:path';

import {EndpointF} from '../../framework/EndpointFTars.js';

/** What the registry last said about one object. */
export interface CachedEndpoints {
  readonly active: readonly EndpointF[];
  readonly inactive: readonly EndpointF[];
}

/** One object's entry in the file, in TarsGo's field names (its `ObjCache`). */
interface ObjCacheJson {
  Name: string;
  SetID: string;
  Locator: string;
  Endpoints: unknown[];
  InactiveEndpoints: unknown[];
}

/**
 * The endpoint lists the locator gave, kept in a file so that a client restarted while the registry is down still
 * finds its servers, as TarsGo does with `<datapath>/<server>.tarsdat` (TarsCpp likewise loads its cache file
 * after repeated registry failures). The file is TarsGo's `AppCache` JSON (`TarsVersion`, `ModifyTime`,
 * `LogLevel`, `ObjCaches: [{Name, SetID, Locator, Endpoints, InactiveEndpoints}]`, endpoints as EndpointF fields),
 * so either runtime can read the other's. Entries are keyed by object, SET and locator: a list from another
 * registry or SET is never used. A missing or unreadable file is an empty cache, never an error; writes are
 * atomic (temp file + rename) and only happen when a list changed.
 */
export class EndpointCache {
  private loaded?: {meta: Record<string, unknown>; entries: Map<string, ObjCacheJson>};

  constructor(readonly file: string) {}

  private static key(obj: string, setId: string, locator: string): string {
    return `${obj}\u0000${setId}\u0000${locator}`;
  }

  private load(): {meta: Record<string, unknown>; entries: Map<string, ObjCacheJson>} {
    if (this.loaded) return this.loaded;
    const entries = new Map<string, ObjCacheJson>();
    let meta: Record<string, unknown> = {};
    try {
      if (existsSync(this.file)) {
        const json = JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, unknown>;
        const {ObjCaches, ...rest} = json;
        meta = rest;
        for (const c of Array.isArray(ObjCaches) ? ObjCaches as ObjCacheJson[] : []) {
          if (typeof c?.Name !== 'string') continue;
          entries.set(EndpointCache.key(c.Name, String(c.SetID ?? ''), String(c.Locator ?? '')), {
            Name: c.Name, SetID: String(c.SetID ?? ''), Locator: String(c.Locator ?? ''),
            Endpoints: Array.isArray(c.Endpoints) ? c.Endpoints : [],
            InactiveEndpoints: Array.isArray(c.InactiveEndpoints) ? c.InactiveEndpoints : []});
        }
      }
    } catch {
      // A corrupt cache is no cache: it only ever helps when the registry is down.
      entries.clear();
    }
    this.loaded = {meta, entries};
    return this.loaded;
  }

  /** The lists last stored for `obj` as seen from `setId` through `locator`, if any. */
  get(obj: string, setId: string, locator: string): CachedEndpoints | undefined {
    const entry = this.load().entries.get(EndpointCache.key(obj, setId, locator));
    if (!entry) return undefined;
    try {
      return {active: entry.Endpoints.map((e) => EndpointF.fromJSON(e)),
        inactive: entry.InactiveEndpoints.map((e) => EndpointF.fromJSON(e))};
    } catch {
      return undefined;
    }
  }

  /** Stores what the registry answered (an answer with no active endpoint is not worth keeping). */
  put(obj: string, setId: string, locator: string, lists: CachedEndpoints): void {
    if (lists.active.length === 0) return;
    const {meta, entries} = this.load();
    const key = EndpointCache.key(obj, setId, locator);
    const entry: ObjCacheJson = {Name: obj, SetID: setId, Locator: locator,
      Endpoints: lists.active.map((e) => EndpointF.toJSON(e)),
      InactiveEndpoints: lists.inactive.map((e) => EndpointF.toJSON(e))};
    if (JSON.stringify(entries.get(key)) === JSON.stringify(entry)) return;
    entries.set(key, entry);
    const text = JSON.stringify({TarsVersion: '', LogLevel: '', ...meta, ModifyTime: timestamp(new Date()),
      ObjCaches: [...entries.values()]}, null, 2);
    try {
      mkdirSync(path.dirname(this.file), {recursive: true});
      const tmp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(tmp, text);
      renameSync(tmp, this.file);
    } catch {
      // Best effort: a read-only data directory costs the cache, not the call.
    }
  }
}

/** `2026-12-02 14:30:00`, the form TarsGo writes. */
function timestamp(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:` +
    p(d.getSeconds());
}
