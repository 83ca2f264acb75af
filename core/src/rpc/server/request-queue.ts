import {ReturnCode} from '../../protocol/constants.js';

/** Limits of an adapter's request queue (framework.md 5.4). */
export interface QueueLimits {
  /** Most requests waiting for a slot; a request beyond it is rejected at once (-9 TARSSERVEROVERLOAD). */
  readonly cap: number;
  /** Longest wait for a slot, ms; a request that waited longer is answered -6 and never executed. */
  readonly timeoutMs: number;
  /** Most requests executing at once (a slot is held until the servant's answer is ready). */
  readonly concurrency: number;
}

/** Counters shown by tars.viewstatus. */
export interface QueueStats {
  /** Requests waiting now. */
  readonly waiting: number;
  /** Requests executing now. */
  readonly running: number;
  /** Rejected because the queue was full (-9). */
  readonly rejected: number;
  /** Dropped because they waited too long (-6). */
  readonly expired: number;
  /** Requests that ran. */
  readonly executed: number;
  /** Longest wait of a request that ran, ms, since the start. */
  readonly maxWaitMs: number;
}

/** One request as the queue sees it. */
export interface QueuedJob {
  /** When it arrived (clock ms). */
  readonly arrivedAt: number;
  /** The request's own timeout (ms, 0 = none): TarsCpp also drops requests that waited longer than that. */
  readonly requestTimeoutMs: number;
  /** Executes it; returns a promise when its answer is not ready on return (then it resolves when it is). */
  run(): Promise<void> | void;
  /** Answers it with a framework code without executing it (-9 or -6). */
  refuse(code: number, message: string): void;
}

/**
 * Overload protection of one adapter: at most `concurrency` requests execute at once, at most `cap` wait, a full
 * queue rejects at once with -9, and a request that waited longer than `timeoutMs` (or its own timeout) is answered
 * -6 without being executed. Waiting requests live in a ring buffer: memory is bounded by `cap` whatever the flood.
 */
export class RequestQueue {
  private readonly ring: (QueuedJob | undefined)[];
  private head = 0;
  private size = 0;
  private running = 0;
  private rejected = 0;
  private expired = 0;
  private executed = 0;
  private maxWaitMs = 0;
  private idleWaiters: (() => void)[] = [];
  private draining = false;

  constructor(readonly limits: QueueLimits, private readonly now: () => number = () => performance.now()) {
    this.ring = new Array<QueuedJob | undefined>(Math.max(1, limits.cap));
  }

  get stats(): QueueStats {
    return {waiting: this.size, running: this.running, rejected: this.rejected, expired: this.expired,
      executed: this.executed, maxWaitMs: Math.round(this.maxWaitMs)};
  }

  /** Requests waiting or executing. */
  get pending(): number {
    return this.size + this.running;
  }

  /** Takes a request: runs it now when a slot is free and nobody waits, queues it, or rejects it (-9). */
  submit(job: QueuedJob): void {
    if (this.running < this.limits.concurrency && this.size === 0) {
      this.start(job, 0);
      return;
    }
    if (this.size >= this.limits.cap) {
      this.rejected++;
      refuse(job, ReturnCode.TARSSERVEROVERLOAD,
        `server overloaded: ${this.size} requests waiting (queuecap ${this.limits.cap})`);
      return;
    }
    this.ring[(this.head + this.size) % this.ring.length] = job;
    this.size++;
  }

  private start(job: QueuedJob, waited: number): void {
    this.running++;
    this.executed++;
    if (waited > this.maxWaitMs) this.maxWaitMs = waited;
    let pending: Promise<void> | void;
    try {
      pending = job.run();
    } catch {
      pending = undefined;
    }
    if (!pending) {
      // Answered synchronously: the slot is free again (a drain in progress goes on with the next job).
      this.running--;
      if (!this.draining) this.drain();
      return;
    }
    let finished = false;
    const done = (): void => {
      if (finished) return;
      finished = true;
      this.running--;
      this.drain();
    };
    pending.then(done, done);
  }

  private drain(): void {
    this.draining = true;
    try {
      while (this.running < this.limits.concurrency && this.size > 0) {
        const job = this.ring[this.head]!;
        this.ring[this.head] = undefined;
        this.head = (this.head + 1) % this.ring.length;
        this.size--;
        const waited = this.now() - job.arrivedAt;
        const limit = job.requestTimeoutMs > 0 ? Math.min(this.limits.timeoutMs, job.requestTimeoutMs)
          : this.limits.timeoutMs;
        if (waited > limit) {
          this.expired++;
          refuse(job, ReturnCode.TARSSERVERQUEUETIMEOUT,
            `waited ${Math.round(waited)} ms in the server queue (limit ${limit} ms)`);
          continue;
        }
        this.start(job, waited);
      }
    } finally {
      this.draining = false;
    }
    if (this.pending === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  /** Resolves when nothing waits or executes (or after `maxMs`). */
  idle(maxMs: number): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, maxMs);
      this.idleWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

/** Refuses a job; an error from its refusal must not stop the queue (it would stall every request behind it). */
function refuse(job: QueuedJob, code: number, message: string): void {
  try {
    job.refuse(code, message);
  } catch {
    // the job's own answer failed; the queue goes on
  }
}
