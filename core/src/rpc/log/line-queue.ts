/**
 * Lines waiting to be sent, kept as UTF-8 bytes off the V8 heap until they go. A queue of strings held for the
 * second between two flushes makes every young-generation collection of a busy service copy them again and again:
 * measured with spans at 1% of 150,000 calls/s, +1.4 us of CPU on every call (the scavenges went from 0.7 to ~4 ms);
 * the same lines as bytes in a Buffer cost nothing measurable. The strings exist again only for the batch being sent.
 *
 * Each line is `<u32 LE byte length><bytes>` in segments of at least 64 KiB (allocated outside the pool, freed once
 * read). Lines keep their order; any content (line ends included) comes back as it was written.
 */
const SEGMENT = 64 * 1024;

interface Segment {
  readonly buf: Buffer;
  /** Bytes written. */
  end: number;
}

export class LineQueue {
  private segments: Segment[] = [];
  /** Where the next line to read starts in the first segment. */
  private readAt = 0;
  /** Lines queued. */
  length = 0;

  push(line: string): void {
    // At most 3 bytes per UTF-16 unit (a surrogate pair is 4 bytes for 2 units).
    const room = 4 + line.length * 3;
    let seg = this.segments.at(-1);
    if (seg === undefined || seg.buf.length - seg.end < room) {
      seg = {buf: Buffer.allocUnsafeSlow(Math.max(SEGMENT, room)), end: 0};
      this.segments.push(seg);
    }
    const n = seg.buf.write(line, seg.end + 4, 'utf8');
    seg.buf.writeUInt32LE(n, seg.end);
    seg.end += 4 + n;
    this.length++;
  }

  /** Takes up to `max` lines from the front, in order. */
  take(max: number): string[] {
    const out: string[] = [];
    while (out.length < max && this.length > 0) {
      const seg = this.segments[0]!;
      if (this.readAt >= seg.end) {
        this.segments.shift();
        this.readAt = 0;
        continue;
      }
      const n = seg.buf.readUInt32LE(this.readAt);
      out.push(seg.buf.toString('utf8', this.readAt + 4, this.readAt + 4 + n));
      this.readAt += 4 + n;
      this.length--;
    }
    if (this.length === 0) this.clear();
    return out;
  }

  /** Drops every line; returns how many there were. */
  clear(): number {
    const n = this.length;
    this.segments = [];
    this.readAt = 0;
    this.length = 0;
    return n;
  }
}
