import type pg from 'pg';
import { retryWithBackoff } from '../errors/retry-with-backoff.js';
import { classifyPgError } from '../store/classify-pg-error.js';
import { readRecordedOffsets } from '../store/write-events.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';

export interface RecordedFloorSettings {
  readonly groupId: string;
  readonly topic: string;
  readonly maxBackoffMs: number;
}

export interface RecordedFloorDeps {
  readonly pool: pg.Pool;
  readonly metrics: Metrics;
  readonly log: Logger;
  readonly shouldContinue: () => boolean;
}

export interface RecordedFloor {
  /** The next offset PostgreSQL recorded for the partition (0 when none). */
  of(partition: number): Promise<bigint>;
  /** A new assignment: read the positions again on the next batch. */
  forget(): void;
}

/**
 * Where PostgreSQL says each partition has got to: read once per
 * assignment, because the previous owner may have written past what it
 * committed to Kafka. PostgreSQL down is retried (with backoff, until a
 * forced stop), never guessed: a floor of 0 would be safe but a floor
 * read wrong is not.
 */
export function createRecordedFloor(
  settings: RecordedFloorSettings,
  deps: RecordedFloorDeps,
): RecordedFloor {
  const { metrics, log } = deps;
  let recorded: Promise<Map<number, bigint>> | undefined;
  const read = () =>
    retryWithBackoff(
      () => readRecordedOffsets(deps.pool, settings.groupId, settings.topic),
      classifyPgError,
      {
        maxDelayMs: settings.maxBackoffMs,
        shouldContinue: deps.shouldContinue,
        onRetry: (error, attempt, delayMs) => {
          metrics.errors.add(1, { reason: error.reason });
          log.warn('PostgreSQL unavailable for the recorded positions; retrying', {
            reason: error.reason,
            error,
            attempt,
            delayMs,
          });
        },
      },
    );
  return {
    async of(partition) {
      recorded ??= read();
      try {
        return (await recorded).get(partition) ?? 0n;
      } catch (error) {
        // A read that failed (refused, or given up on a forced stop) is
        // not kept: the next batch reads again.
        recorded = undefined;
        throw error;
      }
    },
    forget() {
      recorded = undefined;
    },
  };
}
