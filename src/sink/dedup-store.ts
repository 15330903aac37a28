import type { IdempotencyKey } from '../event/idempotency-key.js';

/**
 * The sink's port for fast-path dedup: what flush-batch.ts needs from a
 * store of seen idempotency keys. The sink owns it; src/dedup/ implements
 * it (Redis), so the dependency points from the adapter to the sink.
 */
export interface DedupStore {
  /**
   * For each key, whether the store has seen it. Undefined when it cannot
   * answer: the caller then treats every key as unknown and lets
   * PostgreSQL arbitrate (fail closed, never "assume new").
   */
  findKnown(keys: readonly IdempotencyKey[]): Promise<boolean[] | undefined>;
  /** Marks keys as seen. Best effort: a lost mark only costs a trip to PostgreSQL. */
  remember(keys: readonly IdempotencyKey[]): Promise<void>;
  readonly degraded: boolean;
  close(): Promise<void>;
}
