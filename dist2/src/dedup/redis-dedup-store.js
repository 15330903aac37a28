import { Redis } from 'ioredis';
import { readBeside } from '../shared/read-beside.js';
import { classifyRedisError } from './classify-redis-error.js';
const FIND_KNOWN_LUA = readBeside(import.meta.url, './lua/find-known.lua');
const REMEMBER_LUA = readBeside(import.meta.url, './lua/remember.lua');
// A script blocks Redis while it runs: a few milliseconds at most.
const SCRIPT_CHUNK = 2_000;
// Lookups read a generation until the next one ends; its hashes live a
// minute longer, for clocks that differ a little between sinks and Redis.
const EXPIRY_MARGIN_MS = 60_000;
// Redis's default hash-max-listpack-entries, used when CONFIG GET is refused.
const DEFAULT_COMPACT_LIMIT = 512;
/**
 * Redis fast path. A plain string key with a TTL costs Redis about 80
 * bytes; instead keys are grouped into hashes small enough to stay in
 * listpack encoding (≈20 bytes an entry), and expiry works by generation:
 * a generation lasts one window (`windowMs`), every key is written to the
 * current one, and a lookup reads the current and the previous. Each hash
 * expires two windows after its generation began, so a key lives at least
 * one window and at most two.
 */
export function createRedisDedupStore(settings, log, hooks = {}) {
    const redis = connectRedis(settings.url, settings.tlsCa);
    const health = trackHealth(log, hooks);
    const fill = watchBucketFill(redis, settings, log, hooks);
    redis.on('error', (error) => health.update(true, error));
    redis.on('ready', () => {
        health.update(false);
        void fill.readCompactLimit();
    });
    const layout = bucketLayout(settings);
    const now = settings.now ?? Date.now;
    return {
        get degraded() {
            return health.degraded;
        },
        async findKnown(keys) {
            if (keys.length === 0)
                return [];
            if (redis.status !== 'ready') {
                health.update(true);
                return undefined;
            }
            const gen = layout.generation(now());
            try {
                const known = await lookUpKeys(redis, layout, gen, keys);
                health.update(false);
                return known;
            }
            catch (error) {
                health.update(true, error);
                return undefined;
            }
        },
        async remember(keys) {
            if (keys.length === 0 || redis.status !== 'ready')
                return;
            const gen = layout.generation(now());
            try {
                fill.report(gen, await markKeys(redis, layout, gen, keys));
            }
            catch (error) {
                health.update(true, error);
            }
        },
        close: () => closeRedis(redis),
    };
}
/** A client that fails fast while Redis is away, with our two scripts defined. */
function connectRedis(url, tlsCa) {
    const redis = new Redis(url, {
        // rediss://: TLS, verified against the given CA or the system's.
        ...(url.startsWith('rediss://') ? { tls: tlsCa === undefined ? {} : { ca: tlsCa } } : {}),
        lazyConnect: false,
        // Fail fast while Redis is away: the sink must not wait on a cache.
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        commandTimeout: 1_000,
        retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    });
    redis.defineCommand('adgateFindKnown', { numberOfKeys: 0, lua: FIND_KNOWN_LUA });
    redis.defineCommand('adgateRemember', { numberOfKeys: 0, lua: REMEMBER_LUA });
    return redis;
}
async function closeRedis(redis) {
    try {
        await redis.quit();
    }
    catch {
        redis.disconnect();
    }
}
/** Whether Redis is usable, logged and reported on each change. */
function trackHealth(log, hooks) {
    let degraded = false;
    let lastReason;
    return {
        get degraded() {
            return degraded;
        },
        update(value, raw) {
            const error = raw === undefined ? undefined : classifyRedisError(raw);
            // Logged on each change, and when a refusal follows a passing outage:
            // a wrong password must not hide behind the first "connection refused".
            if (value === degraded && (error === undefined || error.reason === lastReason))
                return;
            lastReason = error?.reason;
            if (value && error?.retriable === false) {
                log.error('Redis refuses the dedup commands: PostgreSQL alone arbitrates duplicates', {
                    reason: error.reason,
                    error,
                });
            }
            else if (value) {
                log.warn('Redis unavailable: PostgreSQL alone arbitrates duplicates', {
                    reason: 'redis_unavailable',
                    error,
                });
            }
            else
                log.info('Redis back: fast-path dedup restored');
            if (value === degraded)
                return;
            degraded = value;
            hooks.onDegradedChange?.(value);
        },
    };
}
/**
 * Buckets past the compact limit are not an error, just memory: warn
 * once per generation with what to change, and report the fill always.
 */
function watchBucketFill(redis, settings, log, hooks) {
    let compactLimit = DEFAULT_COMPACT_LIMIT;
    let warnedGeneration;
    return {
        async readCompactLimit() {
            try {
                const reply = (await redis.config('GET', 'hash-max-listpack-entries'));
                const value = Number(reply[1]);
                if (Number.isInteger(value) && value > 0)
                    compactLimit = value;
            }
            catch {
                // Managed Redis services often refuse CONFIG: keep Redis's default.
            }
        },
        report(gen, largest) {
            hooks.onBucketFill?.(largest, compactLimit);
            if (largest <= compactLimit || warnedGeneration === gen)
                return;
            warnedGeneration = gen;
            log.warn('Redis dedup buckets are past the compact encoding: each key costs several times more memory', {
                reason: 'dedup_buckets_full',
                largestBucket: largest,
                compactLimit,
                buckets: settings.buckets,
                advice: 'raise ADGATE_DEDUP_REDIS_BUCKETS (README: sizing the Redis dedup store)',
            });
        },
    };
}
function bucketLayout(settings) {
    const bits = Math.log2(settings.buckets);
    return {
        hashPrefix: `${settings.prefix}:dd:`,
        bits,
        fieldStart: Math.floor(bits / 8),
        generation: (nowMs) => Math.floor(nowMs / settings.windowMs),
        expireAtMs: (gen) => (gen + 2) * settings.windowMs + EXPIRY_MARGIN_MS,
    };
}
/**
 * Whether each key is in generation `gen` or the one before. One script
 * call per chunk: a round trip and a handful of Redis commands per key,
 * instead of four commands per key on the wire.
 */
async function lookUpKeys(redis, layout, gen, keys) {
    const known = [];
    for (let i = 0; i < keys.length; i += SCRIPT_CHUNK) {
        const chunk = keys.slice(i, i + SCRIPT_CHUNK);
        const { hashPrefix, bits, fieldStart } = layout;
        const flags = await redis.adgateFindKnown(hashPrefix, gen, bits, fieldStart, ...chunk);
        for (let j = 0; j < chunk.length; j += 1)
            known.push(flags.charCodeAt(j) === 49); // '1'
    }
    return known;
}
/** Writes the keys into generation `gen`; returns the most keys one bucket now holds. */
async function markKeys(redis, layout, gen, keys) {
    const { hashPrefix, bits, fieldStart } = layout;
    const expireAtMs = layout.expireAtMs(gen);
    let largest = 0;
    for (let i = 0; i < keys.length; i += SCRIPT_CHUNK) {
        const chunk = keys.slice(i, i + SCRIPT_CHUNK);
        const fill = await redis.adgateRemember(hashPrefix, gen, bits, fieldStart, expireAtMs, ...chunk);
        largest = Math.max(largest, fill);
    }
    return largest;
}
//# sourceMappingURL=redis-dedup-store.js.map