/**
 * The 14 wire types of the TARS encoding (protocol.md 1.3). The numbers are the low nibble of a field head.
 */
export const WireType = {
  BYTE: 0,
  SHORT: 1,
  INT: 2,
  LONG: 3,
  FLOAT: 4,
  DOUBLE: 5,
  STRING1: 6,
  STRING4: 7,
  MAP: 8,
  LIST: 9,
  STRUCT_BEGIN: 10,
  STRUCT_END: 11,
  ZERO: 12,
  SIMPLE_LIST: 13,
} as const;

export type WireType = (typeof WireType)[keyof typeof WireType];

const NAMES = [
  'BYTE', 'SHORT', 'INT', 'LONG', 'FLOAT', 'DOUBLE', 'STRING1', 'STRING4',
  'MAP', 'LIST', 'STRUCT_BEGIN', 'STRUCT_END', 'ZERO', 'SIMPLE_LIST',
];

/** Readable name of a wire type code, for error messages; unknown codes read as "INVALID(n)". */
export function wireTypeName(type: number): string {
  return NAMES[type] ?? `INVALID(${type})`;
}

/** Largest tag a head can carry. */
export const MAX_TAG = 255;
