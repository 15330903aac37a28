import {
  clickOf,
  conversionOf,
  createMix,
  duplicateOf,
  eventItems,
  impressionOf,
  type MixOptions,
  malformedItem,
  occurredMsOf,
  type StreamEvent,
  type StreamItem,
  shuffleTail,
} from './stream-events.js';

export interface ChunkedStreamOptions extends MixOptions {
  /** Distinct events per chunk (default 5,000). */
  readonly chunkSize?: number;
  /** How many recent impressions clicks and conversions may refer to (default 50,000). */
  readonly recentImpressions?: number;
  /** How many recent events a duplicate may repeat (default 20,000). */
  readonly recentEvents?: number;
}

export interface StreamChunk {
  readonly index: number;
  /** What to send, in order: events, duplicates and malformed messages, shuffled as configured. */
  readonly items: readonly StreamItem[];
  /** The distinct events that appear for the first time in this chunk. */
  readonly distinct: readonly StreamEvent[];
  readonly malformed: number;
}

interface RecentImpression {
  readonly event: StreamEvent;
  /** occurred_at (ms) of the clicks already made on it: two clicks never share one. */
  clicks?: Set<number>;
}

/**
 * The same realistic mix as generateStream, produced lazily in chunks so
 * that a run of any length holds only a bounded window in memory: clicks
 * and conversions refer to recent impressions, duplicates repeat recent
 * events, and out-of-order moves stay within a chunk. Deterministic: the
 * same options give the same chunks, on every machine. Infinite: stop
 * pulling when done, and count only the chunks that were sent in full.
 */
export function* generateChunks(options: ChunkedStreamOptions): Generator<StreamChunk, never> {
  const mix = createMix(options);
  const chunkSize = options.chunkSize ?? 5_000;
  const impressions = new Ring<RecentImpression>(options.recentImpressions ?? 50_000);
  const recent = new Ring<StreamEvent>(options.recentEvents ?? 20_000);
  // Shares accumulate across chunks so that long runs hit them exactly.
  const quota = (share: number, chunk: number) => Math.round((chunk + 1) * chunkSize * share);
  const soFar = { duplicates: 0, malformed: 0, moves: 0 };
  for (let chunk = 0; ; chunk += 1) {
    const distinct: StreamEvent[] = [];
    for (let n = 0; n < chunkSize; n += 1) {
      const event = nextEvent(mix, impressions, chunk * chunkSize + n);
      distinct.push(event);
      recent.push(event);
    }
    const items = eventItems(distinct);
    const duplicates = quota(options.duplicateShare, chunk) - soFar.duplicates;
    soFar.duplicates += duplicates;
    for (let d = 0; d < duplicates; d += 1) {
      items.push(duplicateOf(mix, recent.at(mix.pick(recent.size)) as StreamEvent));
    }
    const malformed = quota(options.malformedShare, chunk) - soFar.malformed;
    for (let m = 0; m < malformed; m += 1) {
      const k = soFar.malformed + m;
      items.push(malformedItem(`bad-${mix.seedTag}-${k}`, k));
    }
    soFar.malformed += malformed;
    shuffleTail(items, distinct.length, mix.random);
    const moves = quota(options.outOfOrderShare, chunk) - soFar.moves;
    soFar.moves += moves;
    swapRandomly(items, moves, mix.pick);
    yield { index: chunk, items, distinct, malformed };
  }
}

/** The i-th distinct event: a conversion or a click of a recent impression, or a new impression. */
function nextEvent(
  mix: ReturnType<typeof createMix>,
  impressions: Ring<RecentImpression>,
  i: number,
): StreamEvent {
  const occurredMs = occurredMsOf(mix);
  const r = mix.random();
  const base = impressions.size > 0 ? impressions.at(mix.pick(impressions.size)) : undefined;
  if (base !== undefined && r < mix.conversionShare) {
    return conversionOf(mix, base.event, i, occurredMs);
  }
  if (base !== undefined && r < mix.conversionShare + mix.clickShare) {
    // Distinct clicks on one impression differ by occurred_at (SPEC §2).
    base.clicks ??= new Set();
    let ms = occurredMs;
    while (base.clicks.has(ms)) ms += 1;
    base.clicks.add(ms);
    return clickOf(mix, base.event, ms);
  }
  const event = impressionOf(mix, i, occurredMs);
  impressions.push({ event });
  return event;
}

/** Out of order: `moves` swaps of two random places of the chunk. */
function swapRandomly(items: StreamItem[], moves: number, pick: (n: number) => number): void {
  for (let m = 0; m < moves; m += 1) {
    const a = pick(items.length);
    const b = pick(items.length);
    const item = items[a] as StreamItem;
    items[a] = items[b] as StreamItem;
    items[b] = item;
  }
}

/** A fixed-size window over the most recent values pushed. */
class Ring<T> {
  private readonly values: T[] = [];
  private nextSlot = 0;

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.values.length;
  }

  push(value: T): void {
    if (this.values.length < this.capacity) this.values.push(value);
    else this.values[this.nextSlot] = value;
    this.nextSlot = (this.nextSlot + 1) % this.capacity;
  }

  at(index: number): T | undefined {
    return this.values[index];
  }
}

/**
 * The first chunk's items of the bench's mix (10% duplicates and
 * out-of-order moves): the sample of real-looking messages that the
 * byte-for-byte tests of adgate's Kafka stand-ins run on.
 */
export function sampleItems(
  seed: number,
  count: number,
  malformedShare = 0.01,
): readonly StreamItem[] {
  return generateChunks({
    seed,
    chunkSize: count,
    duplicateShare: 0.1,
    malformedShare,
    outOfOrderShare: 0.1,
  }).next().value.items;
}
