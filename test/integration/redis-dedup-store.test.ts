import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { createRedisDedupStore, type DedupStoreHooks } from '../../src/dedup/redis-dedup-store.js';
import { type IdempotencyKey, keyFromBytes } from '../../src/event/idempotency-key.js';
import type { DedupStore } from '../../src/sink/dedup-store.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { randomKey } from '../support/event-rows.js';
import { uniqueName } from '../support/names.js';
import { quietLog, REDIS_URL } from '../support/services.js';

const WINDOW_MS = 60_000;
// Expiry is absolute (PEXPIREAT), so the test clock starts at the real
// generation: a clock in 1970 would create hashes that expire at once.
const GEN = Math.floor(Date.now() / WINDOW_MS);

describe('Redis dedup store (generational hash buckets, real Redis)', () => {
  const stores: DedupStore[] = [];
  const redis = new Redis(REDIS_URL);
  const prefixes: string[] = [];
  after(async () => {
    for (const store of stores) await store.close();
    for (const prefix of prefixes) {
      const keys = await redis.keys(`${prefix}:dd:*`);
      if (keys.length > 0) await redis.del(...keys);
    }
    await redis.quit();
  });

  const open = async (
    buckets: number,
    clock: { t: number },
    log = quietLog,
    hooks: DedupStoreHooks = {},
  ) => {
    const prefix = uniqueName('dd');
    prefixes.push(prefix);
    const store = createRedisDedupStore(
      { url: REDIS_URL, prefix, buckets, windowMs: WINDOW_MS, now: () => clock.t },
      log,
      hooks,
    );
    stores.push(store);
    // The store fails closed (undefined) until its connection is ready.
    for (let i = 0; i < 50 && (await store.findKnown([randomKey()])) === undefined; i += 1) {
      await new Promise((r) => setTimeout(r, 50));
    }
    return { store, prefix };
  };

  // 2^20 and 2^24 take the bucket from three bytes of the key.
  for (const buckets of [1, 256, 1024, 65_536, 2 ** 20, 2 ** 24]) {
    it(`remembers keys and tells them apart (${buckets} buckets)`, async () => {
      const clock = { t: GEN * WINDOW_MS + 5 };
      const { store } = await open(buckets, clock);
      const seen = Array.from({ length: 3_000 }, () => randomKey());
      const fresh = Array.from({ length: 3_000 }, () => randomKey());
      assert.deepEqual(await store.findKnown(seen), new Array(3_000).fill(false));
      await store.remember(seen);
      const known = await store.findKnown([...seen, ...fresh]);
      assert.deepEqual(known, [...new Array(3_000).fill(true), ...new Array(3_000).fill(false)]);
    });
  }

  it('fails closed on a key that is not 16 bytes, rather than misread the keys after it', async () => {
    // The scripts take the keys end to end and cut every 16 bytes.
    const { store } = await open(1024, { t: GEN * WINDOW_MS + 5 });
    const keys = [randomKey(), randomKey(15), randomKey()];
    assert.equal(await store.findKnown(keys), undefined);
    await store.remember(keys);
    assert.deepEqual(
      await store.findKnown([keys[0] as IdempotencyKey, keys[2] as IdempotencyKey]),
      [false, false],
    );
  });

  it('keeps a key for at least one window and forgets it after two', async () => {
    const clock = { t: GEN * WINDOW_MS + WINDOW_MS - 1 }; // the last ms of a generation
    const { store, prefix } = await open(65_536, clock);
    const key = randomKey();
    await store.remember([key]);
    clock.t += 1; // next generation: found in the previous one
    assert.deepEqual(await store.findKnown([key]), [true]);
    clock.t += WINDOW_MS; // two generations on: no longer looked up
    assert.deepEqual(await store.findKnown([key]), [false]);
    // Each hash expires two windows after its generation began.
    const [name] = await redis.keys(`${prefix}:dd:${GEN}:*`);
    assert.ok(name, 'the bucket of the first generation exists');
    const expireAt = await redis.pexpiretime(name);
    assert.equal(expireAt, (GEN + 2) * WINDOW_MS + 60_000);
  });

  it('keeps buckets in the compact listpack encoding', async () => {
    const clock = { t: GEN * WINDOW_MS };
    const { prefix, store } = await open(256, clock);
    await store.remember(Array.from({ length: 5_000 }, () => randomKey()));
    const names = await redis.keys(`${prefix}:dd:${GEN}:*`);
    assert.ok(names.length > 200 && names.length <= 256);
    const name = names[0] as string;
    assert.equal(await redis.object('ENCODING', name), 'listpack');
  });

  it('buckets up to 2^16 are where they were before 2^24 was allowed', async () => {
    // A deployment that raises its bucket count past 65,536 must not
    // forget the keys already written: below that, the placement is
    // unchanged (the top bits of the first two bytes).
    const clock = { t: GEN * WINDOW_MS };
    const { prefix, store } = await open(4_096, clock);
    const bytes = Buffer.from('abcdef0123456789abcdef0123456789', 'hex');
    await store.remember([keyFromBytes(bytes)]);
    const names = await redis.keys(`${prefix}:dd:${GEN}:*`);
    assert.deepEqual(names, [`${prefix}:dd:${GEN}:${(0xabcd >> 4).toString(16)}`]);
    // 12 bits of bucket: the first byte is implied, the field is the other 15.
    assert.deepEqual(await redis.hkeysBuffer(names[0] as string), [bytes.subarray(1)]);
  });

  it('reports the fullest bucket and warns once when buckets are too few', async () => {
    // Only the fill warnings: the store also warns while it connects.
    const lines: string[] = [];
    const log = createLogger('warn', {}, (line) => {
      if (line.includes('dedup_buckets_full')) lines.push(line);
    });
    const fills: { largest: number; limit: number }[] = [];
    const clock = { t: GEN * WINDOW_MS };
    const { store, prefix } = await open(1, clock, log, {
      onBucketFill: (largest, limit) => fills.push({ largest, limit }),
    });
    const [, configured] = (await redis.config('GET', 'hash-max-listpack-entries')) as string[];
    const limit = Number(configured);
    await store.remember(Array.from({ length: 100 }, () => randomKey()));
    assert.deepEqual(fills.at(-1), { largest: 100, limit });
    assert.equal(lines.length, 0, 'no warning while the bucket is compact');

    await store.remember(Array.from({ length: limit + 1 }, () => randomKey()));
    await store.remember(Array.from({ length: 10 }, () => randomKey()));
    assert.deepEqual(fills.at(-1), { largest: limit + 111, limit });
    const warnings = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(warnings.length, 1, 'one warning per generation');
    assert.equal(warnings[0]?.reason, 'dedup_buckets_full');
    assert.equal(warnings[0]?.largestBucket, limit + 101);
    // Marks into a hash that already existed keep the expiry it got when created.
    const names = await redis.keys(`${prefix}:dd:${GEN}:*`);
    assert.equal(names.length, 1);
    assert.equal(await redis.pexpiretime(names[0] as string), (GEN + 2) * WINDOW_MS + 60_000);
  });
});
