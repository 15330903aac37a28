import type { Meter } from '@opentelemetry/api';
import { gaugeSetter } from './buckets.js';

/** The Redis dedup layer's state: degraded (PostgreSQL alone arbitrates), and how full its buckets are. */
export function createDedupInstruments(meter: Meter) {
  return {
    setDedupDegraded: gaugeSetter(
      meter,
      'adgate_dedup_degraded',
      '1 while Redis is unreachable and PostgreSQL alone arbitrates duplicates',
    ),
    setDedupBucketMaxKeys: gaugeSetter(
      meter,
      'adgate_dedup_bucket_max_keys',
      'Most keys one Redis dedup bucket of the current generation holds (at the last mark)',
    ),
    setDedupBucketCompactLimit: gaugeSetter(
      meter,
      'adgate_dedup_bucket_compact_limit',
      "Redis's hash-max-listpack-entries: past it a bucket costs several times more memory per key",
    ),
  };
}
