import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { createRedisDedupStore } from '../../src/dedup/redis-dedup-store.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { waitFor, within } from '../../testkit/wait-for.js';
import { randomKey } from '../support/event-rows.js';
import { uniqueName } from '../support/names.js';
import { REDIS_URL } from '../support/services.js';

const WINDOW_MS = 60_000;
const GEN = Math.floor(Date.now() / WINDOW_MS);

describe('Redis dedup store: a command Redis refuses for good', () => {
  const redis = new Redis(REDIS_URL);
  const prefix = uniqueName('ddref');
  after(async () => {
    const keys = await redis.keys(`${prefix}:dd:*`);
    if (keys.length > 0) await redis.del(...keys);
    await within(10_000, 'redis quit', redis.quit());
  });

  it('WRONGTYPE: fails closed, logged at error as redis_rejected', async () => {
    const lines: { level: string; msg: string; reason?: string }[] = [];
    const log = createLogger('debug', {}, (line) => lines.push(JSON.parse(line)));
    const store = createRedisDedupStore(
      { url: REDIS_URL, prefix, buckets: 1, windowMs: WINDOW_MS, now: () => GEN * WINDOW_MS + 5 },
      log,
    );
    try {
      await waitFor(
        'the store to answer',
        async () => (await store.findKnown([randomKey()])) !== undefined,
      );
      // A string where the store keeps the hash of bucket 0 of this generation.
      await redis.set(`${prefix}:dd:${GEN}:0`, 'not a hash');
      assert.equal(await store.findKnown([randomKey()]), undefined, 'fails closed');
      assert.equal(store.degraded, true);
      const refusal = lines.find((l) => l.level === 'error');
      assert.ok(refusal, JSON.stringify(lines));
      assert.equal(refusal.reason, 'redis_rejected');
      assert.match(JSON.stringify(refusal), /WRONGTYPE/);
    } finally {
      await within(10_000, 'store close', store.close());
    }
  });
});
