// The servant of the no-IDL call tests, on @tars/rpc's server: Untyped.Probe (test/fixtures/idl/untyped.tars) written
// the way tars2node writes servants, reading each argument with @tars/stream's typed reader as the real signature
// says, so that what our untyped client sends is proven readable by an official typed server.
/* eslint-disable @typescript-eslint/no-explicit-any */
import {type OracleRecorder, TarsStream, createEchoImp, tarsError} from './rpc-oracle.js';

// ---- struct Untyped.Item and the servant of Untyped.Probe, as tars2node writes them -----------------------------------

/** struct Untyped::Item { 0 require int id; 1 optional string label; 2 optional long big; }. */
class Item {
  static readonly _classname = 'Untyped.Item';
  id = 0;
  label = '';
  big: string | number = '0';
  _classname = 'Untyped.Item';

  static _write(os: any, tag: number, value: Item): void {
    os.writeStruct(tag, value);
  }

  static _read(is: any, tag: number, def: any): Item {
    return is.readStruct(tag, true, def);
  }

  static _readFrom(is: any): Item {
    const tmp = new Item();
    tmp.id = is.readInt32(0, true, 0);
    tmp.label = is.readString(1, false, '');
    tmp.big = is.readInt64(2, false, '0', true);
    return tmp;
  }

  _writeTo(os: any): void {
    os.writeInt32(0, this.id);
    os.writeString(1, this.label);
    os.writeInt64(2, this.big, true);
  }

  static new(): Item {
    return new Item();
  }

  static create(is: any): Item {
    return Item._readFrom(is);
  }
}

/** What the servant saw: the arguments as its typed reader decoded them. */
export interface MixCall {
  s: string;
  sh: number;
  i: number;
  l: string;
  b: boolean;
  d: number;
  item: {id: number; label: string; big: string};
}

/**
 * Interop.Echo (from the oracle) plus Untyped.Probe's `int mix(string s, short sh, int i, long l, bool b, double d,
 * Item item, out string summary, out Item back)`: ret = sh + i; summary joins every argument with "|";
 * back = {id: item.id * 2, label: s + "!", big: l + 1}.
 */
export function createProbeImp(recorder: OracleRecorder, calls: MixCall[]): new () => any {
  const EchoImpl = createEchoImp(recorder);
  return class ProbeImp extends EchoImpl {
    __mix(current: any, binBuffer: any): number {
      const is = new TarsStream.TarsInputStream(binBuffer);
      const s = is.readString(1, true, '');
      const sh = is.readInt16(2, true, 0);
      const i = is.readInt32(3, true, 0);
      const l = String(is.readInt64(4, true, '0', true));
      const b = is.readBoolean(5, true, false);
      const d = is.readDouble(6, true, 0);
      const item = is.readStruct(7, true, Item) as Item;
      const seen: MixCall = {s, sh, i, l, b, d, item: {id: item.id, label: item.label, big: String(item.big)}};
      calls.push(seen);
      const back = new Item();
      back.id = item.id * 2;
      back.label = `${s}!`;
      back.big = String(BigInt(l) + 1n);
      const os = new TarsStream.TarsOutputStream();
      os.writeInt32(0, sh + i);
      os.writeString(8, [s, sh, i, l, b, d, seen.item.id, seen.item.label, seen.item.big].join('|'));
      os.writeStruct(9, back);
      current.doResponse(os.getBinBuffer());
      return tarsError().SUCCESS;
    }
  };
}

