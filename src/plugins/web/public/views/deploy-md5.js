// MD5, incremental, for the Deploy tab: the page hashes a package in slices before uploading it, because the patch
// server is told each upload's md5 with its first chunk (and checks what arrived against it). Not a security hash
// here: it only guards the transfer, as it does for `tars patch upload`.

/** The per-round shift amounts. */
const S = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
/** K[i] = floor(|sin(i + 1)| * 2^32). */
const K = Array.from({length: 64}, (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) >>> 0);

/** An MD5 being computed: update() with bytes in any pieces, then hex() once. */
export class Md5 {
  constructor() {
    this.h = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];
    this.block = new Uint8Array(64);
    this.fill = 0;
    this.length = 0;
    this.words = new Uint32Array(16);
  }

  /** Adds `bytes`. @param {Uint8Array} bytes */
  update(bytes) {
    this.length += bytes.length;
    let at = 0;
    while (at < bytes.length) {
      const n = Math.min(64 - this.fill, bytes.length - at);
      this.block.set(bytes.subarray(at, at + n), this.fill);
      this.fill += n;
      at += n;
      if (this.fill === 64) {
        this.round(this.block);
        this.fill = 0;
      }
    }
    return this;
  }

  /** The digest as 32 lower-case hex digits (the hash cannot be updated after). */
  hex() {
    const bits = this.length * 8;
    const tail = new Uint8Array(this.fill < 56 ? 64 : 128);
    tail.set(this.block.subarray(0, this.fill));
    tail[this.fill] = 0x80;
    const view = new DataView(tail.buffer);
    view.setUint32(tail.length - 8, bits >>> 0, true);
    view.setUint32(tail.length - 4, Math.floor(bits / 2 ** 32) >>> 0, true);
    for (let i = 0; i < tail.length; i += 64) this.round(tail.subarray(i, i + 64));
    return this.h.map((w) => [0, 8, 16, 24].map((s) => ((w >>> s) & 0xff).toString(16).padStart(2, '0')).join('')).join('');
  }

  /** One 64-byte block. @param {Uint8Array} block */
  round(block) {
    const m = this.words;
    for (let i = 0; i < 16; i++) {
      m[i] = block[i * 4] | (block[i * 4 + 1] << 8) | (block[i * 4 + 2] << 16) | (block[i * 4 + 3] << 24);
    }
    let [a, b, c, d] = this.h;
    for (let i = 0; i < 64; i++) {
      let f;
      let g;
      if (i < 16) { f = (b & c) | (~b & d); g = i; }
      else if (i < 32) { f = (d & b) | (~d & c); g = (5 * i + 1) % 16; }
      else if (i < 48) { f = b ^ c ^ d; g = (3 * i + 5) % 16; }
      else { f = c ^ (b | ~d); g = (7 * i) % 16; }
      const sum = (f + a + K[i] + m[g]) | 0;
      const s = S[(i >> 4) * 4 + (i % 4)];
      a = d;
      d = c;
      c = b;
      b = (b + ((sum << s) | (sum >>> (32 - s)))) | 0;
    }
    this.h = [(this.h[0] + a) | 0, (this.h[1] + b) | 0, (this.h[2] + c) | 0, (this.h[3] + d) | 0];
  }
}
