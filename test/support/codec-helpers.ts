// Helpers shared by the codec, golden, interop and fuzz tests.
/* eslint-disable @typescript-eslint/no-explicit-any */
import {createRequire} from 'node:module';

import {expect} from 'chai';

import {type StructDef, T, TarsError, TarsWriter} from '@tars-ts/core';

const require = createRequire(import.meta.url);

/** The official @tars/stream 2.0.3, the oracle of the interop tests. */
export const Tars: any = require('@tars/stream');

/** Bytes from hex, spaces allowed for reading. */
export function bytes(h: string): Buffer {
  return Buffer.from(h.replaceAll(' ', ''), 'hex');
}

export function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

/** What our writer produces (a copy the caller owns). */
export function ours(write: (w: TarsWriter) => void): Buffer {
  const w = new TarsWriter();
  write(w);
  return Buffer.from(w.toBuffer());
}

/** What @tars/stream's TarsOutputStream produces. */
export function node(write: (os: any) => void): Buffer {
  const os = new Tars.TarsOutputStream();
  write(os);
  return os.getBinBuffer().toNodeBuffer();
}

/** A @tars/stream TarsInputStream over `b`. */
export function nodeIn(b: Uint8Array): any {
  return new Tars.TarsInputStream(new Tars.BinBuffer(Buffer.from(b)));
}

// The structs of the struct tests:
//   struct Inner { 0 require int a; 1 optional string s; };
//   struct Outer { 0 require Inner inner; 1 require vector<Inner> v; 2 optional long n; 3 optional map<string, Inner> m; };
export const InnerDef: StructDef = {
  name: 'Test.Inner',
  fields: [
    {tag: 0, name: 'a', type: T.int, required: true},
    {tag: 1, name: 's', type: T.string, required: false},
  ],
};
export const InnerT = T.struct(InnerDef);
export const OuterDef: StructDef = {
  name: 'Test.Outer',
  fields: [
    {tag: 0, name: 'inner', type: InnerT, required: true},
    {tag: 1, name: 'v', type: T.vector(InnerT), required: true},
    {tag: 2, name: 'n', type: T.long, required: false},
    {tag: 3, name: 'm', type: T.map(T.string, InnerT), required: false},
  ],
};
export const OuterT = T.struct(OuterDef);

/** The error `fn` throws, which must be a TarsError (anything else, or nothing thrown, fails the test). */
export function tarsError(fn: () => unknown): TarsError {
  try {
    fn();
  } catch (error) {
    if (error instanceof TarsError) return error;
    throw new Error(`expected a TarsError, got ${String(error)}`, {cause: error});
  }
  return expect.fail('expected a TarsError, nothing was thrown');
}
