import { Pool } from 'undici';
export function emptyHttpStats() {
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
export const isUnavailable = (answer) => answer.status === 503 || answer.status === 0;
/**
 * Records a final answer in `stats`: an acknowledgement (202 or 422), or a
 * request given up on, by status. Returns whether it was acknowledged.
 */
export function recordAnswer(stats, answer, options) {
    if (answer.status === 202 || answer.status === 422) {
        if (options.first) {
            stats.acknowledged += 1;
            stats.accepted += answer.accepted;
            stats.rejected += answer.rejected;
            stats.ackMs.push(performance.now() - options.startedAt);
        }
        else
            stats.resentEvents += answer.accepted;
        return true;
    }
    const key = String(answer.status);
    stats.failed[key] = (stats.failed[key] ?? 0) + 1;
    return false;
}
/**
 * POST /v1/events over keep-alive connections (undici Pool), as an ad
 * server does: NDJSON bodies, a 503 or a refused connection retried after
 * a pause (the idempotency key makes that safe), any other answer than
 * 202/422 given up on and counted.
 */
export class HttpLoad {
    apiKey;
    pool;
    constructor(baseUrl, connections, apiKey = 'dev-key') {
        this.apiKey = apiKey;
        this.pool = new Pool(baseUrl, {
            connections,
            pipelining: 1,
            keepAliveTimeout: 30_000,
            headersTimeout: 60_000,
            bodyTimeout: 60_000,
        });
    }
    /** Sends one body until it is acknowledged; records the outcome in `stats`. */
    async send(body, stats, options) {
        const started = performance.now();
        stats.requests += 1;
        for (let attempt = 1;; attempt += 1) {
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
    async post(body) {
        try {
            return await this.postOnce(body);
        }
        catch {
            return { status: 0, accepted: 0, rejected: 0 };
        }
    }
    async postOnce(body) {
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
        const parsed = JSON.parse(text);
        return {
            status: response.statusCode,
            accepted: Number(parsed.accepted ?? 0),
            rejected: parsed.rejected?.length ?? 0,
        };
    }
    async close() {
        await this.pool.close();
    }
}
//# sourceMappingURL=http-load.js.map