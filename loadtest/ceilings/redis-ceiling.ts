import type { Redis } from 'ioredis';
import { keyBytes } from '../../src/event/idempotency-key.js';
import type { EventRow } from '../../src/store/encode-copy-rows.js';
import { deleteUnder } from '../measure/measure-redis.js';
import type { CeilingResult } from './kafka-perf.js';

const PIPELINE = 5_000;

/**
 * Redis's ceiling for these keys: a pipelined SET of each row's 16-byte
 * idempotency key (under a prefix of the run's own), 5,000 commands a
 * round trip, repeated over the sample until `seconds` have passed.
 */
export async function redisCeiling(
  redis: Redis,
  prefix: string,
  rows: readonly EventRow[],
  seconds: number,
): Promise<CeilingResult> {
  if (rows.length === 0) {
    return {
      name: 'redis SET',
      perSecond: 0,
      records: 0,
      seconds: 0,
      detail: '',
      problem: 'no rows',
    };
  }
  const keys = rows.map((r) => Buffer.concat([Buffer.from(`${prefix}:`), keyBytes(r.key)]));
  const started = performance.now();
  let written = 0;
  try {
    for (
      let i = 0;
      performance.now() - started < seconds * 1000;
      i = (i + PIPELINE) % keys.length
    ) {
      const pipeline = redis.pipeline();
      const slice = keys.slice(i, i + PIPELINE);
      for (const key of slice) pipeline.set(key, '1');
      await pipeline.exec();
      written += slice.length;
    }
    const elapsed = (performance.now() - started) / 1000;
    return {
      name: 'redis SET',
      perSecond: written / elapsed,
      records: written,
      seconds: elapsed,
      detail: `pipelined SET of the stream's keys, ${PIPELINE} a round trip`,
    };
  } finally {
    await deleteUnder(redis, `${prefix}:*`);
  }
}
