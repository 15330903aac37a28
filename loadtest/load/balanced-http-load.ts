import {
  HttpLoad,
  type HttpSender,
  type HttpStats,
  isUnavailable,
  recordAnswer,
} from './http-load.js';

/** One attempt that got a 503 or no answer, and was sent again. */
export interface RetryRecord {
  /** Epoch milliseconds. */
  readonly t: number;
  /** Index of the instance it went to. */
  readonly instance: number;
  /** 503, or 0 for a refused or reset connection. */
  readonly status: number;
}

/** One request acknowledged on its first send (retries included in its time). */
export interface AckRecord {
  readonly t: number;
  readonly ms: number;
  /** Index of the instance that acknowledged it. */
  readonly instance: number;
}

const RETRY_PAUSE_MS = 50;

/**
 * POST /v1/events spread over several instances, as an ad server behind a
 * load balancer sees it: round robin over the instances in rotation; an
 * instance leaves the rotation when its GET /readyz (every `healthEveryMs`)
 * is not 200, or at once when it answers 503 or refuses the connection, and
 * comes back at the next health check that passes. A 503 or a refused
 * connection is sent again to another instance in rotation (the idempotency
 * key makes that safe), until a 202 comes back or `giveUpMs` has passed.
 */
export class BalancedHttpLoad implements HttpSender {
  private readonly clients: HttpLoad[];
  private readonly inRotation: boolean[];
  private next = 0;
  private healthTimer: NodeJS.Timeout | undefined;
  private checking = false;
  private closed = false;
  readonly retries: RetryRecord[] = [];
  readonly acks: AckRecord[] = [];
  /** Attempts that found no instance in rotation and went to one anyway after a pause. */
  noneInRotation = 0;

  constructor(
    private readonly urls: readonly string[],
    connectionsPerInstance: number,
    private readonly options: { readonly healthEveryMs: number; readonly giveUpMs: number },
  ) {
    this.clients = urls.map((url) => new HttpLoad(url, connectionsPerInstance));
    this.inRotation = urls.map(() => true);
  }

  isInRotation(instance: number): boolean {
    return this.inRotation[instance] ?? false;
  }

  startHealthChecks(): void {
    const tick = async () => {
      if (this.checking) return;
      this.checking = true;
      try {
        await Promise.all(
          this.urls.map(async (url, i) => {
            const ready = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1_000) })
              .then(async (res) => {
                await res.arrayBuffer();
                return res.status === 200;
              })
              .catch(() => false);
            this.inRotation[i] = ready;
          }),
        );
      } finally {
        this.checking = false;
      }
    };
    this.healthTimer = setInterval(() => void tick(), this.options.healthEveryMs);
    void tick();
  }

  stopHealthChecks(): void {
    clearInterval(this.healthTimer);
  }

  async send(body: string | Buffer, stats: HttpStats, options: { first: boolean }): Promise<void> {
    const started = performance.now();
    stats.requests += 1;
    let avoid = -1;
    for (;;) {
      const instance = await this.pick(avoid);
      const answer = await (this.clients[instance] as HttpLoad).post(body);
      const trying = !this.closed && performance.now() - started < this.options.giveUpMs;
      if (isUnavailable(answer) && trying) {
        // Out of rotation until a health check says it is ready again.
        this.inRotation[instance] = false;
        stats.unavailable += 1;
        this.retries.push({ t: Date.now(), instance, status: answer.status });
        avoid = instance;
        continue;
      }
      const acknowledged = recordAnswer(stats, answer, {
        first: options.first,
        startedAt: started,
      });
      if (acknowledged && options.first) {
        this.acks.push({ t: Date.now(), ms: performance.now() - started, instance });
      }
      return;
    }
  }

  /** The next instance in rotation other than `avoid`; with none, any after a pause. */
  private async pick(avoid: number): Promise<number> {
    const n = this.clients.length;
    for (let k = 0; k < n; k += 1) {
      const i = (this.next + k) % n;
      if (i !== avoid && this.inRotation[i]) {
        this.next = i + 1;
        return i;
      }
    }
    this.noneInRotation += 1;
    await new Promise((r) => setTimeout(r, RETRY_PAUSE_MS));
    for (let k = 0; k < n; k += 1) {
      const i = (this.next + k) % n;
      if (this.inRotation[i]) {
        this.next = i + 1;
        return i;
      }
    }
    const i = this.next % n;
    this.next = i + 1;
    return i;
  }

  /** Stops the health checks; requests still trying give up at their next failure. */
  async close(): Promise<void> {
    this.closed = true;
    this.stopHealthChecks();
    await Promise.all(this.clients.map((c) => c.close()));
  }
}
