import type pg from 'pg';
import type { AdgateError } from '../errors/adgate-error.js';
import type { AcceptanceWindow } from '../event/validate-event.js';
import type { BatchConsumer, InboundMessage, Producer } from '../kafka/types.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import { BatchAccumulator } from './batch-accumulator.js';
import { createRecordedFloor } from './create-recorded-floor.js';
import type { DedupStore } from './dedup-store.js';
import type { FlushDeps } from './flush-batch.js';
import { flushInSpan } from './flush-in-span.js';
import { handlePartitionBatch, type PartitionContext } from './handle-partition-batch.js';
import { startStallWatch } from './start-stall-watch.js';
import { createProgressWatch } from './watch-progress.js';

export interface SinkSettings {
  readonly groupId: string;
  readonly topic: string;
  readonly dlqTopic: string;
  readonly deadTopic: string;
  readonly dlqMaxAttempts: number;
  readonly window: AcceptanceWindow;
  readonly maxEventBytes: number;
  readonly batchMaxEvents: number;
  readonly batchMaxAgeMs: number;
  readonly maxBackoffMs: number;
  readonly produceTimeoutMs: number;
  /** No move of a partition's position for this long while messages wait: failed (SPEC §7). */
  readonly stallMs: number;
  readonly heartbeatEveryMs?: number;
}

export interface SinkDeps {
  readonly consumer: BatchConsumer;
  readonly pool: pg.Pool;
  readonly dedup: DedupStore;
  readonly producer: Producer;
  readonly metrics: Metrics;
  readonly log: Logger;
  /**
   * The UTC days whose partitions exist, shared with the store maintenance
   * (lifecycle/schedule-maintenance.ts) that creates them ahead; a flush
   * creates any day still missing itself.
   */
  readonly knownDays?: Set<string>;
  /**
   * The sink stopped for good (its consumer crashed beyond restart, or it
   * stalled): the instance is failed. Called at most once per cause.
   */
  readonly onFailure: (error: AdgateError) => void;
}

export interface Sink {
  start(): Promise<void>;
  /**
   * Drain: stop fetching, let the batch in hand finish its write and
   * commit its offsets, then leave the group (SPEC §7). Idempotent.
   */
  stop(): Promise<void>;
  /** After a forced stop: retries give up instead of waiting for a server. */
  abandon(): void;
}

/**
 * The sink: reads the ingest topic in batches and lands each message
 * exactly once in PostgreSQL, or in the DLQ. Offsets move only after the
 * PostgreSQL commit, and are also recorded in PostgreSQL in the same
 * transaction, so that a crash between the two never replays into a
 * double count (the idempotency keys would catch that anyway) nor skips.
 * The steps of one partition's batch: handle-partition-batch.ts.
 */
export function createSink(settings: SinkSettings, deps: SinkDeps): Sink {
  const { consumer, log } = deps;
  let abandoned = false;
  let stopping = false;
  let stopped: Promise<void> | undefined;
  let stopStallWatch: (() => void) | undefined;
  const shouldContinue = () => !abandoned;
  const flushDeps: FlushDeps = { ...settings, ...deps, shouldContinue };
  const knownDays = deps.knownDays ?? new Set<string>();
  const accumulator = new BatchAccumulator<InboundMessage>({
    maxEvents: settings.batchMaxEvents,
    maxAgeMs: settings.batchMaxAgeMs,
    maxConcurrentFlushes: 2,
    flush: (messages) => flushInSpan(messages, flushDeps, knownDays),
  });
  const progress = createProgressWatch(settings.stallMs);
  const floor = createRecordedFloor(settings, { ...deps, shouldContinue });
  const partition: PartitionContext = {
    ...settings,
    ...deps,
    floor,
    progress,
    submit: (chunk) => accumulator.submit(chunk),
    stopping: () => stopping,
    heartbeatEveryMs: settings.heartbeatEveryMs ?? 1_000,
  };
  consumer.onFailure((error) => deps.onFailure(error));
  // A new owner reads the positions PostgreSQL recorded again: the
  // previous owner may have written past what it committed to Kafka.
  consumer.onAssignment((partitions) => {
    floor.forget();
    progress.assigned(partitions);
    deps.metrics.keepLagPartitions(partitions);
  });

  return {
    async start() {
      // A drain that came first (the start waits for the first maintenance
      // pass) leaves nothing to start: a consumer joining now would outlive it.
      if (stopping) return;
      await consumer.start((batch) =>
        accumulator.track(() => handlePartitionBatch(batch, partition)),
      );
      stopStallWatch = startStallWatch(progress, settings.stallMs, deps.onFailure);
      log.info('sink started', { topic: settings.topic, groupId: settings.groupId });
    },
    stop() {
      stopping = true;
      stopped ??= (async () => {
        // The drain has its own deadline (ADGATE_DRAIN_TIMEOUT_MS).
        stopStallWatch?.();
        // Fetching stops first and the batches in hand finish their
        // writes and commits (inside the handler: kafkajs drops a commit
        // made after stop()), then the member leaves the group.
        await consumer.stop();
        await accumulator.idle();
        await consumer.close();
      })();
      return stopped;
    },
    abandon() {
      abandoned = true;
    },
  };
}
