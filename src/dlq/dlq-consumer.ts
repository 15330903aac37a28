import { type AdgateError, errorMessage } from '../errors/adgate-error.js';
import type { InboundMessage, Producer } from '../kafka/types.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import { judgeLetter, type LetterFacts, type RetryPolicy, readLetter } from './judge-letter.js';
import type { LetterBatch, LetterConsumer } from './kafka-letter-consumer.js';
import { deadRecord } from './letter-records.js';
import { type LetterSendDeps, moveToDead, redrive, sendOne } from './send-letters.js';

export interface DlqConsumerSettings extends RetryPolicy {
  readonly topic: string;
  readonly dlqTopic: string;
  readonly deadTopic: string;
  readonly produceTimeoutMs: number;
  /** The longest wait between two tries of a send while Kafka is away. */
  readonly sendBackoffMs: number;
  /** Letters held waiting for their backoff, at most; past it fetching pauses. */
  readonly maxWaiting: number;
  /** How often the depth gauges are measured. */
  readonly depthEveryMs: number;
}

export interface DlqConsumerDeps {
  readonly consumer: LetterConsumer;
  readonly producer: Producer;
  readonly metrics: Metrics;
  readonly log: Logger;
  readonly onFailure: (error: AdgateError) => void;
}

export interface DlqConsumer {
  start(): Promise<void>;
  /** Hands over what waits (see handOver), commits, leaves the group. Idempotent. */
  stop(): Promise<void>;
  abandon(): void;
}

interface Waiting {
  readonly message: InboundMessage;
  readonly facts: LetterFacts;
  timer: NodeJS.Timeout;
}

/** One assigned DLQ partition: what was read, what waits, what is committed. */
interface PartitionState {
  /** The offset after the last letter handled; undefined before the first batch. */
  seenEnd: bigint | undefined;
  /** Letters waiting for their backoff, by offset: the commit stays below the lowest. */
  readonly waiting: Map<bigint, Waiting>;
  committed: bigint;
  /** Commits run one after another, so that a later one never lands before an earlier. */
  commits: Promise<void>;
}

// Sends in flight at once from one batch: the producer coalesces them.
const SEND_CHUNK = 200;

/**
 * The DLQ consumer (SPEC §4; README "Operating the dead-letter queue").
 * Every letter read ends as exactly one counted outcome: retried (sent
 * back to the ingest topic), kept (for an operator), or dead. A
 * write_failed letter not yet due is held in memory with a timer, and the
 * letters behind it are handled at once: the partition's committed offset
 * stays at the lowest letter still waiting, so that a crash loses none.
 * Why not pause-and-seek (it blocks every letter behind the waiting one),
 * nor re-queue to the DLQ tail (a waiting letter would be copied again at
 * each pass, and `adgate dlq list` would show it many times): README.
 */
export function createDlqConsumer(
  settings: DlqConsumerSettings,
  deps: DlqConsumerDeps,
): DlqConsumer {
  return new LetterRouter(settings, deps);
}

class LetterRouter implements DlqConsumer {
  private readonly partitions = new Map<number, PartitionState>();
  private assigned: readonly number[] = [];
  private paused = false;
  private stopping = false;
  private abandoned = false;
  private inFlight: Promise<void> = Promise.resolve();
  private stopped: Promise<void> | undefined;
  private depthTimer: NodeJS.Timeout | undefined;
  private readonly send: LetterSendDeps;

  constructor(
    private readonly settings: DlqConsumerSettings,
    private readonly deps: DlqConsumerDeps,
  ) {
    const { metrics, log } = deps;
    this.send = {
      producer: deps.producer,
      log,
      topic: settings.topic,
      deadTopic: settings.deadTopic,
      produceTimeoutMs: settings.produceTimeoutMs,
      maxBackoffMs: settings.sendBackoffMs,
      shouldContinue: () => !this.abandoned,
      onRetry: (error) => {
        metrics.errors.add(1, { reason: error.reason });
        log.warn('DLQ consumer: Kafka refused or is away; retrying', {
          reason: error.reason,
          error,
        });
      },
    };
    deps.consumer.onFailure((error) => deps.onFailure(error));
    deps.consumer.onAssignment((now) => this.assign(now));
  }

  async start(): Promise<void> {
    await this.deps.consumer.start((batch) => this.handle(batch));
    this.depthTimer = setInterval(() => void this.measureDepth(), this.settings.depthEveryMs);
    this.depthTimer.unref();
    void this.measureDepth();
    this.deps.log.info('DLQ consumer started', { topic: this.settings.dlqTopic });
  }

  stop(): Promise<void> {
    this.stopped ??= (async () => {
      this.stopping = true;
      clearInterval(this.depthTimer);
      this.deps.consumer.pause(this.assigned);
      await this.inFlight;
      for (const [partition, state] of this.partitions) {
        try {
          await this.handOver(partition, state);
        } catch (error) {
          this.deps.log.warn('DLQ consumer: waiting letters not handed over; read again next', {
            error: errorMessage(error),
            partition,
          });
        }
      }
      await this.deps.consumer.stop();
    })();
    return this.stopped;
  }

  abandon(): void {
    this.abandoned = true;
  }

  /**
   * The gauges an operator alerts on: per DLQ partition the letters the
   * group has not handled yet (log end less committed offset: the waiting
   * ones are below the commit), the letters in the logs of both topics, and
   * the age of the oldest letter held for its backoff.
   */
  private async measureDepth(): Promise<void> {
    const { metrics } = this.deps;
    try {
      for (const p of await this.deps.consumer.positions(this.settings.dlqTopic)) {
        const from = p.committed !== undefined && p.committed > p.low ? p.committed : p.low;
        metrics.setDlqDepth(Number(p.high - from), { partition: p.partition });
        metrics.setDlqLetters(Number(p.high - p.low), { topic: 'dlq', partition: p.partition });
      }
      for (const p of await this.deps.consumer.positions(this.settings.deadTopic)) {
        metrics.setDlqLetters(Number(p.high - p.low), { topic: 'dead', partition: p.partition });
      }
    } catch (error) {
      this.deps.log.debug('DLQ depth not measured this time', { error: errorMessage(error) });
    }
    let oldest = Number.POSITIVE_INFINITY;
    for (const state of this.partitions.values()) {
      for (const w of state.waiting.values()) oldest = Math.min(oldest, w.facts.firstFailedAtMs);
    }
    metrics.setDlqOldestSeconds(Number.isFinite(oldest) ? (Date.now() - oldest) / 1000 : 0);
  }

  private count(outcome: string, facts: LetterFacts): void {
    this.deps.metrics.dlqOutcomes.add(1, { outcome, reason: facts.reason });
  }

  private handle(batch: LetterBatch): Promise<void> {
    const run = this.handleBatch(batch);
    this.inFlight = run.catch(() => undefined);
    return run;
  }

  private async handleBatch(batch: LetterBatch): Promise<void> {
    if (!batch.isCurrent() || this.stopping) return;
    const state = stateOf(this.partitions, batch.partition);
    const seenEnd = state.seenEnd;
    // After a rebalance kafkajs reads again from the committed offset:
    // what this instance already handled or holds is not handled twice.
    const fresh = batch.messages.filter((m) => seenEnd === undefined || m.offset >= seenEnd);
    const now = Date.now();
    for (let i = 0; i < fresh.length; i += SEND_CHUNK) {
      await Promise.all(fresh.slice(i, i + SEND_CHUNK).map((m) => this.settle(m, state, now)));
    }
    const last = batch.messages.at(-1);
    if (last !== undefined && (seenEnd === undefined || last.offset >= seenEnd)) {
      state.seenEnd = last.offset + 1n;
    }
    await this.commitWatermark(batch.partition, state);
    this.applyBackpressure();
  }

  private async settle(message: InboundMessage, state: PartitionState, nowMs: number) {
    const facts = readLetter(message);
    const judgement = judgeLetter(facts, this.settings, nowMs);
    switch (judgement.action) {
      case 'keep':
        this.count('kept', facts);
        return;
      case 'dead':
        await moveToDead(message, judgement.why, this.send);
        this.count('dead', facts);
        this.deps.metrics.dlqMessages.add(1, { reason: facts.reason, topic: 'dead' });
        this.deps.log.info('DLQ letter moved to the dead topic', {
          why: judgement.why,
          partition: message.partition,
          offset: String(message.offset),
        });
        return;
      case 'retry':
        this.count(await redrive(message, facts, this.send), facts);
        return;
      case 'wait': {
        const delay = Math.max(0, judgement.dueAtMs - Date.now());
        const timer = setTimeout(() => void this.fire(message.partition, message.offset), delay);
        state.waiting.set(message.offset, { message, facts, timer });
      }
    }
  }

  /** A waiting letter's timer fired: send it back, then let the commit pass it. */
  private async fire(partition: number, offset: bigint): Promise<void> {
    const state = this.partitions.get(partition);
    const waiting = state?.waiting.get(offset);
    if (state === undefined || waiting === undefined || this.stopping) return;
    try {
      this.count(await redrive(waiting.message, waiting.facts, this.send), waiting.facts);
    } catch (error) {
      // Kafka away past the send's patience: try again later, still held.
      this.deps.log.warn('DLQ consumer: a due letter could not be sent yet', {
        error: errorMessage(error),
      });
      const again = () => void this.fire(partition, offset);
      waiting.timer = setTimeout(again, this.settings.sendBackoffMs);
      return;
    }
    state.waiting.delete(offset);
    await this.commitWatermark(partition, state);
    this.applyBackpressure();
  }

  private commitWatermark(partition: number, state: PartitionState): Promise<void> {
    state.commits = state.commits.then(async () => {
      const next = watermark(state);
      if (this.partitions.get(partition) !== state) return;
      if (next === undefined || next <= state.committed) return;
      try {
        await this.deps.consumer.commit(partition, next);
        state.committed = next;
      } catch (error) {
        this.deps.log.warn('DLQ offset commit failed; the next letter commits again', {
          reason: 'kafka_unavailable',
          error: errorMessage(error),
          partition,
        });
      }
    });
    return state.commits;
  }

  private applyBackpressure(): void {
    let total = 0;
    for (const state of this.partitions.values()) total += state.waiting.size;
    this.deps.metrics.setDlqWaiting(total);
    if (this.stopping) return;
    if (!this.paused && total >= this.settings.maxWaiting) {
      this.paused = true;
      this.deps.consumer.pause(this.assigned);
      this.deps.log.warn('DLQ consumer: too many letters waiting; pausing fetches', {
        waiting: total,
      });
    } else if (this.paused && total < this.settings.maxWaiting / 2) {
      this.paused = false;
      this.deps.consumer.resume(this.assigned);
    }
  }

  private assign(now: readonly number[]): void {
    for (const [partition, state] of this.partitions) {
      if (now.includes(partition)) continue;
      // Taken away: its new owner reads again from the committed offset.
      for (const waiting of state.waiting.values()) clearTimeout(waiting.timer);
      this.partitions.delete(partition);
    }
    this.assigned = now;
    if (this.paused) this.deps.consumer.pause(now);
    this.applyBackpressure();
    this.deps.log.info('DLQ partitions assigned', { partitions: now });
  }

  /**
   * At a stop, letters still waiting: when every letter from the committed
   * offset on is one of them, the next owner reads exactly those again and
   * nothing is copied. Otherwise (letters behind them were handled) they
   * are copied to the DLQ tail, schedule unchanged (it is in the headers),
   * and the commit moves past all: nothing handled is handled twice.
   */
  private async handOver(partition: number, state: PartitionState): Promise<void> {
    const held = [...state.waiting.values()];
    for (const waiting of held) clearTimeout(waiting.timer);
    const lowest = watermark(state);
    if (held.length === 0 || lowest === undefined || state.seenEnd === undefined) return;
    if (state.seenEnd - lowest <= BigInt(held.length)) return;
    const dlq = this.settings.dlqTopic;
    await Promise.all(held.map((w) => sendOne(dlq, deadRecord(w.message, undefined), this.send)));
    this.deps.metrics.dlqRequeued.add(held.length);
    state.waiting.clear();
    await this.commitWatermark(partition, state);
  }
}

function watermark(state: PartitionState): bigint | undefined {
  let lowest = state.seenEnd;
  for (const offset of state.waiting.keys()) {
    if (lowest === undefined || offset < lowest) lowest = offset;
  }
  return lowest;
}

function stateOf(partitions: Map<number, PartitionState>, partition: number): PartitionState {
  let state = partitions.get(partition);
  if (state === undefined) {
    state = { seenEnd: undefined, waiting: new Map(), committed: -1n, commits: Promise.resolve() };
    partitions.set(partition, state);
  }
  return state;
}
