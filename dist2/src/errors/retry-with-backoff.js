/**
 * The wait after failed attempt `attempt` (1-based): "full jitter" (AWS
 * Architecture Blog, "Exponential Backoff And Jitter"), a uniform draw in
 * [0, min(cap, base·2^(attempt-1))). Without the draw, every sink that lost
 * PostgreSQL at the same moment retries it at the same moments too, and a
 * server that comes back meets all of them at once.
 */
export function fullJitterDelayMs(attempt, baseMs, capMs, random) {
    const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt - 1, 52));
    return Math.floor(random() * ceiling);
}
/**
 * Runs `operation` until it succeeds, waiting with capped exponential
 * backoff and full jitter after each retriable failure. A non-retriable
 * error is thrown at once: only the caller knows what to do with refused
 * data or a refused operation.
 */
export async function retryWithBackoff(operation, classify, options) {
    const base = options.initialDelayMs ?? 100;
    const random = options.random ?? Math.random;
    for (let attempt = 1;; attempt += 1) {
        try {
            return await operation();
        }
        catch (raw) {
            const error = classify(raw);
            if (!error.retriable || options.shouldContinue?.() === false)
                throw error;
            const delay = fullJitterDelayMs(attempt, base, options.maxDelayMs, random);
            options.onRetry?.(error, attempt, delay);
            await new Promise((resolve) => setTimeout(resolve, delay));
        }
    }
}
//# sourceMappingURL=retry-with-backoff.js.map