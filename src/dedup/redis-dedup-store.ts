import { Redis } from 'ioredis';
import type { Logger } from '../telemetry/logger.js';

export interface DedupStoreSettings {
  readonly url: string;
  readonly prefix: string;
  /** Hash buckets per generation, a power of two up to 65,536. */
  readonly buckets: number;
  /** How long a key must be remembered at least (the dedup window). */
  readonly windowMs: number;
}

export interface DedupStore {
  /**
   * For each key, whether Redis has seen it. Undefined when Redis cannot
   * answer: the caller then treats every key as unknown and lets
   * PostgreSQL arbitrate (fail closed, never "assume new").
   */
  findKnown(keys: readonly Buffer[]): Promise<boolean[] | undefined>;
  /** Marks keys as seen. Best effort: a lost mark only costs a trip to PostgreSQL. */
  remember(keys: readonly Buffer[]): Promise<void>;
  readonly degraded: boolean;
  close(): Promise<void>;
}

/**
 * Redis fast path. A plain string key with a TTL costs Redis about 80
 * bytes; instead keys are grouped into hashes small enough to stay in
 * listpack encoding (≈20 bytes an entry), and expiry works by generation:
 * a generation lasts one dedup window, every key is written to the current
 * one, and a lookup reads the current and the previous. Each hash expires
 * two windows after its generation began, so a key lives at least one
 * window and at most two.
 */
export function createRedisDedupStore(
  settings: DedupStoreSettings,
  log: Logger,
  onDegradedChange: (degraded: boolean) => void = () => undefined,
): DedupStore {
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
  const setDegraded = (value: boolean, error?: unknown) => {
    if (value === degraded) return;
    degraded = value;
    if (value) log.warn('Redis unavailable: PostgreSQL alone arbitrates duplicates', { error });
    else log.info('Redis back: fast-path dedup restored');
    onDegradedChange(value);
  };
  redis.on('error', (error) => setDegraded(true, error));
  redis.on('ready', () => setDegraded(false));

  const generation = (nowMs: number) => Math.floor(nowMs / settings.windowMs);
  const bucketOf = (key: Buffer) => (bits === 0 ? 0 : key.readUInt16BE(0) >>> (16 - bits));
  const hashName = (gen: number, bucket: number) =>
    `${settings.prefix}:dd:${gen}:${bucket.toString(16)}`;
  const fieldOf = (key: Buffer) => key.subarray(fieldStart);

  return {
    get degraded() {
      return degraded;
    },
    async findKnown(keys) {
      if (keys.length === 0) return [];
      if (redis.status !== 'ready') {
        setDegraded(true);
        return undefined;
      }
      const gen = generation(Date.now());
      const byBucket = groupByBucket(keys, bucketOf);
      const pipeline = redis.pipeline();
      for (const [bucket, indexes] of byBucket) {
        const fields = indexes.map((i) => fieldOf(keys[i] as Buffer));
        pipeline.hmget(hashName(gen, bucket), ...fields);
        pipeline.hmget(hashName(gen - 1, bucket), ...fields);
      }
      try {
        const replies = (await pipeline.exec()) ?? [];
        const known = new Array<boolean>(keys.length).fill(false);
        let r = 0;
        for (const [, indexes] of byBucket) {
          const current = replies[r++];
          const previous = replies[r++];
          if (current?.[0] || previous?.[0]) throw current?.[0] ?? previous?.[0];
          const a = current?.[1] as (string | null)[];
          const b = previous?.[1] as (string | null)[];
          indexes.forEach((keyIndex, j) => {
            known[keyIndex] = a[j] !== null || b[j] !== null;
          });
        }
        setDegraded(false);
        return known;
      } catch (error) {
        setDegraded(true, error);
        return undefined;
      }
    },
    async remember(keys) {
      if (keys.length === 0 || redis.status !== 'ready') return;
      const now = Date.now();
      const gen = generation(now);
      const expireAtMs = (gen + 2) * settings.windowMs + 60_000;
      const pipeline = redis.pipeline();
      for (const [bucket, indexes] of groupByBucket(keys, bucketOf)) {
        const name = hashName(gen, bucket);
        const args: (Buffer | string)[] = [];
        for (const i of indexes) args.push(fieldOf(keys[i] as Buffer), '1');
        pipeline.hset(name, ...args);
        pipeline.pexpireat(name, expireAtMs);
      }
      try {
        await pipeline.exec();
      } catch (error) {
        setDegraded(true, error);
      }
    },
    async close() {
      try {
        await redis.quit();
      } catch {
        redis.disconnect();
      }
    },
  };
}

function groupByBucket(
  keys: readonly Buffer[],
  bucketOf: (key: Buffer) => number,
): Map<number, number[]> {
  const byBucket = new Map<number, number[]>();
  keys.forEach((key, i) => {
    const bucket = bucketOf(key);
    const list = byBucket.get(bucket);
    if (list) list.push(i);
    else byBucket.set(bucket, [i]);
  });
  return byBucket;
}
