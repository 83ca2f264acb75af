import {DEFAULT_MAX_PACKET} from '../../protocol/constants.js';
import {frameLength} from '../../protocol/packets.js';

/**
 * Splits a TCP byte stream into TARS frames (4-byte big-endian length counting itself, protocol.md 2.3). Handles
 * frames split across chunks and several frames in one chunk; a whole frame inside one chunk is returned as a view
 * of it (no copy). Bytes are held only up to the current frame, whose length was checked against `maxPacket`
 * before anything is buffered, so memory stays bounded. A bad length throws PACKET_TOO_SHORT/PACKET_TOO_LARGE:
 * the caller closes the connection.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Length of the frame under construction, once its 4-byte prefix is in; -1 before. */
  private need = -1;

  constructor(private readonly maxPacket = DEFAULT_MAX_PACKET) {}

  /** Bytes held for an incomplete frame. */
  get pendingBytes(): number {
    return this.buffered;
  }

  /** Feeds a chunk; calls `onFrame` for every complete frame, in order. */
  push(chunk: Buffer, onFrame: (frame: Buffer) => void): void {
    let data = chunk;
    if (this.buffered > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
      // Wait until the frame under construction is complete before joining anything. Its length is read once:
      // a prefix split across chunks is joined once, not at every chunk (that made a large frame quadratic).
      if (this.need < 0) {
        if (this.chunks[0].length < 4) this.chunks = [Buffer.concat(this.chunks)];
        this.need = frameLength(this.chunks[0], 0, this.maxPacket);
      }
      const need = this.need;
      if (need < 0 || this.buffered < need) return;
      // Join only the frame's bytes; what follows it in the last chunk is read in place below.
      const rest = this.buffered - need;
      const frame = Buffer.concat(this.chunks, need);
      this.reset();
      onFrame(frame);
      data = chunk.subarray(chunk.length - rest);
    }
    let offset = 0;
    while (offset < data.length) {
      const n = frameLength(data, offset, this.maxPacket);
      if (n < 0 || data.length - offset < n) break;
      onFrame(data.subarray(offset, offset + n));
      offset += n;
    }
    if (offset < data.length) {
      const rest = data.subarray(offset);
      this.chunks = [rest];
      this.buffered = rest.length;
    }
  }

  /** Drops whatever is buffered. */
  reset(): void {
    this.chunks = [];
    this.buffered = 0;
    this.need = -1;
  }
}
