import { Redis } from 'ioredis';
import { readBeside } from '../shared/read-beside.js';
import { classifyRedisError } from './classify-redis-error.js';
const FIND_KNOWN_LUA = readBeside(import.meta.url, './lua/find-known.lua');
const REMEMBER_LUA = readBeside(import.meta.url, './lua/remember.lua');
// A script blocks Redis while it runs: a few milliseconds at most.
const SCRIPT_CHUNK = 2_000;
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
    const redis = new Redis(settings.url, {
        lazyConnect: false,
        // Fail fast while Redis is away: the sink must not wait on a cache.
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        commandTimeout: 1_000,
        retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    });
    const bits = Math.log2(settings.buckets);
    // The bucket is the top `bits` bits of the key; whole bytes it covers
    // need not be stored again in the field.
    const fieldStart = Math.floor(bits / 8);
    let degraded = false;
    let lastReason;
    const setDegraded = (value, raw) => {
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
    };
    redis.on('error', (error) => setDegraded(true, error));
    redis.on('ready', () => {
        setDegraded(false);
        void readCompactLimit();
    });
    // Buckets past the compact limit are not an error, just memory: warn
    // once per generation with what to change, and report the fill always.
    let compactLimit = DEFAULT_COMPACT_LIMIT;
    let warnedGeneration;
    const readCompactLimit = async () => {
        try {
            const reply = (await redis.config('GET', 'hash-max-listpack-entries'));
            const value = Number(reply[1]);
            if (Number.isInteger(value) && value > 0)
                compactLimit = value;
        }
        catch {
            // Managed Redis services often refuse CONFIG: keep Redis's default.
        }
    };
    const reportFill = (gen, largest) => {
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
    };
    const now = settings.now ?? Date.now;
    const generation = (nowMs) => Math.floor(nowMs / settings.windowMs);
    const scripted = redis;
    scripted.defineCommand('adgateFindKnown', { numberOfKeys: 0, lua: FIND_KNOWN_LUA });
    scripted.defineCommand('adgateRemember', { numberOfKeys: 0, lua: REMEMBER_LUA });
    const hashPrefix = `${settings.prefix}:dd:`;
    return {
        get degraded() {
            return degraded;
        },
        async findKnown(keys) {
            if (keys.length === 0)
                return [];
            if (redis.status !== 'ready') {
                setDegraded(true);
                return undefined;
            }
            const gen = generation(now());
            try {
                const known = [];
                // One script call per chunk: a round trip and a handful of Redis
                // commands per key, instead of four commands per key on the wire.
                for (let i = 0; i < keys.length; i += SCRIPT_CHUNK) {
                    const chunk = keys.slice(i, i + SCRIPT_CHUNK);
                    const flags = await scripted.adgateFindKnown(hashPrefix, gen, bits, fieldStart, ...chunk);
                    for (let j = 0; j < chunk.length; j += 1)
                        known.push(flags.charCodeAt(j) === 49); // '1'
                }
                setDegraded(false);
                return known;
            }
            catch (error) {
                setDegraded(true, error);
                return undefined;
            }
        },
        async remember(keys) {
            if (keys.length === 0 || redis.status !== 'ready')
                return;
            const gen = generation(now());
            const expireAtMs = (gen + 2) * settings.windowMs + 60_000;
            try {
                let largest = 0;
                for (let i = 0; i < keys.length; i += SCRIPT_CHUNK) {
                    const chunk = keys.slice(i, i + SCRIPT_CHUNK);
                    const fill = await scripted.adgateRemember(hashPrefix, gen, bits, fieldStart, expireAtMs, ...chunk);
                    largest = Math.max(largest, fill);
                }
                reportFill(gen, largest);
            }
            catch (error) {
                setDegraded(true, error);
            }
        },
        async close() {
            try {
                await redis.quit();
            }
            catch {
                redis.disconnect();
            }
        },
    };
}
//# sourceMappingURL=redis-dedup-store.js.map