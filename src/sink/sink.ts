import { SpanStatusCode, trace } from '@opentelemetry/api';
import type pg from 'pg';
import type { DedupStore } from '../dedup/redis-dedup-store.js';
import { AdgateError, errorMessage } from '../errors/adgate-error.js';
import { retryWithBackoff } from '../errors/retry-with-backoff.js';
import type { AcceptanceWindow } from '../event/validate-event.js';
import type { BatchConsumer, InboundBatch, InboundMessage, Producer } from '../kafka/types.js';
import { classifyPgError } from '../store/classify-pg-error.js';
import { createPartitionsAhead, pruneEventKeys } from '../store/maintain-event-store.js';
import { readRecordedOffsets } from '../store/write-events.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import { BatchAccumulator } from './batch-accumulator.js';
import { flushBatch } from './flush-batch.js';
import { createProgressWatch } from './watch-progress.js';

// The no-op tracer unless start-tracing.ts started the SDK.
const tracer = trace.getTracer('adgate');

export interface SinkSettings {
  readonly groupId: string;
  readonly topic: string;
  readonly dlqTopic: string;
  readonly deadTopic: string;
  readonly dlqMaxAttempts: number;
  readonly window: AcceptanceWindow;
  readonly maxEventBytes: number;
  readonly dedupWindowMs: number;
  readonly batchMaxEvents: number;
  readonly batchMaxAgeMs: number;
  readonly maxBackoffMs: number;
  readonly produceTimeoutMs: number;
  /** No move of a partition's position for this long while messages wait: failed (SPEC §7). */
  readonly stallMs: number;
  readonly heartbeatEveryMs?: number;
  readonly maintenanceEveryMs?: number;
}

export interface SinkDeps {
  readonly consumer: BatchConsumer;
  readonly pool: pg.Pool;
  readonly dedup: DedupStore;
  readonly producer: Producer;
  readonly metrics: Metrics;
  readonly log: Logger;
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
 */
export function createSink(settings: SinkSettings, deps: SinkDeps): Sink {
  const { consumer, pool, log, metrics } = deps;
  let abandoned = false;
  let stopping = false;
  let stopped: Promise<void> | undefined;
  const knownDays = new Set<string>();
  let recordedOffsets: Promise<Map<number, bigint>> | undefined;
  let maintenanceTimer: NodeJS.Timeout | undefined;
  const shouldContinue = () => !abandoned;

  const accumulator = new BatchAccumulator<InboundMessage>({
    maxEvents: settings.batchMaxEvents,
    maxAgeMs: settings.batchMaxAgeMs,
    maxConcurrentFlushes: 2,
    flush: (messages) =>
      tracer.startActiveSpan('adgate.sink.flush', async (span) => {
        span.setAttribute('adgate.messages', messages.length);
        try {
          const summary = await flushBatch(
            messages,
            {
              pool,
              dedup: deps.dedup,
              producer: deps.producer,
              metrics,
              log,
              groupId: settings.groupId,
              topic: settings.topic,
              dlqTopic: settings.dlqTopic,
              deadTopic: settings.deadTopic,
              dlqMaxAttempts: settings.dlqMaxAttempts,
              window: settings.window,
              maxEventBytes: settings.maxEventBytes,
              maxBackoffMs: settings.maxBackoffMs,
              produceTimeoutMs: settings.produceTimeoutMs,
              shouldContinue,
            },
            knownDays,
          );
          span.setAttributes({
            'adgate.inserted': summary.inserted,
            'adgate.duplicates': summary.duplicates,
            'adgate.dead_letters': summary.deadLetters,
          });
        } catch (error) {
          span.recordException(error as Error);
          span.setStatus({ code: SpanStatusCode.ERROR });
          throw error;
        } finally {
          span.end();
        }
      }),
  });

  const progress = createProgressWatch(settings.stallMs);
  let watchTimer: NodeJS.Timeout | undefined;
  const watch = () => {
    const stalled = progress.stalled()[0];
    if (stalled === undefined) return;
    clearInterval(watchTimer);
    deps.onFailure(
      new AdgateError(
        'sink_stalled',
        `partition ${stalled.partition} has ${stalled.waiting} messages waiting and its position has not moved for ${stalled.idleMs} ms (ADGATE_SINK_STALL_MS=${settings.stallMs})`,
        { retriable: false },
      ),
    );
  };
  consumer.onFailure((error) => deps.onFailure(error));

  // Where PostgreSQL says each partition has got to: read once per
  // assignment, because the previous owner may have written past what it
  // committed to Kafka.
  consumer.onAssignment((partitions) => {
    recordedOffsets = undefined;
    progress.assigned(partitions);
  });
  const recordedOffset = async (partition: number): Promise<bigint> => {
    recordedOffsets ??= retryWithBackoff(
      () => readRecordedOffsets(pool, settings.groupId, settings.topic),
      classifyPgError,
      {
        maxDelayMs: settings.maxBackoffMs,
        shouldContinue,
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
    try {
      return (await recordedOffsets).get(partition) ?? 0n;
    } catch (error) {
      recordedOffsets = undefined;
      throw error;
    }
  };

  const handle = (batch: InboundBatch) =>
    accumulator.track(async () => {
      if (batch.messages.length === 0) return;
      progress.waiting(batch.partition, BigInt(batch.messages.length) + batch.lagAfter);
      // Heartbeat from the start: the floor read below waits on
      // PostgreSQL, and a member that goes quiet for a session timeout is
      // evicted from the group and its partitions moved, only to come back.
      const heartbeat = setInterval(() => {
        batch.heartbeat().catch((error: unknown) => {
          log.debug('heartbeat refused (rebalance under way)', { error: errorMessage(error) });
        });
      }, settings.heartbeatEveryMs ?? 1_000);
      try {
        const floor = await recordedOffset(batch.partition);
        refuseFloorBeyondEnd(batch, floor, settings);
        await writeAndCommit(batch, skipRecorded(batch, floor));
      } finally {
        clearInterval(heartbeat);
      }
    });

  // Messages below the position PostgreSQL recorded landed before (a
  // previous owner wrote them, then stopped before its Kafka commit): they
  // are counted as their own outcome, not passed over in silence.
  const skipRecorded = (batch: InboundBatch, floor: bigint): readonly InboundMessage[] => {
    const todo = batch.messages.filter((m) => m.offset >= floor);
    const skipped = batch.messages.length - todo.length;
    if (skipped > 0) {
      metrics.sinkEvents.add(skipped, { outcome: 'skipped_recorded' });
      log.info('skipped messages below the position recorded in PostgreSQL', {
        partition: batch.partition,
        skipped,
        firstOffset: String(batch.messages[0]?.offset),
        recorded: String(floor),
      });
    }
    return todo;
  };

  const writeAndCommit = async (batch: InboundBatch, todo: readonly InboundMessage[]) => {
    const last = batch.messages.at(-1) as InboundMessage;
    let next = todo.length === 0 ? last.offset + 1n : (todo[0] as InboundMessage).offset;
    // All below the position PostgreSQL recorded: nothing to write.
    if (todo.length === 0) await commit(batch, next);
    for (let i = 0; i < todo.length; i += settings.batchMaxEvents) {
      // Draining: finish what was handed over, take nothing new.
      if (stopping && i > 0) break;
      const chunk = todo.slice(i, i + settings.batchMaxEvents);
      await accumulator.submit(chunk);
      next = (chunk.at(-1) as InboundMessage).offset + 1n;
      // Commit per chunk, not per fetch: a fetch can hold tens of
      // thousands of messages, and a position that only moves at its
      // end makes lag look stuck and every restart re-read the fetch.
      await commit(batch, next);
    }
    const lag = batch.lagAfter + (last.offset + 1n - next);
    metrics.setConsumerLag(Number(lag), { partition: batch.partition });
  };

  const commit = async (batch: InboundBatch, next: bigint) => {
    // A partition taken away by a rebalance is not ours to commit; its
    // new owner starts from the offset recorded in PostgreSQL.
    if (!batch.canCommit()) return;
    // The position moved (the write committed in PostgreSQL with it).
    const behind = batch.highWatermark - next;
    progress.progressed(batch.partition, behind > 0n ? behind : 0n);
    try {
      await batch.commit(next);
      metrics.setSinkLastCommitSeconds(Date.now() / 1000, { partition: batch.partition });
    } catch (error) {
      log.warn('offset commit failed; PostgreSQL keeps the position', {
        reason: 'kafka_unavailable',
        error: errorMessage(error),
        partition: batch.partition,
      });
    }
  };

  const maintain = async () => {
    try {
      for (const day of await createPartitionsAhead(pool, settings.window.pastMs)) {
        knownDays.add(day);
      }
      const pruned = await pruneEventKeys(pool, settings.dedupWindowMs);
      if (pruned > 0) log.info('pruned idempotency keys past the dedup window', { pruned });
    } catch (error) {
      log.warn('event store maintenance failed; will try again', { error });
    }
  };

  return {
    async start() {
      await maintain();
      maintenanceTimer = setInterval(() => void maintain(), settings.maintenanceEveryMs ?? 600_000);
      maintenanceTimer.unref();
      await consumer.start(handle);
      watchTimer = setInterval(watch, Math.max(10, Math.min(1_000, settings.stallMs / 4)));
      watchTimer.unref();
      log.info('sink started', { topic: settings.topic, groupId: settings.groupId });
    },
    stop() {
      stopping = true;
      stopped ??= (async () => {
        clearInterval(maintenanceTimer);
        // The drain has its own deadline (ADGATE_DRAIN_TIMEOUT_MS).
        clearInterval(watchTimer);
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

/**
 * A position recorded in PostgreSQL beyond the partition's end cannot come
 * from this topic: it was deleted and re-created under the same name (or
 * its log truncated). Skipping up to it would pass over new messages in
 * silence, so the sink refuses, and says how to reset once an operator has
 * made sure the recorded positions are stale. Not retriable: kafkajs stops
 * the consumer for good, and the instance fails (SPEC §7).
 */
function refuseFloorBeyondEnd(batch: InboundBatch, floor: bigint, settings: SinkSettings): void {
  if (floor <= batch.highWatermark) return;
  throw new AdgateError(
    'recorded_offset_beyond_end',
    `PostgreSQL records partition ${batch.partition} of ${settings.topic} at offset ${floor} ` +
      `for group ${settings.groupId}, beyond the partition's end (${batch.highWatermark}): ` +
      'the topic was re-created, or its log truncated. Refusing to skip its messages. Once the ' +
      'recorded positions are known to be stale, stop every sink of the group and run: ' +
      `adgate offsets reset (with ADGATE_CONSUMER_GROUP=${settings.groupId} ADGATE_TOPIC=${settings.topic})`,
    { retriable: false },
  );
}
