import {TarsReader} from '../codec/reader.js';
import {type ListSpelling, type TarsType, readValue, tupTypeName, writeValue} from '../codec/types.js';
import {TarsWriter} from '../codec/writer.js';
import {TarsError} from '../errors/tars-error.js';
import {Version} from './constants.js';
import {type RequestPacket, encodeRequestFrame, requestPacket} from './packets.js';

/** The two TUP layouts: 3 = simple (every implementation), 2 = complex (@tars/stream and TarsJava only). */
export type TupVersion = typeof Version.TUP_COMPLEX | typeof Version.TUPVERSION;

/** Options of a {@link UniAttribute}. */
export interface UniAttributeOptions {
  /**
   * How v2 type names spell lists when writing: "list<...>" (TarsCpp, TarsJava; default) or "List<...>"
   * (@tars/stream, whose reader looks names up exactly). Reading accepts both.
   */
  listSpelling?: ListSpelling;
}

/**
 * A TUP attribute container (UniAttribute): named values, each encoded on its own at tag 0.
 *
 * - v3 (simple) encodes `map<string, vector<byte>>` at tag 0;
 * - v2 (complex) encodes `map<string, map<string, vector<byte>>>`, the inner map holding one entry from the
 *   value's type name to its bytes.
 *
 * Map keys are parameter names; a return value is stored under "" (and "tars_ret" by TarsCpp and TarsGo).
 */
export class UniAttribute {
  readonly version: TupVersion;
  private readonly listSpelling: ListSpelling;
  /** name -> (type name, or "" in v3) -> encoded value. */
  private readonly data = new Map<string, Map<string, Uint8Array>>();

  constructor(version: TupVersion = Version.TUPVERSION, options: UniAttributeOptions = {}) {
    if (version !== Version.TUPVERSION && version !== Version.TUP_COMPLEX) {
      throw new TarsError('PACKET_BAD_VERSION', `TUP version ${String(version)} is not 2 or 3`);
    }
    this.version = version;
    this.listSpelling = options.listSpelling ?? 'list';
  }

  /** Names of the values held, in insertion order. */
  names(): string[] {
    return [...this.data.keys()];
  }

  has(name: string): boolean {
    return this.data.has(name);
  }

  /** Stores `value` of type `type` under `name`, replacing what was there. */
  put(name: string, type: TarsType, value: unknown): this {
    const w = new TarsWriter(32);
    writeValue(w, 0, type, value);
    const typeName = this.version === Version.TUP_COMPLEX ? tupTypeName(type, this.listSpelling) : '';
    this.data.set(name, new Map([[typeName, Buffer.from(w.toBuffer())]]));
    return this;
  }

  /**
   * Reads the value under `name` as `type`. When the name is absent, returns `def` if given, else throws
   * TUP_KEY_MISSING. In v2 the stored type name is matched exactly, then with the other list spelling; a single
   * entry under another name (TarsGo names structs after its renamed modules) is still decoded as `type`.
   */
  get<V = unknown>(name: string, type: TarsType, def?: V): V {
    const entry = this.data.get(name);
    if (entry === undefined) {
      if (def !== undefined) return def;
      throw new TarsError('TUP_KEY_MISSING', `TUP attribute has no value named "${name}"`, {name});
    }
    const bytes = this.version === Version.TUP_COMPLEX ? this.findTyped(name, entry, type) : entry.get('');
    if (bytes === undefined) {
      throw new TarsError('TUP_KEY_MISSING', `TUP attribute "${name}" holds no value`, {name});
    }
    return readValue(new TarsReader(bytes), 0, type, true) as V;
  }

  private findTyped(name: string, entry: Map<string, Uint8Array>, type: TarsType): Uint8Array {
    const wanted = tupTypeName(type, 'list');
    const exact = entry.get(wanted) ?? entry.get(tupTypeName(type, 'List'));
    if (exact !== undefined) return exact;
    if (entry.size === 1) return entry.values().next().value!;
    throw new TarsError('TUP_TYPE_MISMATCH', `TUP attribute "${name}" has no value of type ${wanted} ` +
      `(it holds ${[...entry.keys()].join(', ')})`, {name});
  }

  /** The UniAttribute bytes: the map at tag 0 (an empty one is `08 0c`). */
  encode(): Buffer {
    const w = new TarsWriter(64);
    w.writeMapHeader(0, this.data.size);
    for (const [name, entry] of this.data) {
      w.writeString(0, name);
      if (this.version === Version.TUPVERSION) {
        w.writeBytes(1, entry.get('')!);
      } else {
        w.writeMapHeader(1, entry.size);
        for (const [typeName, bytes] of entry) {
          w.writeString(0, typeName);
          w.writeBytes(1, bytes);
        }
      }
    }
    return w.toBuffer();
  }

  /** Decodes UniAttribute bytes of the given version. */
  static decode(bytes: Uint8Array, version: TupVersion = Version.TUPVERSION, options?: UniAttributeOptions):
    UniAttribute {
    const attr = new UniAttribute(version, options);
    const r = new TarsReader(bytes);
    const n = r.readMapLength(0, true);
    for (let i = 0; i < n; i++) {
      const name = r.readString(0, true);
      if (version === Version.TUPVERSION) {
        attr.data.set(name, new Map([['', r.readBytes(1, true)]]));
      } else {
        const m = r.readMapLength(1, true);
        const entry = new Map<string, Uint8Array>();
        for (let j = 0; j < m; j++) {
          const typeName = r.readString(0, true);
          entry.set(typeName, r.readBytes(1, true));
        }
        attr.data.set(name, entry);
      }
    }
    return attr;
  }
}

/** A TUP request (a RequestPacket frame whose iVersion is the attribute's and whose sBuffer holds it). */
export function encodeTupRequestFrame(attr: UniAttribute, p: Partial<RequestPacket>): Buffer {
  return encodeRequestFrame(requestPacket({...p, iVersion: attr.version, sBuffer: attr.encode()}));
}
