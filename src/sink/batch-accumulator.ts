/**
 * Coalesces the batches that several partitions' handlers submit at once
 * into one flush (one Redis round trip, one PostgreSQL transaction). A
 * flush starts when the pending messages reach `maxEvents`, when the
 * oldest has waited `maxAgeMs`, or as soon as every active handler is
 * waiting on it: then nothing more can arrive until it is done, and
 * waiting longer would only add latency.
 */
export interface AccumulatorSettings<T> {
  readonly maxEvents: number;
  readonly maxAgeMs: number;
  readonly maxConcurrentFlushes: number;
  readonly flush: (items: T[]) => Promise<void>;
}

interface Pending<T> {
  readonly items: readonly T[];
  resolve(): void;
  reject(error: unknown): void;
}

export class BatchAccumulator<T> {
  private pending: Pending<T>[] = [];
  private pendingCount = 0;
  private timer: NodeJS.Timeout | undefined;
  private activeHandlers = 0;
  private flushing = 0;
  /** Submissions inside flushes that have not finished yet. */
  private inFlight = 0;
  private overdue = false;
  private checkScheduled = false;
  private readonly idleWaiters: (() => void)[] = [];

  constructor(private readonly settings: AccumulatorSettings<T>) {}

  /** Wraps one handler's lifetime so that the accumulator knows who may still submit. */
  async track<R>(handler: () => Promise<R>): Promise<R> {
    this.activeHandlers += 1;
    try {
      return await handler();
    } finally {
      this.activeHandlers -= 1;
      this.scheduleCheck();
    }
  }

  /** Resolves once the items are durably flushed; rejects if the flush failed. */
  submit(items: readonly T[]): Promise<void> {
    if (items.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ items, resolve, reject });
      this.pendingCount += items.length;
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.overdue = true;
        this.scheduleCheck();
      }, this.settings.maxAgeMs);
      this.scheduleCheck();
    });
  }

  /** Resolves when nothing is pending or being flushed. */
  idle(): Promise<void> {
    if (this.pending.length === 0 && this.flushing === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  // Checked on the next turn of the event loop rather than at once, so
  // that handlers that kafkajs starts together submit before we decide.
  private scheduleCheck(): void {
    if (this.checkScheduled) return;
    this.checkScheduled = true;
    setImmediate(() => {
      this.checkScheduled = false;
      this.maybeFlush();
    });
  }

  private maybeFlush(): void {
    if (this.pending.length === 0) {
      if (this.flushing === 0) for (const wake of this.idleWaiters.splice(0)) wake();
      return;
    }
    if (this.flushing >= this.settings.maxConcurrentFlushes) return;
    const everyoneWaiting = this.pending.length + this.inFlight >= this.activeHandlers;
    if (!this.overdue && !everyoneWaiting && this.pendingCount < this.settings.maxEvents) return;
    this.startFlush();
  }

  private startFlush(): void {
    const taken: Pending<T>[] = [];
    let count = 0;
    while (this.pending.length > 0) {
      const next = this.pending[0] as Pending<T>;
      if (taken.length > 0 && count + next.items.length > this.settings.maxEvents) break;
      taken.push(next);
      count += next.items.length;
      this.pending.shift();
    }
    this.pendingCount -= count;
    if (this.pending.length === 0) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.overdue = false;
    }
    this.flushing += 1;
    this.inFlight += taken.length;
    const items = taken.flatMap((p) => p.items);
    this.settings
      .flush(items)
      .then(
        () => {
          for (const p of taken) p.resolve();
        },
        (error: unknown) => {
          for (const p of taken) p.reject(error);
        },
      )
      .finally(() => {
        this.flushing -= 1;
        this.inFlight -= taken.length;
        this.scheduleCheck();
      });
  }
}
