import type pg from 'pg';
import { type AdgateError, WriteRejectedError } from '../errors/adgate-error.js';
import { retryWithBackoff } from '../errors/retry-with-backoff.js';
import type { IdempotencyKey } from '../event/idempotency-key.js';
import type { AcceptanceWindow } from '../event/validate-event.js';
import type { InboundMessage, Producer } from '../kafka/types.js';
import { classifyPgError } from '../store/classify-pg-error.js';
import type { EventRow } from '../store/encode-copy-rows.js';
import {
  addTypeCounts,
  ensureDayPartitions,
  NO_ROWS,
  type TypeCounts,
  writeEvents,
} from '../store/write-events.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import { inSpan } from '../telemetry/trace-messages.js';
import { countRedriven } from './count-redriven.js';
import type { DeadLetter } from './dead-letter.js';
import { decodeMessage } from './decode-message.js';
import type { DedupStore } from './dedup-store.js';
import { sendDeadLetters } from './send-dead-letters.js';

export interface FlushDeps {
  readonly pool: pg.Pool;
  readonly dedup: DedupStore;
  readonly producer: Producer;
  readonly metrics: Metrics;
  readonly log: Logger;
  readonly groupId: string;
  readonly topic: string;
  readonly dlqTopic: string;
  readonly deadTopic: string;
  readonly dlqMaxAttempts: number;
  readonly window: AcceptanceWindow;
  readonly maxEventBytes: number;
  readonly maxBackoffMs: number;
  readonly produceTimeoutMs: number;
  /** False once the process must give up (forced stop): retries end then. */
  readonly shouldContinue: () => boolean;
}

export interface FlushSummary {
  readonly inserted: number;
  readonly duplicates: number;
  readonly deadLetters: number;
}

/**
 * One flush of messages from one or more partitions, each partition's
 * messages in offset order. Every message ends as exactly one of: a new
 * row, a counted duplicate, or a dead letter (SPEC §4). Returns only once
 * all of that is durable; dependency failures are retried, never turned
 * into dead letters.
 */
export async function flushBatch(
  messages: readonly InboundMessage[],
  deps: FlushDeps,
  knownDays: Set<string>,
): Promise<FlushSummary> {
  const started = performance.now();
  const stage = stageTimer(deps.metrics);
  countRedriven(messages, deps.metrics);
  const deadLetters: DeadLetter[] = [];
  const unique = new Map<IdempotencyKey, Candidate>();
  let batchDuplicates = 0;
  const rules = { window: deps.window, maxEventBytes: deps.maxEventBytes };
  for (const message of messages) {
    const decoded = decodeMessage(message, rules);
    if (decoded.kind === 'dead-letter') {
      deadLetters.push(decoded);
      continue;
    }
    const { key } = decoded.row;
    if (unique.has(key)) batchDuplicates += 1;
    else unique.set(key, decoded);
  }

  // Redis first: one pipelined round trip drops the keys already written.
  const candidates = [...unique.values()];
  stage('decode');
  const known = await inSpan('redis lookup', () =>
    deps.dedup.findKnown(candidates.map((c) => c.row.key)),
  );
  stage('redis_lookup');
  const fresh = known === undefined ? candidates : candidates.filter((_, i) => !known[i]);
  const redisDuplicates = candidates.length - fresh.length;

  // Dead letters must be acknowledged before any offset past them is
  // recorded in PostgreSQL or committed to Kafka.
  await sendDeadLetters(deadLetters, deps, retryOptions(deps, 'Kafka'));
  stage('dead_letters');

  let inserted = 0;
  let byType = NO_ROWS;
  let refused: Candidate[] = [];
  if (fresh.length > 0) {
    await createMissingPartitions(fresh, deps, knownDays);
    const outcome = await inSpan('postgres write', () =>
      writeIsolatingRefusals(fresh, nextOffsets(messages), deps),
    );
    stage('postgres_write');
    inserted = outcome.inserted;
    byType = outcome.byType;
    refused = outcome.refused;
    // Only after COMMIT: a key marked before the write could hide an event
    // that never landed.
    const refusedSet = new Set(refused);
    await inSpan('redis mark', () =>
      deps.dedup.remember(fresh.filter((c) => !refusedSet.has(c)).map((c) => c.row.key)),
    );
    stage('redis_mark');
  }
  const postgresDuplicates = fresh.length - inserted - refused.length;

  const m = deps.metrics;
  m.sinkEvents.add(inserted, { outcome: 'inserted' });
  m.sinkEvents.add(batchDuplicates, { outcome: 'duplicate', stage: 'batch' });
  m.sinkEvents.add(redisDuplicates, { outcome: 'duplicate', stage: 'redis' });
  m.sinkEvents.add(postgresDuplicates, { outcome: 'duplicate', stage: 'postgres' });
  m.sinkEvents.add(deadLetters.length + refused.length, { outcome: 'dlq' });
  recordWrittenTypes(m, byType);
  m.sinkBatchEvents.record(messages.length);
  m.sinkBatchSeconds.record((performance.now() - started) / 1000);
  const now = Date.now();
  for (const c of fresh) m.eventCommitSeconds.record(Math.max(0, now - c.row.receivedAtMs) / 1000);

  return {
    inserted,
    duplicates: batchDuplicates + redisDuplicates + postgresDuplicates,
    deadLetters: deadLetters.length + refused.length,
  };
}

/** The events written per type, and the orphans among them (labels: the type only). */
function recordWrittenTypes(m: Metrics, t: TypeCounts): void {
  m.sinkWrittenEvents.add(t.impressions, { type: 'impression' });
  m.sinkWrittenEvents.add(t.clicks, { type: 'click' });
  m.sinkWrittenEvents.add(t.conversions, { type: 'conversion' });
  m.sinkOrphanEvents.add(t.orphanClicks, { type: 'click' });
  m.sinkOrphanEvents.add(t.orphanConversions, { type: 'conversion' });
}

/** Records the time since the previous stage under the given name. */
function stageTimer(metrics: Metrics): (name: string) => void {
  let last = performance.now();
  return (name) => {
    const now = performance.now();
    metrics.sinkStageSeconds.record((now - last) / 1000, { stage: name });
    last = now;
  };
}

interface Candidate {
  readonly row: EventRow;
  readonly message: InboundMessage;
}

/** The next offset to read per partition, covering every message given. */
function nextOffsets(
  messages: readonly { partition: number; offset: bigint }[],
): Map<number, bigint> {
  const next = new Map<number, bigint>();
  for (const { partition, offset } of messages) {
    const current = next.get(partition);
    if (current === undefined || offset + 1n > current) next.set(partition, offset + 1n);
  }
  return next;
}

function retryOptions(deps: FlushDeps, what: string) {
  return {
    maxDelayMs: deps.maxBackoffMs,
    shouldContinue: deps.shouldContinue,
    onRetry: (error: AdgateError, attempt: number, delayMs: number) => {
      deps.metrics.errors.add(1, { reason: error.reason });
      deps.log.warn(`${what} unavailable, keeping the batch and retrying`, {
        reason: error.reason,
        error,
        attempt,
        delayMs,
      });
    },
  };
}

async function createMissingPartitions(
  candidates: readonly Candidate[],
  deps: FlushDeps,
  knownDays: Set<string>,
): Promise<void> {
  const missing = new Set<string>();
  for (const { row } of candidates) {
    const day = row.event.occurred_at.slice(0, 10);
    if (!knownDays.has(day)) missing.add(day);
  }
  if (missing.size === 0) return;
  const days = [...missing].sort();
  await retryWithBackoff(
    () => ensureDayPartitions(deps.pool, days),
    classifyPgError,
    retryOptions(deps, 'PostgreSQL'),
  );
  for (const day of days) knownDays.add(day);
}

/**
 * Writes the candidates in one transaction; when PostgreSQL refuses the
 * data itself, splits them in halves, left first, until each refused event
 * stands alone and goes to the DLQ as write_failed, so that one bad event
 * never blocks its partition. Left first keeps offsets in order: a refused
 * event is dead-lettered before any later offset is recorded.
 */
async function writeIsolatingRefusals(
  candidates: readonly Candidate[],
  offsets: Map<number, bigint>,
  deps: FlushDeps,
): Promise<{ inserted: number; byType: TypeCounts; refused: Candidate[] }> {
  try {
    const rows = candidates.map((c) => c.row);
    const result = await retryWithBackoff(
      () =>
        writeEvents(deps.pool, rows, { groupId: deps.groupId, topic: deps.topic, next: offsets }),
      classifyPgError,
      retryOptions(deps, 'PostgreSQL'),
    );
    return { inserted: result.inserted, byType: result.byType, refused: [] };
  } catch (error) {
    if (!(error instanceof WriteRejectedError)) throw error;
    if (candidates.length === 1) {
      const candidate = candidates[0] as Candidate;
      deps.log.warn('event refused by PostgreSQL', {
        reason: error.reason,
        error,
        partition: candidate.row.partition,
        offset: String(candidate.row.offset),
      });
      await sendDeadLetters(
        [{ reason: 'write_failed', error: error.message, message: candidate.message }],
        deps,
        retryOptions(deps, 'Kafka'),
      );
      return { inserted: 0, byType: NO_ROWS, refused: [candidate] };
    }
    const middle = Math.ceil(candidates.length / 2);
    let inserted = 0;
    let byType = NO_ROWS;
    const refused: Candidate[] = [];
    for (const half of [candidates.slice(0, middle), candidates.slice(middle)]) {
      const outcome = await writeIsolatingRefusals(half, nextOffsets(half.map((c) => c.row)), deps);
      inserted += outcome.inserted;
      byType = addTypeCounts(byType, outcome.byType);
      refused.push(...outcome.refused);
    }
    return { inserted, byType, refused };
  }
}
