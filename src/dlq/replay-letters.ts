import { createHash } from 'node:crypto';
import { retryWithBackoff } from '../errors/retry-with-backoff.js';
import { classifyKafkaError } from '../kafka/classify-kafka-error.js';
import { REPLAY_ID_HEADER, REPLAY_OF_HEADER } from '../kafka/headers.js';
import type { OutboundMessage, Producer } from '../kafka/types.js';
import { laterOffset, type ReadRange } from './kafka-letter-store.js';
import { retryRecord } from './letter-records.js';
import { type LetterFilter, matchesFilter, viewLetter } from './letter-view.js';
import { type DlqContext, readerGroup, topicOf, type Which } from './scan-letters.js';

// Kafka's default offset.metadata.max.bytes is 4096.
const MAX_METADATA = 3_000;
const SEND_CHUNK = 100;
// Small fetches: progress is committed after each, so an interrupted
// replay resumes close to where it stopped.
const FETCH_BYTES = 64 * 1024;

export interface ReplayOptions {
  readonly from: Which;
  readonly filter: LetterFilter;
  readonly dryRun: boolean;
  /** Names the replay (its progress); by default derived from the source and filters. */
  readonly id?: string;
  /** Letters sent per second, at most (not to flood the sink). */
  readonly rate?: number;
  readonly signal?: AbortSignal;
}

export interface ReplaySummary {
  readonly id: string;
  readonly scanned: number;
  readonly matched: number;
  readonly sent: number;
  readonly failed: number;
  /** Sent by an earlier run that was killed before it could commit them: not sent again. */
  readonly alreadySent: number;
  readonly interrupted: boolean;
  readonly seconds: number;
}

interface ReplayDeps extends DlqContext {
  readonly producer: Producer;
  readonly produceTimeoutMs: number;
}

/** The same source and filters give the same id: running the command again resumes it. */
export function replayId(topic: string, filter: LetterFilter): string {
  const text = JSON.stringify({ topic, ...filter });
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}

/**
 * `adgate dlq replay`: sends the matching letters back to the ingest topic
 * (SPEC §4: original key and headers, adgate-attempts raised, and
 * adgate-replay-id), reading the source through a consumer group of the
 * replay's own, `<group>.replay.<id>`, whose offsets are committed after
 * each fetched batch is acknowledged by Kafka. Interrupted, it stops after
 * the batch in hand; run again, it resumes after what it sent. Killed
 * between a send and its commit, the next run finds what it sent in the
 * ingest topic (adgate-replay-id and adgate-replay-of, from the end marked
 * with the last commit) and sends none of it again; were it sent twice,
 * the idempotency keys would still land it once (SPEC §2).
 */
export async function replayLetters(
  deps: ReplayDeps,
  options: ReplayOptions,
): Promise<ReplaySummary> {
  const topic = topicOf(deps, options.from);
  const id = options.id ?? replayId(topic, options.filter);
  const group = `${deps.group}.replay.${id}`;
  const ranges = await pendingRanges(deps, topic, group, options.filter);
  const sentBefore = await sentSinceLastCommit(deps, topic, group, id);
  const progress = createProgress(deps, id, ranges);
  let pending: OutboundMessage[] = [];
  const counts = { scanned: 0, matched: 0, sent: 0, failed: 0, alreadySent: 0 };
  const groupId = options.dryRun ? readerGroup(deps) : group;
  try {
    await deps.store.read(topic, ranges, {
      groupId,
      commit: !options.dryRun,
      maxBytesPerPartition: FETCH_BYTES,
      signal: options.signal,
      onMessage: (message) => {
        counts.scanned += 1;
        const view = viewLetter(message);
        if (!matchesFilter(view, options.filter)) return;
        counts.matched += 1;
        const place = `${message.partition}:${message.offset}`;
        if (options.dryRun) deps.out(`${JSON.stringify(view)}\n`);
        else if (sentBefore.has(place)) counts.alreadySent += 1;
        else {
          const extra = { [REPLAY_ID_HEADER]: id, [REPLAY_OF_HEADER]: place };
          pending.push(retryRecord(message, view.attempts, extra));
        }
      },
      // Where the ingest topic ended before this batch is sent, committed
      // before and with its progress: a run killed after the send and before
      // the commit is found there by the next run, which sends none of it again.
      markBatch: async () => (options.dryRun ? undefined : ingestMarks(deps)),
      onBatchDone: async () => {
        const batch = pending;
        pending = [];
        await sendAll(deps, batch, counts, options.rate, progress.startMs);
        progress.show(counts);
      },
    });
  } finally {
    if (options.dryRun) await deps.store.deleteGroup(groupId);
  }
  progress.show(counts, true);
  const interrupted = options.signal?.aborted === true;
  return { id, ...counts, interrupted, seconds: (Date.now() - progress.startMs) / 1000 };
}

/** From the replay group's committed offsets (or the log start) to each partition's end now. */
async function pendingRanges(
  deps: DlqContext,
  topic: string,
  group: string,
  filter: LetterFilter,
): Promise<ReadRange[]> {
  const committed = await deps.store.committed(group, topic);
  return (await deps.store.bounds(topic))
    .filter((b) => filter.partitions === undefined || filter.partitions.includes(b.partition))
    .map((b) => {
      const done = committed.get(b.partition) ?? b.low;
      return { partition: b.partition, from: laterOffset(done, b.low), to: b.high };
    });
}

async function sendAll(
  deps: ReplayDeps,
  records: readonly OutboundMessage[],
  counts: { sent: number; failed: number },
  rate: number | undefined,
  startMs: number,
): Promise<void> {
  for (let i = 0; i < records.length; i += SEND_CHUNK) {
    const chunk = records.slice(i, i + SEND_CHUNK);
    await Promise.all(chunk.map((record) => sendOne(deps, record, counts)));
    if (rate !== undefined) {
      // Ahead of the rate: wait until the letters sent so far are due.
      const aheadMs = (counts.sent / rate) * 1000 - (Date.now() - startMs);
      if (aheadMs > 0) await new Promise((resolve) => setTimeout(resolve, aheadMs));
    }
  }
}

async function sendOne(
  deps: ReplayDeps,
  record: OutboundMessage,
  counts: { sent: number; failed: number },
): Promise<void> {
  try {
    await retryWithBackoff(
      () => deps.producer.send(deps.topics.ingest, [record], deps.produceTimeoutMs),
      classifyKafkaError,
      { maxDelayMs: 5_000 },
    );
    counts.sent += 1;
  } catch (error) {
    // Refused for good (larger than the ingest topic takes): said, counted, skipped.
    counts.failed += 1;
    const key = record.key?.toString() ?? '(no key)';
    deps.err(`replay: ${key} refused by ${deps.topics.ingest}: ${(error as Error).message}\n`);
  }
}

/** The progress line on stderr: count, rate and ETA, at most once a second. */
function createProgress(deps: DlqContext, id: string, ranges: readonly ReadRange[]) {
  const total = ranges.reduce((n, r) => n + Number(r.to - r.from), 0);
  const startMs = Date.now();
  let lastMs = 0;
  return {
    startMs,
    show(counts: { scanned: number; sent: number }, final = false) {
      const now = Date.now();
      if (!final && now - lastMs < 1_000) return;
      lastMs = now;
      const seconds = Math.max((now - startMs) / 1000, 0.001);
      const rate = counts.scanned / seconds;
      const eta = rate > 0 ? Math.ceil((total - counts.scanned) / rate) : 0;
      deps.err(
        `replay ${id}: scanned ${counts.scanned}/${total}, sent ${counts.sent}, ${Math.round(counts.sent / seconds)}/s, ETA ${eta}s\n`,
      );
    },
  };
}

async function ingestMarks(deps: ReplayDeps): Promise<string | undefined> {
  const bounds = await deps.store.bounds(deps.topics.ingest);
  const text = JSON.stringify(Object.fromEntries(bounds.map((b) => [b.partition, String(b.high)])));
  return text.length <= MAX_METADATA ? text : undefined;
}

/**
 * The letters an earlier run of this replay sent after its last commit:
 * the ingest messages tagged with this replay's id from the marks that
 * commit holds (the ingest topic's end before the batch was sent) on.
 */
async function sentSinceLastCommit(
  deps: ReplayDeps,
  topic: string,
  group: string,
  id: string,
): Promise<Set<string>> {
  const from = new Map<number, bigint>();
  for (const text of (await deps.store.committedMetadata(group, topic)).values()) {
    for (const [p, offset] of Object.entries(parseMarks(text))) {
      const earlier = from.get(Number(p));
      if (earlier === undefined || offset < earlier) from.set(Number(p), offset);
    }
  }
  const sent = new Set<string>();
  if (from.size === 0) return sent;
  const ranges = (await deps.store.bounds(deps.topics.ingest)).flatMap((b) => {
    const start = from.get(b.partition);
    return start === undefined ? [] : [{ partition: b.partition, from: start, to: b.high }];
  });
  const groupId = readerGroup(deps);
  try {
    await deps.store.read(deps.topics.ingest, ranges, {
      groupId,
      onMessage: (m) => {
        if (m.headers[REPLAY_ID_HEADER]?.toString() !== id) return;
        const of = m.headers[REPLAY_OF_HEADER]?.toString();
        if (of !== undefined) sent.add(of);
      },
    });
  } finally {
    await deps.store.deleteGroup(groupId);
  }
  return sent;
}

function parseMarks(text: string): Record<string, bigint> {
  try {
    const parsed = JSON.parse(text) as Record<string, string>;
    return Object.fromEntries(Object.entries(parsed).map(([p, o]) => [p, BigInt(o)]));
  } catch {
    return {}; // not ours: no marks
  }
}
