import { getConnInfo } from '@hono/node-server/conninfo';
import { authenticate } from './authenticate.js';
import { RateLimiter } from './rate-limiter.js';
/**
 * Authentication and rate limits in one place, for every route. A valid
 * key is never charged for failures, so a key guesser behind the same
 * address as an ad server slows only itself.
 */
export function createRequestGuard(settings, metrics) {
    const keyName = (key) => key.secretSha256.toString('hex');
    const limits = new Map(settings.apiKeys.map((k) => [keyName(k), k.rateLimit ?? settings.ADGATE_RATE_LIMIT]));
    const events = new RateLimiter((name) => limits.get(name));
    const failures = new RateLimiter(() => settings.ADGATE_AUTH_FAILURE_LIMIT);
    return {
        authorize(c, scope) {
            const auth = authenticate(c.req.header('authorization'), settings.apiKeys, scope);
            if (auth.ok)
                return auth;
            const taken = failures.take(clientAddress(c), 1);
            if (!taken.ok) {
                metrics.authThrottled.add(1);
                return {
                    ok: false,
                    response: tooMany(c, taken.retryAfterMs, 'too many failed authentications from this address'),
                };
            }
            return { ok: false, response: c.json({ error: auth.error }, auth.status) };
        },
        admitEvents(c, key, count) {
            const taken = events.take(keyName(key), count);
            if (taken.ok)
                return undefined;
            metrics.rateLimitedEvents.add(count, { source: key.source });
            if (taken.capacity !== undefined && count > taken.capacity) {
                // It would wait forever: a 4xx that says so, never a retry loop.
                return c.json({ error: `${count} events in one request; this key's burst is ${taken.capacity}` }, 413);
            }
            return tooMany(c, taken.retryAfterMs, "over this key's rate limit");
        },
    };
}
function tooMany(c, retryAfterMs, error) {
    c.header('Retry-After', String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
    return c.json({ error }, 429);
}
function clientAddress(c) {
    try {
        return getConnInfo(c).remote.address ?? 'unknown';
    }
    catch {
        return 'unknown'; // not served by @hono/node-server (app.request in a unit test)
    }
}
//# sourceMappingURL=guard-requests.js.map