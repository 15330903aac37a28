import { postEvents } from './events.js';

/**
 * A client that behaves like an ad server behind a load balancer: each
 * request goes to the next instance; a 503 or a refused connection is
 * retried (on another instance) until a 202 comes back. It records what
 * was acknowledged, which is what billing must end up counting.
 */
export class BalancedClient {
  private next = 0;
  acknowledged = 0;
  retries = 0;
  /** Why the last attempt that got no answer failed. */
  lastError: unknown;
  readonly statuses = new Map<string, number>();
  /** Every attempt: where it went, what came back, and when. */
  readonly attempts: { url: string; status: number; sentAt: number; doneAt: number }[] = [];

  constructor(private readonly urls: () => readonly string[]) {}

  async post(body: string, maxAttempts = 400): Promise<number> {
    for (let attempt = 1; ; attempt += 1) {
      const urls = this.urls();
      const url = urls[this.next++ % Math.max(urls.length, 1)];
      let status = 0;
      let accepted = 0;
      const sentAt = Date.now();
      if (url !== undefined) {
        try {
          const res = await postEvents(url, undefined, { raw: body });
          status = res.status;
          accepted = Number(res.body.accepted ?? 0);
        } catch (error) {
          status = 0; // connection refused or reset: the instance is gone
          this.lastError = error;
        }
      }
      this.statuses.set(String(status), (this.statuses.get(String(status)) ?? 0) + 1);
      if (url !== undefined) this.attempts.push({ url, status, sentAt, doneAt: Date.now() });
      if (status === 202) {
        this.acknowledged += accepted;
        return accepted;
      }
      if (status !== 503 && status !== 0) throw new Error(`unexpected status ${status}`);
      if (attempt >= maxAttempts)
        throw new Error(
          `no instance acknowledged after ${attempt} attempts (last status ${status}${
            status === 0 ? `: ${String((this.lastError as Error)?.cause ?? this.lastError)}` : ''
          })`,
        );
      this.retries += 1;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}
