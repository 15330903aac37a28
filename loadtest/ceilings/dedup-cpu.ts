/**
 * The CPU of the sink's Redis dedup calls, alone: for every flush of fresh
 * events, findKnown of its keys then remember of them, as flushBatch calls
 * them, through createRedisDedupStore against a real Redis, `--batch` keys
 * a flush, in rounds (cpu-rounds.ts) of fresh random 16-byte keys (the
 * idempotency keys' size). Prints this process's CPU per key, which is
 * the sink's share, and the Redis server's (INFO cpu, over every round but
 * the first: other clients of a shared server count too).
 *
 *   node dist/loadtest/ceilings/dedup-cpu.js [--messages 200000] [--rounds 6] [--batch 4000] [--redis-url URL]
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { createRedisDedupStore } from '../../src/dedup/redis-dedup-store.js';
import { type IdempotencyKey, KEY_BYTES, keyFromBytes } from '../../src/event/idempotency-key.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { readServers, SERVER_OPTIONS } from '../common/options.js';
import { medianCpuPerMessage, runCpuTool } from './cpu-rounds.js';

const TOOL = {
  name: 'dedup-cpu',
  summary: "The sink's Redis dedup calls alone (findKnown, then remember), on fresh keys.",
  extra: [
    { name: 'batch', value: 'N', fallback: '4000', help: 'keys a flush' },
    ...SERVER_OPTIONS.filter((o) => o.name === 'redis-url'),
  ],
};

/** The server's CPU seconds so far (user + system), from INFO cpu. */
async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const read = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1]);
  return read('used_cpu_user') + read('used_cpu_sys');
}

/** Waits until the store answers: it fails closed (undefined) until its connection is ready. */
async function whenReady(findKnown: (keys: IdempotencyKey[]) => Promise<boolean[] | undefined>) {
  for (let i = 0; i < 100; i += 1) {
    if ((await findKnown([keyFromBytes(randomBytes(KEY_BYTES))])) !== undefined) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the dedup store did not connect to Redis within 5 s');
}

await runCpuTool(TOOL, async ({ messages, rounds }, read, { given }) => {
  const batch = read.int('batch', 1);
  const { redisUrl } = readServers(given);
  const prefix = `adgate-dedup-cpu-${process.pid}`;
  // Sized by the README's rule (keys written ÷ 256), as the bench sizes them.
  const buckets = 2 ** Math.max(0, Math.ceil(Math.log2((messages * rounds) / 256)));
  const store = createRedisDedupStore(
    { url: redisUrl, prefix, buckets, windowMs: 86_400_000 },
    createLogger('error'),
  );
  const admin = new Redis(redisUrl);
  try {
    await whenReady((keys) => store.findKnown(keys));
    // Made before the rounds, so that their CPU is the calls' alone.
    const keys = Array.from({ length: rounds }, () =>
      Array.from({ length: messages }, () => keyFromBytes(randomBytes(KEY_BYTES))),
    );
    let round = 0;
    let serverFrom = 0;
    const median = await medianCpuPerMessage(rounds, messages, async () => {
      if (round === 1) serverFrom = await redisCpuSeconds(admin);
      const all = keys[round] as IdempotencyKey[];
      round += 1;
      for (let at = 0; at < all.length; at += batch) {
        const flush = all.slice(at, at + batch);
        const known = await store.findKnown(flush);
        if (known === undefined || known.some(Boolean)) throw new Error('fresh keys read as known');
        await store.remember(flush);
      }
    });
    const serverUs = ((await redisCpuSeconds(admin)) - serverFrom) * 1e6;
    process.stdout.write(
      `dedup calls: ${median.toFixed(2)} µs CPU per key in this process (median); Redis ${(serverUs / (messages * (rounds - 1))).toFixed(2)} µs per key (mean)\n`,
    );
  } finally {
    await store.close();
    await deleteKeys(admin, `${prefix}:*`);
    await admin.quit();
  }
});

async function deleteKeys(redis: Redis, pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    if (found.length > 0) await redis.del(...found);
    cursor = next;
  } while (cursor !== '0');
}
