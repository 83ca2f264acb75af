import type {Socket} from 'node:net';

import {DEFAULT_MAX_PACKET} from '../../protocol/constants.js';
import {FrameDecoder} from './frame-decoder.js';

/** What a {@link FrameConnection} reports. */
export interface FrameHandlers {
  onFrame(frame: Buffer): void;
  /** A frame error (bad length) or a socket error; the connection is destroyed right after. */
  onError?(error: Error): void;
  onClose(): void;
  /** The socket can take more writes again after {@link FrameConnection.send} returned false. */
  onDrain?(): void;
}

/** Options of a {@link FrameConnection}. */
export interface FrameConnectionOptions {
  maxPacket?: number;
  /**
   * Bytes queued for writing beyond which {@link FrameConnection.send} refuses frames (returns false without
   * queueing): a peer that stops reading cannot make us buffer without bound. Default 64 MiB.
   */
  maxQueuedBytes?: number;
  /**
   * Most frames written together in one write after the first frame of a tick (which goes alone, at once). Default
   * 8. Smaller batches cost more writes per frame; larger ones let the two ends take turns instead of working at
   * the same time (see {@link FrameConnection}).
   */
  maxBatchFrames?: number;
}

const DEFAULT_MAX_QUEUED = 64 * 1024 * 1024;
/** Frames of a batch are joined into one buffer when they average at most this many bytes. */
const JOIN_AVERAGE = 2048;
/**
 * Measured on the rpc benchmark (2 CPUs, 16 and 128 calls in flight): 8 beat 4 (more writes per call) and 16 or
 * unbounded (the peer idles while a whole burst is produced); at 128 in flight 16-32 was up to 15% faster, at 16 in
 * flight 8 was 30% faster than 16.
 */
const DEFAULT_MAX_BATCH = 8;

/**
 * A TCP socket carrying TARS frames in both directions; reads are split into frames by a {@link FrameDecoder}, and
 * malformed framing destroys this connection only.
 *
 * Writes: the first frame sent in a tick is written at once; the following ones are batched (joined when small, a
 * writev when large) and written when `maxBatchFrames` have gathered or on the next tick. Why not one write per
 * tick: with many calls in flight, a read brings a whole burst of frames, and one write for the whole answering
 * burst makes the two processes take turns, each idle while the other works (on 2 CPUs the pair used one CPU at
 * 16 in flight). Handing the peer the first frame at once and the rest in bounded batches keeps both ends busy,
 * at the cost of a few more writes per burst.
 */
export class FrameConnection {
  private readonly decoder: FrameDecoder;
  private readonly maxQueued: number;
  private readonly maxBatch: number;
  /** Frames sent in this tick after its first, not written yet. */
  private batch: Uint8Array[] = [];
  private batchBytes = 0;
  private callbacks: ((error?: Error | null) => void)[] = [];
  private closed = false;
  /** A frame was written in this tick (the next frames are batched); cleared by the end-of-tick flush. */
  private inTick = false;
  /** Hands a frame to the handlers (bound once: the handlers may be an object with methods). */
  private readonly deliver = (frame: Buffer): void => this.handlers.onFrame(frame);
  readonly openedAt = Date.now();

  constructor(readonly socket: Socket, private readonly handlers: FrameHandlers,
    options: FrameConnectionOptions = {}) {
    this.decoder = new FrameDecoder(options.maxPacket ?? DEFAULT_MAX_PACKET);
    this.maxQueued = options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED;
    this.maxBatch = Math.max(1, options.maxBatchFrames ?? DEFAULT_MAX_BATCH);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => {
      this.handlers.onError?.(error);
    });
    socket.on('close', () => {
      this.closed = true;
      this.decoder.reset();
      this.handlers.onClose();
    });
    socket.on('drain', () => this.handlers.onDrain?.());
  }

  private onData(chunk: Buffer): void {
    try {
      this.decoder.push(chunk, this.deliver);
    } catch (error) {
      this.handlers.onError?.(error as Error);
      this.destroy();
    }
  }

  /** Whether the connection can still send. */
  get isOpen(): boolean {
    return !this.closed && !this.socket.destroyed && this.socket.writable;
  }

  /** Bytes waiting in the socket's write queue. */
  get queuedBytes(): number {
    return this.socket.writableLength;
  }

  /** True when the socket's queue is over its high-water mark: stop producing until onDrain. */
  get needsDrain(): boolean {
    return this.socket.writableNeedDrain;
  }

  /**
   * Queues a frame. Returns false when the connection is closed or its queue is over `maxQueuedBytes` (the frame is
   * then not sent).
   */
  send(frame: Uint8Array, written?: (error?: Error | null) => void): boolean {
    if (!this.isOpen || this.socket.writableLength + this.batchBytes > this.maxQueued) return false;
    if (!this.inTick) {
      this.inTick = true;
      process.nextTick(endTick, this);
      if (written) this.socket.write(frame, written);
      else this.socket.write(frame);
      return true;
    }
    this.batch.push(frame);
    this.batchBytes += frame.length;
    if (written) this.callbacks.push(written);
    if (this.batch.length >= this.maxBatch) this.flush();
    return true;
  }

  /** @internal End of the tick: writes what is batched; the next frame is written at once again. */
  endTick(): void {
    this.inTick = false;
    this.flush();
  }

  /**
   * @internal Writes the batched frames: small ones joined into one buffer (one write, one syscall, no
   * per-chunk stream bookkeeping), large ones as a corked writev (copying big payloads costs more than a chunk).
   */
  flush(): void {
    const batch = this.batch;
    if (batch.length === 0) return;
    const bytes = this.batchBytes;
    const callbacks = this.callbacks;
    this.batch = [];
    this.batchBytes = 0;
    this.callbacks = [];
    const done = callbacks.length === 0 ? undefined : (error?: Error | null): void => {
      for (const cb of callbacks) cb(error);
    };
    if (this.socket.destroyed) {
      done?.(new Error('connection closed'));
      return;
    }
    if (batch.length === 1) {
      if (done) this.socket.write(batch[0]!, done);
      else this.socket.write(batch[0]!);
    } else if (bytes <= 64 * 1024 && bytes <= batch.length * JOIN_AVERAGE) {
      const joined = Buffer.concat(batch, bytes);
      if (done) this.socket.write(joined, done);
      else this.socket.write(joined);
    } else {
      this.socket.cork();
      for (let i = 0; i < batch.length - 1; i++) this.socket.write(batch[i]!);
      if (done) this.socket.write(batch[batch.length - 1]!, done);
      else this.socket.write(batch[batch.length - 1]!);
      this.socket.uncork();
    }
  }

  /** Stops reading requests (backpressure); {@link resume} reads again. */
  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  /** Sends what is queued, then closes. */
  end(): void {
    this.flush();
    this.socket.end();
  }

  /** Closes at once, dropping what is queued. */
  destroy(): void {
    this.closed = true;
    this.socket.destroy();
  }
}

function endTick(c: FrameConnection): void {
  c.endTick();
}
