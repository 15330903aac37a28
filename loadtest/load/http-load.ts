import { Pool } from 'undici';

export interface HttpAnswer {
  readonly status: number;
  readonly accepted: number;
  readonly rejected: number;
}

/** What the HTTP side of the load did, for the report and the verifier. */
export interface HttpStats {
  requests: number;
  /** Requests acknowledged (202 or 422), first sends only. */
  acknowledged: number;
  /** Requests sent again, whole, after their 202 (--retries). */
  wholeRetries: number;
  /** 503 answers and refused connections, each retried after a pause. */
  unavailable: number;
  /** Requests given up on, by status: their events never reached Kafka. */
  failed: Record<string, number>;
  /** Events accepted (202), first sends only. */
  accepted: number;
  /** Events rejected (in 202 and 422 bodies), first sends only. */
  rejected: number;
  /** Valid events re-sent by whole retries (they land in Kafka again). */
  resentEvents: number;
  /** Milliseconds from a request's first send to its acknowledgement. */
  readonly ackMs: number[];
}

export function emptyHttpStats(): HttpStats {
  return {
    requests: 0,
    acknowledged: 0,
    wholeRetries: 0,
    unavailable: 0,
    failed: {},
    accepted: 0,
    rejected: 0,
    resentEvents: 0,
    ackMs: [],
  };
}

const RETRY_PAUSE_MS = 100;
const MAX_ATTEMPTS = 300;

/** Whether an answer is worth sending again: a 503 or no answer at all (refused, reset). */
export const isUnavailable = (answer: HttpAnswer): boolean =>
  answer.status === 503 || answer.status === 0;

/**
 * Records a final answer in `stats`: an acknowledgement (202 or 422), or a
 * request given up on, by status. Returns whether it was acknowledged.
 */
export function recordAnswer(
  stats: HttpStats,
  answer: HttpAnswer,
  options: { first: boolean; startedAt: number },
): boolean {
  if (answer.status === 202 || answer.status === 422) {
    if (options.first) {
      stats.acknowledged += 1;
      stats.accepted += answer.accepted;
      stats.rejected += answer.rejected;
      stats.ackMs.push(performance.now() - options.startedAt);
    } else stats.resentEvents += answer.accepted;
    return true;
  }
  const key = String(answer.status);
  stats.failed[key] = (stats.failed[key] ?? 0) + 1;
  return false;
}

/** The methods the load driver needs from an HTTP client (one instance or several). */
export interface HttpSender {
  send(body: string | Buffer, stats: HttpStats, options: { first: boolean }): Promise<void>;
}

/**
 * POST /v1/events over keep-alive connections (undici Pool), as an ad
 * server does: NDJSON bodies, a 503 or a refused connection retried after
 * a pause (the idempotency key makes that safe), any other answer than
 * 202/422 given up on and counted.
 */
export class HttpLoad implements HttpSender {
  private readonly pool: Pool;

  constructor(
    baseUrl: string,
    connections: number,
    private readonly apiKey = 'dev-key',
  ) {
    this.pool = new Pool(baseUrl, {
      connections,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      headersTimeout: 60_000,
      bodyTimeout: 60_000,
    });
  }

  /** Sends one body until it is acknowledged; records the outcome in `stats`. */
  async send(body: string | Buffer, stats: HttpStats, options: { first: boolean }): Promise<void> {
    const started = performance.now();
    stats.requests += 1;
    for (let attempt = 1; ; attempt += 1) {
      const answer = await this.post(body);
      if (isUnavailable(answer) && attempt < MAX_ATTEMPTS) {
        stats.unavailable += 1;
        await new Promise((r) => setTimeout(r, RETRY_PAUSE_MS));
        continue;
      }
      recordAnswer(stats, answer, { first: options.first, startedAt: started });
      return;
    }
  }

  /** One attempt; status 0 when no answer came (connection refused or reset). */
  async post(body: string | Buffer): Promise<HttpAnswer> {
    try {
      return await this.postOnce(body);
    } catch {
      return { status: 0, accepted: 0, rejected: 0 };
    }
  }

  private async postOnce(body: string | Buffer): Promise<HttpAnswer> {
    const response = await this.pool.request({
      method: 'POST',
      path: '/v1/events',
      headers: {
        authorization: `Bearer ${this.apiKey}`,
        'content-type': 'application/x-ndjson',
      },
      body,
    });
    const text = await response.body.text();
    if (response.statusCode !== 202 && response.statusCode !== 422) {
      return { status: response.statusCode, accepted: 0, rejected: 0 };
    }
    const parsed = JSON.parse(text) as { accepted?: number; rejected?: unknown[] };
    return {
      status: response.statusCode,
      accepted: Number(parsed.accepted ?? 0),
      rejected: parsed.rejected?.length ?? 0,
    };
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}
