// GET /api/events: the service tree pushed to every open page when it changes, from one shared poll.
import type http from 'node:http';

import {ApiError} from './api-error.js';
import type {ClusterApi, TreeJson} from './cluster-api.js';
import {eventFrame, openEventStream} from './http.js';

/**
 * GET /api/events: one poller for every open stream, running only while there are streams. Each stream gets the
 * tree at once (`event: tree`), then again only when it changed; a failed poll sends `event: problem` with the
 * API error, once until the next success. A comment line every 15 s keeps idle proxies from closing the stream.
 */
export class TreeEvents {
  private readonly streams = new Set<http.ServerResponse>();
  private timer: NodeJS.Timeout | undefined;
  private last: string | undefined;
  private lastProblem: string | undefined;
  private polling: Promise<void> | undefined;
  private closed = false;
  private beats = 0;

  constructor(private readonly api: ClusterApi, private readonly pollMs: number) {}

  /** Makes `res` an event stream until the browser goes away or the console closes. */
  attach(req: http.IncomingMessage, res: http.ServerResponse): void {
    openEventStream(res);
    this.streams.add(res);
    req.on('close', () => {
      this.streams.delete(res);
      if (this.streams.size === 0) this.stop();
    });
    if (this.last !== undefined) res.write(eventFrame('tree', this.last));
    if (this.lastProblem !== undefined) res.write(eventFrame('problem', this.lastProblem));
    if (this.timer === undefined && this.polling === undefined) void this.poll();
  }

  /** Polls now (after an action), so streams see its effect without waiting for the next tick. */
  poke(): void {
    if (this.streams.size > 0 && this.polling === undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
      void this.poll();
    }
  }

  private poll(): Promise<void> {
    this.polling = (async () => {
      try {
        const tree: TreeJson = await this.api.tree();
        const text = JSON.stringify(tree);
        this.lastProblem = undefined;
        if (text !== this.last) {
          this.last = text;
          this.broadcast(eventFrame('tree', text));
        }
      } catch (error) {
        const failure = error instanceof ApiError ? error : new ApiError(502, 'NO_ANSWER', (error as Error).message, '');
        const text = JSON.stringify(failure.toJSON());
        if (text !== this.lastProblem) {
          this.lastProblem = text;
          this.last = undefined;
          this.broadcast(eventFrame('problem', text));
        }
      } finally {
        this.polling = undefined;
      }
      if (++this.beats % Math.max(1, Math.round(15_000 / this.pollMs)) === 0) this.broadcast(': keep-alive\n\n');
      if (!this.closed && this.streams.size > 0) this.timer = setTimeout(() => void this.poll(), this.pollMs);
    })();
    return this.polling;
  }

  private broadcast(text: string): void {
    for (const res of this.streams) res.write(text);
  }

  private stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.last = undefined;
    this.lastProblem = undefined;
  }

  /** Ends every stream and the polling. */
  close(): void {
    this.closed = true;
    this.stop();
    for (const res of this.streams) res.end();
    this.streams.clear();
  }
}
