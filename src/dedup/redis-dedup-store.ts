import { Redis } from 'ioredis';
import { type IdempotencyKey, KEY_BYTES } from '../event/idempotency-key.js';
import { readBeside } from '../shared/read-beside.js';
import type { DedupStore } from '../sink/dedup-store.js';
import type { Logger } from '../telemetry/logger.js';
import { classifyRedisError } from './classify-redis-error.js';

const FIND_KNOWN_LUA = readBeside(import.meta.url, './lua/find-known.lua');
const REMEMBER_LUA = readBeside(import.meta.url, './lua/remember.lua');
// A script blocks Redis while it runs: a few milliseconds at most.
const SCRIPT_CHUNK = 2_000;
// Lookups read a generation until the next one ends; its hashes live a
// minute longer, for clocks that differ a little between sinks and Redis.
const EXPIRY_MARGIN_MS = 60_000;

interface ScriptCommands {
  adgateFindKnown(...args: (string | number | Buffer)[]): Promise<string>;
  adgateRemember(...args: (string | number | Buffer)[]): Promise<number>;
}
type ScriptedRedis = Redis & ScriptCommands;

export interface DedupStoreSettings {
  readonly url: string;
  /** The CA to verify a rediss:// server with; unset, the system's CAs. */
  readonly tlsCa?: string;
  readonly prefix: string;
  /** Hash buckets per generation, a power of two up to 2^24 (README: sizing). */
  readonly buckets: number;
  /**
   * How long a key must be remembered at least: the dedup window, or less
   * (ADGATE_DEDUP_REDIS_WINDOW_MS), PostgreSQL catching the older duplicates.
   */
  readonly windowMs: number;
  /** The clock that picks the generation; tests move it across windows. */
  readonly now?: () => number;
}

export interface DedupStoreHooks {
  /** Redis went away (true) or came back (false). */
  readonly onDegradedChange?: (degraded: boolean) => void;
  /**
   * After each mark: the most keys one bucket of the current generation
   * holds, and the size past which Redis stores a hash in its large
   * encoding (hash-max-listpack-entries), where a key costs several times
   * more memory.
   */
  readonly onBucketFill?: (largest: number, compactLimit: number) => void;
}

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
export function createRedisDedupStore(
  settings: DedupStoreSettings,
  log: Logger,
  hooks: DedupStoreHooks = {},
): DedupStore {
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
      if (keys.length === 0) return [];
      if (redis.status !== 'ready') {
        health.update(true);
        return undefined;
      }
      const gen = layout.generation(now());
      try {
        const known = await lookUpKeys(redis, layout, gen, keys);
        health.update(false);
        return known;
      } catch (error) {
        health.update(true, error);
        return undefined;
      }
    },
    async remember(keys) {
      if (keys.length === 0 || redis.status !== 'ready') return;
      const gen = layout.generation(now());
      try {
        fill.report(gen, await markKeys(redis, layout, gen, keys));
      } catch (error) {
        health.update(true, error);
      }
    },
    close: () => closeRedis(redis),
  };
}

/** A client that fails fast while Redis is away, with our two scripts defined. */
function connectRedis(url: string, tlsCa: string | undefined): ScriptedRedis {
  const redis = new Redis(url, {
    // rediss://: TLS, verified against the given CA or the system's.
    ...(url.startsWith('rediss://') ? { tls: tlsCa === undefined ? {} : { ca: tlsCa } } : {}),
    lazyConnect: false,
    // Fail fast while Redis is away: the sink must not wait on a cache.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: 1_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  }) as ScriptedRedis;
  redis.defineCommand('adgateFindKnown', { numberOfKeys: 0, lua: FIND_KNOWN_LUA });
  redis.defineCommand('adgateRemember', { numberOfKeys: 0, lua: REMEMBER_LUA });
  return redis;
}

async function closeRedis(redis: Redis): Promise<void> {
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  }
}

interface HealthTracker {
  readonly degraded: boolean;
  /** Records whether Redis answers; `raw` is the error that says why not. */
  update(degraded: boolean, raw?: unknown): void;
}

/** Whether Redis is usable, logged and reported on each change. */
function trackHealth(log: Logger, hooks: DedupStoreHooks): HealthTracker {
  let degraded = false;
  let lastReason: string | undefined;
  return {
    get degraded() {
      return degraded;
    },
    update(value, raw) {
      const error = raw === undefined ? undefined : classifyRedisError(raw);
      // Logged on each change, and when a refusal follows a passing outage:
      // a wrong password must not hide behind the first "connection refused".
      if (value === degraded && (error === undefined || error.reason === lastReason)) return;
      lastReason = error?.reason;
      if (value && error?.retriable === false) {
        log.error('Redis refuses the dedup commands: PostgreSQL alone arbitrates duplicates', {
          reason: error.reason,
          error,
        });
      } else if (value) {
        log.warn('Redis unavailable: PostgreSQL alone arbitrates duplicates', {
          reason: 'redis_unavailable',
          error,
        });
      } else log.info('Redis back: fast-path dedup restored');
      if (value === degraded) return;
      degraded = value;
      hooks.onDegradedChange?.(value);
    },
  };
}

interface BucketFillWatch {
  /** Reads hash-max-listpack-entries; keeps Redis's default when refused. */
  readCompactLimit(): Promise<void>;
  /** Reports the fullest bucket of generation `gen` after a mark. */
  report(gen: number, largest: number): void;
}

/**
 * Buckets past the compact limit are not an error, just memory: warn
 * once per generation with what to change, and report the fill always.
 */
function watchBucketFill(
  redis: Redis,
  settings: DedupStoreSettings,
  log: Logger,
  hooks: DedupStoreHooks,
): BucketFillWatch {
  let compactLimit = DEFAULT_COMPACT_LIMIT;
  let warnedGeneration: number | undefined;
  return {
    async readCompactLimit() {
      try {
        const reply = (await redis.config('GET', 'hash-max-listpack-entries')) as string[];
        const value = Number(reply[1]);
        if (Number.isInteger(value) && value > 0) compactLimit = value;
      } catch {
        // Managed Redis services often refuse CONFIG: keep Redis's default.
      }
    },
    report(gen, largest) {
      hooks.onBucketFill?.(largest, compactLimit);
      if (largest <= compactLimit || warnedGeneration === gen) return;
      warnedGeneration = gen;
      log.warn(
        'Redis dedup buckets are past the compact encoding: each key costs several times more memory',
        {
          reason: 'dedup_buckets_full',
          largestBucket: largest,
          compactLimit,
          buckets: settings.buckets,
          advice: 'raise ADGATE_DEDUP_REDIS_BUCKETS (README: sizing the Redis dedup store)',
        },
      );
    },
  };
}

/** Where a key lives: `<prefix>:dd:<generation>:<bucket>`, field the rest of the key. */
interface BucketLayout {
  readonly hashPrefix: string;
  /** The bucket is the top `bits` bits of the key. */
  readonly bits: number;
  /** Whole bytes the bucket covers need not be stored again in the field. */
  readonly fieldStart: number;
  generation(nowMs: number): number;
  /** When the hashes of generation `gen` may go: two windows after it began. */
  expireAtMs(gen: number): number;
}

function bucketLayout(settings: DedupStoreSettings): BucketLayout {
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
async function lookUpKeys(
  redis: ScriptedRedis,
  layout: BucketLayout,
  gen: number,
  keys: readonly IdempotencyKey[],
): Promise<boolean[]> {
  const known: boolean[] = [];
  for (let i = 0; i < keys.length; i += SCRIPT_CHUNK) {
    const chunk = keys.slice(i, i + SCRIPT_CHUNK);
    const { hashPrefix, bits, fieldStart } = layout;
    const flags = await redis.adgateFindKnown(hashPrefix, gen, bits, fieldStart, pack(chunk));
    for (let j = 0; j < chunk.length; j += 1) known.push(flags.charCodeAt(j) === 49); // '1'
  }
  return known;
}

/** Writes the keys into generation `gen`; returns the most keys one bucket now holds. */
async function markKeys(
  redis: ScriptedRedis,
  layout: BucketLayout,
  gen: number,
  keys: readonly IdempotencyKey[],
): Promise<number> {
  const { hashPrefix, bits, fieldStart } = layout;
  const expireAtMs = layout.expireAtMs(gen);
  let largest = 0;
  for (let i = 0; i < keys.length; i += SCRIPT_CHUNK) {
    const chunk = keys.slice(i, i + SCRIPT_CHUNK);
    const fill = await redis.adgateRemember(
      hashPrefix,
      gen,
      bits,
      fieldStart,
      expireAtMs,
      pack(chunk),
    );
    largest = Math.max(largest, fill);
  }
  return largest;
}

/**
 * The keys end to end, one argument for the script to cut: a thousand
 * arguments cost ioredis (one Buffer each, then their concatenation) and
 * Redis (one bulk string each to parse) more than the lookups themselves.
 */
function pack(keys: readonly IdempotencyKey[]): Buffer {
  for (const key of keys) {
    // The scripts cut every KEY_BYTES: a key of another size would shift all the rest.
    if (key.length !== KEY_BYTES)
      throw new Error(`dedup key of ${key.length} bytes, not ${KEY_BYTES}`);
  }
  return Buffer.from(keys.join(''), 'latin1');
}
