import type pg from 'pg';
import { readBeside } from '../shared/read-beside.js';
import { classifyPgError } from '../store/classify-pg-error.js';

const POSITIONS_SQL = readBeside(import.meta.url, './sql/sink-positions.sql');
const HOUR_MS = 60 * 60 * 1000;

/**
 * The facts of the ingest topic the watermark needs, as Kafka answers them
 * without reading messages (src/kafka/read-partition-positions.ts is the
 * real one; billing/ never imports kafkajs).
 */
export interface IngestLog {
  /** Per partition, the offset the next appended message will get. */
  readEnds(): Promise<ReadonlyMap<number, bigint>>;
  /** Per partition, the first offset whose timestamp is >= timestampMs; the end when none. */
  readFirstOffsetsAt(timestampMs: number): Promise<ReadonlyMap<number, bigint>>;
  /** How far past the broker's clock a message timestamp may be; undefined when unbounded. */
  readFutureLimitMs(): Promise<number | undefined>;
}

export interface WatermarkSettings {
  /** The sink's consumer group and ingest topic, as in sink_offsets. */
  readonly group: string;
  readonly topic: string;
  /** ADGATE_ACCEPT_PAST_MS: an event older than its message timestamp by more is refused (SPEC §1). */
  readonly acceptPastMs: number;
  /** ADGATE_WATERMARK_SKEW_MS: how long before it reaches the topic a message may be stamped. */
  readonly skewMs: number;
}

export interface LaggingPartition {
  readonly partition: number;
  readonly nextOffset: bigint;
  readonly endOffset: bigint;
  /** The hour before which this partition's unprocessed messages can change nothing. */
  readonly settledBeforeMs: number;
}

export interface Watermark {
  /** No billing row of an hour before this instant can change any more (SPEC §3). */
  readonly watermarkMs: number;
  /** The clock reading the answer was computed from. */
  readonly asOfMs: number;
  /** The partitions with messages the sink has not written yet. */
  readonly lagging: readonly LaggingPartition[];
}

/**
 * The settled watermark (SPEC §3; the argument is in the README, "Settled
 * hours"). The sink accepts an event only when occurred_at >= its message
 * timestamp - acceptPastMs (validate-event.ts), so a message the sink has
 * not written can change hours from (its timestamp - acceptPastMs) on.
 * Messages not yet in the topic are stamped at or after now - skewMs; those
 * in the topic but past the sink's position (sink_offsets) are bounded by
 * the greatest timestamp at or before that position less the topic's
 * future limit and skewMs. The watermark is the least of these bounds,
 * floored to the hour: a stalled partition holds it back for as long as it
 * stands still, and it never passes a message not yet written.
 */
export async function computeWatermark(
  pool: pg.Pool,
  log: IngestLog,
  settings: WatermarkSettings,
  nowMs: number,
): Promise<Watermark> {
  // The clock first: a message appended after the ends are read was
  // appended after nowMs, so it is stamped at or after nowMs - skewMs.
  const clockCapMs = floorHour(nowMs - settings.skewMs - settings.acceptPastMs);
  const [ends, positions] = await Promise.all([log.readEnds(), readSinkPositions(pool, settings)]);
  const behind = [...ends]
    .map(([partition, endOffset]) => ({
      partition,
      endOffset,
      // No row yet: the sink has written nothing of the partition.
      nextOffset: positions.get(partition) ?? 0n,
    }))
    .filter((p) => p.nextOffset < p.endOffset)
    .sort((a, b) => a.partition - b.partition);
  if (behind.length === 0) return { watermarkMs: clockCapMs, asOfMs: nowMs, lagging: [] };

  // Unbounded in Kafka before 4.0: the skew allowance is then an assumption (README).
  const futureMs = (await log.readFutureLimitMs()) ?? settings.skewMs;
  const offsetK = futureMs + settings.skewMs + settings.acceptPastMs;
  const probe = memoize((hourMs: number) => log.readFirstOffsetsAt(hourMs + offsetK));
  const lagging = await Promise.all(
    behind.map(async (p) => ({
      ...p,
      // Some message at or before the position is stamped >= hour + K, so
      // every message after it is stamped >= hour + acceptPastMs (README).
      settledBeforeMs: await greatestHourWhere(clockCapMs, async (hourMs) => {
        const first = (await probe(hourMs)).get(p.partition);
        return first !== undefined && first <= p.nextOffset;
      }),
    })),
  );
  const watermarkMs = Math.min(clockCapMs, ...lagging.map((p) => p.settledBeforeMs));
  return { watermarkMs, asOfMs: nowMs, lagging };
}

async function readSinkPositions(
  pool: pg.Pool,
  settings: WatermarkSettings,
): Promise<ReadonlyMap<number, bigint>> {
  try {
    const { rows } = await pool.query<{ partition: number; next_offset: string }>(POSITIONS_SQL, [
      settings.group,
      settings.topic,
    ]);
    return new Map(rows.map((r) => [r.partition, BigInt(r.next_offset)]));
  } catch (error) {
    throw classifyPgError(error);
  }
}

/**
 * The greatest whole hour at or below `highMs` for which `holds` (true up
 * to some hour, false after it) is true, or the epoch when none is: a
 * gallop down from `highMs` and a bisection, so a partition behind by
 * minutes costs one or two questions and one stalled for a year about 26.
 */
export async function greatestHourWhere(
  highMs: number,
  holds: (hourMs: number) => Promise<boolean>,
): Promise<number> {
  if (await holds(highMs)) return highMs;
  let bad = highMs;
  let good = 0;
  for (let step = HOUR_MS; ; step *= 2) {
    const candidate = Math.max(0, highMs - step);
    if (await holds(candidate)) {
      good = candidate;
      break;
    }
    if (candidate === 0) return 0;
    bad = candidate;
  }
  while (bad - good > HOUR_MS) {
    const mid = good + Math.floor((bad - good) / HOUR_MS / 2) * HOUR_MS;
    if (await holds(mid)) good = mid;
    else bad = mid;
  }
  return good;
}

export function floorHour(ms: number): number {
  return Math.max(0, Math.floor(ms / HOUR_MS) * HOUR_MS);
}

/** One question per hour however many partitions ask it. */
function memoize<T>(ask: (hourMs: number) => Promise<T>): (hourMs: number) => Promise<T> {
  const asked = new Map<number, Promise<T>>();
  return (hourMs) => {
    let answer = asked.get(hourMs);
    if (answer === undefined) {
      answer = ask(hourMs);
      asked.set(hourMs, answer);
    }
    return answer;
  };
}

/**
 * The watermark computed at most once per `cacheMs` (an invoicing fleet
 * polling it costs Kafka a few requests a second, not per caller); callers
 * at once share one computation, and a failure is not remembered.
 */
export function createWatermarkSource(
  pool: pg.Pool,
  log: IngestLog,
  settings: WatermarkSettings,
  options: { cacheMs?: number; now?: () => number } = {},
): { read(): Promise<Watermark> } {
  const cacheMs = options.cacheMs ?? 1_000;
  const now = options.now ?? Date.now;
  let cached: { readonly at: number; readonly answer: Promise<Watermark> } | undefined;
  return {
    read() {
      const at = now();
      if (cached !== undefined && at - cached.at < cacheMs) return cached.answer;
      const answer = computeWatermark(pool, log, settings, at);
      const entry = { at, answer };
      cached = entry;
      answer.catch(() => {
        if (cached === entry) cached = undefined;
      });
      return answer;
    },
  };
}
