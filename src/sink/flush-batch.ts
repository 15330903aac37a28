import type pg from 'pg';
import type { DedupStore } from '../dedup/redis-dedup-store.js';
import { AdgateError, WriteRejectedError } from '../errors/adgate-error.js';
import { retryWithBackoff } from '../errors/retry-with-backoff.js';
import type { AcceptanceWindow } from '../event/validate-event.js';
import { classifyKafkaError } from '../kafka/classify-kafka-error.js';
import { recordBytes } from '../kafka/record-size.js';
import type { InboundMessage, OutboundMessage, Producer } from '../kafka/types.js';
import { classifyPgError } from '../store/classify-pg-error.js';
import type { EventRow } from '../store/encode-copy-rows.js';
import { ensureDayPartitions, writeEvents } from '../store/write-events.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import { type DeadLetter, fitDeadLetter, toDeadLetterRecord } from './dead-letter.js';
import { decodeMessage } from './decode-message.js';

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
  const deadLetters: DeadLetter[] = [];
  const unique = new Map<string, Candidate>();
  let batchDuplicates = 0;
  for (const message of messages) {
    const decoded = decodeMessage(message, deps.window);
    if (decoded.kind === 'dead-letter') {
      deadLetters.push(decoded);
      continue;
    }
    const id = decoded.row.key.toString('latin1');
    if (unique.has(id)) batchDuplicates += 1;
    else unique.set(id, decoded);
  }

  // Redis first: one pipelined round trip drops the keys already written.
  const candidates = [...unique.values()];
  stage('decode');
  const known = await deps.dedup.findKnown(candidates.map((c) => c.row.key));
  stage('redis_lookup');
  const fresh = known === undefined ? candidates : candidates.filter((_, i) => !known[i]);
  const redisDuplicates = candidates.length - fresh.length;

  // Dead letters must be acknowledged before any offset past them is
  // recorded in PostgreSQL or committed to Kafka.
  await sendDeadLetters(deadLetters, deps);
  stage('dead_letters');

  let inserted = 0;
  let refused: Candidate[] = [];
  if (fresh.length > 0) {
    await createMissingPartitions(fresh, deps, knownDays);
    const outcome = await writeIsolatingRefusals(fresh, nextOffsets(messages), deps);
    stage('postgres_write');
    inserted = outcome.inserted;
    refused = outcome.refused;
    // Only after COMMIT: a key marked before the write could hide an event
    // that never landed.
    const refusedSet = new Set(refused);
    await deps.dedup.remember(fresh.filter((c) => !refusedSet.has(c)).map((c) => c.row.key));
    stage('redis_mark');
  }
  const postgresDuplicates = fresh.length - inserted - refused.length;

  const m = deps.metrics;
  m.sinkEvents.add(inserted, { outcome: 'inserted' });
  m.sinkEvents.add(batchDuplicates, { outcome: 'duplicate', stage: 'batch' });
  m.sinkEvents.add(redisDuplicates, { outcome: 'duplicate', stage: 'redis' });
  m.sinkEvents.add(postgresDuplicates, { outcome: 'duplicate', stage: 'postgres' });
  m.sinkEvents.add(deadLetters.length + refused.length, { outcome: 'dlq' });
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
): Promise<{ inserted: number; refused: Candidate[] }> {
  try {
    const rows = candidates.map((c) => c.row);
    const result = await retryWithBackoff(
      () =>
        writeEvents(deps.pool, rows, { groupId: deps.groupId, topic: deps.topic, next: offsets }),
      classifyPgError,
      retryOptions(deps, 'PostgreSQL'),
    );
    return { inserted: result.inserted, refused: [] };
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
      );
      return { inserted: 0, refused: [candidate] };
    }
    const middle = Math.ceil(candidates.length / 2);
    let inserted = 0;
    const refused: Candidate[] = [];
    for (const half of [candidates.slice(0, middle), candidates.slice(middle)]) {
      const outcome = await writeIsolatingRefusals(half, nextOffsets(half.map((c) => c.row)), deps);
      inserted += outcome.inserted;
      refused.push(...outcome.refused);
    }
    return { inserted, refused };
  }
}

interface OutgoingLetter {
  readonly topic: string;
  readonly reason: DeadLetter['reason'];
  /** The record of SPEC §4, whole. */
  readonly whole: OutboundMessage;
  /** What is sent: the whole record, or one cut to fit the topic. */
  record: OutboundMessage;
  cut: boolean;
}

/**
 * Sends dead letters and waits for Kafka's acknowledgement, retrying while
 * Kafka is away. A letter larger than its topic accepts is cut to fit
 * before it is sent, and again if the topic still refuses it, so that it
 * never holds back its partition (SPEC §4).
 */
async function sendDeadLetters(letters: readonly DeadLetter[], deps: FlushDeps): Promise<void> {
  if (letters.length === 0) return;
  const now = Date.now();
  const outgoing: OutgoingLetter[] = [];
  for (const letter of letters) {
    const { record, attempts } = toDeadLetterRecord(letter, now);
    const topic = attempts >= deps.dlqMaxAttempts ? deps.deadTopic : deps.dlqTopic;
    const fitted = fitDeadLetter(record, deps.producer.maxRecordBytes(topic) ?? Infinity);
    outgoing.push({ topic, reason: letter.reason, whole: record, ...fitted });
    deps.metrics.dlqMessages.add(1, { reason: letter.reason });
    deps.log.info('dead letter', {
      reason: letter.reason,
      error: letter.error,
      partition: letter.message.partition,
      offset: String(letter.message.offset),
      attempts,
    });
  }
  for (const topic of [deps.dlqTopic, deps.deadTopic]) {
    const batch = outgoing.filter((l) => l.topic === topic);
    if (batch.length > 0) await sendToTopic(topic, batch, deps);
  }
  for (const letter of outgoing) {
    if (!letter.cut) continue;
    deps.metrics.dlqTruncated.add(1, { reason: letter.reason });
    deps.log.warn('dead letter sent cut: its topic does not accept it whole', {
      reason: 'too_large',
      letterReason: letter.reason,
      topic: letter.topic,
      wholeBytes: recordBytes(letter.whole),
      sentBytes: recordBytes(letter.record),
      maxRecordBytes: deps.producer.maxRecordBytes(letter.topic),
    });
  }
}

/** Sends together; on a size refusal, each letter alone, so only the guilty one is cut. */
async function sendToTopic(
  topic: string,
  letters: readonly OutgoingLetter[],
  deps: FlushDeps,
): Promise<void> {
  try {
    await produceRetrying(topic, letters, deps);
  } catch (error) {
    if (!isTooLarge(error)) throw error;
    if (letters.length === 1)
      await sendCutSmaller(topic, letters[0] as OutgoingLetter, deps, error);
    else for (const letter of letters) await sendToTopic(topic, [letter], deps);
  }
}

/**
 * A letter its topic refused alone: cut to the topic's limit as read again
 * after the refusal, or to half its size when that limit says it fits
 * (the limit changed again, or a broker counts differently), until it is
 * accepted. One that cannot get smaller (a topic limit below adgate's own
 * headers) waits for the operator, retried with backoff and logged, rather
 * than be dropped.
 */
async function sendCutSmaller(
  topic: string,
  letter: OutgoingLetter,
  deps: FlushDeps,
  refusal: AdgateError,
): Promise<void> {
  let error = refusal;
  for (;;) {
    const size = recordBytes(letter.record);
    const known = deps.producer.maxRecordBytes(topic);
    const budget = known !== undefined && known < size ? known : Math.floor(size / 2);
    const smaller = fitDeadLetter(letter.whole, budget).record;
    if (recordBytes(smaller) >= size) {
      const stuck = new AdgateError(
        'too_large',
        `${topic} refuses even the smallest cut of a dead letter (${size} bytes): raise its max.message.bytes`,
        { retriable: true, cause: error },
      );
      await retryWithBackoff(
        () =>
          produceRetrying(topic, [letter], deps).catch((e: unknown) => {
            throw isTooLarge(e) ? stuck : e;
          }),
        classifyKafkaError,
        retryOptions(deps, 'Kafka'),
      );
      return;
    }
    letter.record = smaller;
    letter.cut = true;
    try {
      await produceRetrying(topic, [letter], deps);
      return;
    } catch (next) {
      if (!isTooLarge(next)) throw next;
      error = next;
    }
  }
}

function produceRetrying(
  topic: string,
  letters: readonly OutgoingLetter[],
  deps: FlushDeps,
): Promise<void> {
  const records = letters.map((l) => l.record);
  return retryWithBackoff(
    () => deps.producer.send(topic, records, deps.produceTimeoutMs),
    classifyDeadLetterSendError,
    retryOptions(deps, 'Kafka'),
  );
}

/**
 * The DLQ is the last stop: a letter Kafka refuses for a reason other than
 * its size (authorization, a deleted topic) waits for the operator, counted
 * in adgate_errors by reason and logged, rather than be dropped. Only a
 * size refusal is final here: the caller cuts the letter and sends again.
 */
function classifyDeadLetterSendError(raw: unknown): AdgateError {
  const error = classifyKafkaError(raw);
  if (error.retriable || error.reason === 'too_large') return error;
  return new AdgateError(error.reason, error.message, { retriable: true, cause: error });
}

function isTooLarge(error: unknown): error is AdgateError {
  return error instanceof AdgateError && error.reason === 'too_large' && !error.retriable;
}
