/**
 * A deterministic stream of ad events with a realistic mix, shared by the
 * benchmark and the integration tests: the same seed gives the same stream,
 * and the stream knows exactly what a correct gateway must end up with.
 */

export interface StreamEvent {
  type: 'impression' | 'click' | 'conversion';
  impression_id: string;
  occurred_at: string;
  campaign_id: string;
  ad_id: string;
  publisher_id: string;
  conversion_id?: string;
  cost_micros?: number;
  revenue_micros?: number;
  currency?: string;
}

/** What every generated stream shares: the seed, the mix and the shares. */
interface MixOptions {
  readonly seed: number;
  /** Extra sends that repeat an earlier event, as a share of distinct events (0..1). */
  readonly duplicateShare: number;
  /** Malformed messages added, as a share of distinct events (0..1); they must end in the DLQ. */
  readonly malformedShare: number;
  /** Events moved to a random place, as a share of distinct events: clicks before impressions. */
  readonly outOfOrderShare: number;
  /** Per 100 impressions: [clicks, conversions]. */
  readonly mix?: readonly [number, number];
  readonly campaigns?: number;
  readonly ads?: number;
  readonly publishers?: number;
  /** Events' occurred_at fall in the hour before this instant. */
  readonly nowMs?: number;
}

export interface StreamOptions extends MixOptions {
  /** Distinct valid events to generate (before duplicates). */
  readonly distinct: number;
}

/** One item to send: an event (its JSON text), or malformed bytes. */
export interface StreamItem {
  readonly key: string;
  readonly json: string;
  readonly kind: 'event' | 'duplicate' | 'malformed';
}

export interface BillingSums {
  impressions: number;
  clicks: number;
  conversions: number;
  cost_micros: bigint;
  revenue_micros: bigint;
}

export interface ExpectedOutcome {
  readonly distinct: number;
  readonly byType: Record<StreamEvent['type'], number>;
  readonly malformed: number;
  /** Keyed by `hourIso|campaign|ad|publisher|currency`. */
  readonly billing: Map<string, BillingSums>;
}

/**
 * Where an impression runs. Real traffic is heavy-tailed: a few ads and
 * publishers take most impressions; and an ad belongs to one campaign.
 * Squaring a uniform draw gives that head without a tail of zeros.
 */
function placement(
  random: () => number,
  campaigns: number,
  ads: number,
  publishers: number,
): Pick<StreamEvent, 'campaign_id' | 'ad_id' | 'publisher_id' | 'currency'> {
  const ad = Math.floor(ads * random() ** 2);
  return {
    campaign_id: `camp-${ad % campaigns}`,
    ad_id: `ad-${ad}`,
    publisher_id: `pub-${Math.floor(publishers * random() ** 2)}`,
    currency: random() < 0.9 ? 'USD' : 'EUR',
  };
}

/** mulberry32: small, fast, and the same on every machine. */
export function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MALFORMED = [
  '{"type":"impression",', // not JSON
  '{"type":"impression","impression_id":"x y","occurred_at":"2026-01-01T00:00:00Z"}', // schema
  '"just a string"',
];

export function generateStream(options: StreamOptions): {
  items: StreamItem[];
  expected: ExpectedOutcome;
} {
  const random = createRandom(options.seed);
  const pick = (n: number) => Math.floor(random() * n);
  const [clicksPer100, conversionsPer100] = options.mix ?? [5, 0.5];
  const campaigns = options.campaigns ?? 2_000;
  const ads = options.ads ?? 5_000;
  const publishers = options.publishers ?? 3_000;
  const nowMs = options.nowMs ?? Date.now();
  const seedTag = options.seed.toString(36);

  const distinct: StreamEvent[] = [];
  const impressions: StreamEvent[] = [];
  const total = options.distinct;
  const clickShare = clicksPer100 / (100 + clicksPer100 + conversionsPer100);
  const conversionShare = conversionsPer100 / (100 + clicksPer100 + conversionsPer100);
  for (let i = 0; i < total; i += 1) {
    const occurredMs = nowMs - 60_000 - pick(3_540_000);
    const r = random();
    const base = impressions.length > 0 ? impressions[pick(impressions.length)] : undefined;
    if (base !== undefined && r < conversionShare) {
      distinct.push({
        ...base,
        type: 'conversion',
        conversion_id: `cv-${seedTag}-${i}`,
        occurred_at: new Date(occurredMs).toISOString(),
        cost_micros: 0,
        revenue_micros: 1_000_000 + pick(50_000_000),
      });
    } else if (base !== undefined && r < conversionShare + clickShare) {
      distinct.push({
        ...base,
        type: 'click',
        // Distinct clicks on one impression differ by occurred_at (SPEC §2).
        occurred_at: new Date(occurredMs + i).toISOString(),
        cost_micros: 100_000 + pick(900_000),
      });
    } else {
      const event: StreamEvent = {
        type: 'impression',
        impression_id: `imp-${seedTag}-${i}`,
        occurred_at: new Date(occurredMs).toISOString(),
        ...placement(random, campaigns, ads, publishers),
        cost_micros: 500 + pick(5_000),
      };
      impressions.push(event);
      distinct.push(event);
    }
  }

  const items: StreamItem[] = distinct.map((e) => ({
    key: e.impression_id,
    json: JSON.stringify(e),
    kind: 'event',
  }));
  const duplicates = Math.round(total * options.duplicateShare);
  for (let i = 0; i < duplicates; i += 1) {
    const original = distinct[pick(distinct.length)] as StreamEvent;
    // The same instant written another way must still be the same event.
    const occurred = new Date(original.occurred_at);
    const variant = random() < 0.5 ? original.occurred_at : offsetForm(occurred);
    items.push({
      key: original.impression_id,
      json: JSON.stringify({ ...original, occurred_at: variant }),
      kind: 'duplicate',
    });
  }
  const malformed = Math.round(total * options.malformedShare);
  for (let i = 0; i < malformed; i += 1) {
    items.push({
      key: `bad-${i}`,
      json: MALFORMED[i % MALFORMED.length] as string,
      kind: 'malformed',
    });
  }
  // Duplicates and malformed go to random places; a share of events too,
  // which puts clicks and conversions before their impressions.
  shuffleTail(items, total, random);
  const moves = Math.round(total * options.outOfOrderShare);
  for (let i = 0; i < moves; i += 1) {
    const from = pick(items.length);
    const to = pick(items.length);
    const [item] = items.splice(from, 1);
    if (item) items.splice(to, 0, item);
  }

  return { items, expected: expectedOf(distinct, malformed) };
}

function offsetForm(date: Date): string {
  // e.g. 2026-11-24T03:00:00.123+02:00 for 01:00:00.123Z
  const shifted = new Date(date.getTime() + 2 * 3600_000).toISOString().replace('Z', '+02:00');
  return shifted;
}

/** Scatters the items after `start` through the whole array (Fisher–Yates on positions). */
function shuffleTail(items: StreamItem[], start: number, random: () => number): void {
  for (let i = start; i < items.length; i += 1) {
    const j = Math.floor(random() * (i + 1));
    const a = items[i] as StreamItem;
    items[i] = items[j] as StreamItem;
    items[j] = a;
  }
}

export function billingKey(
  hourIso: string,
  campaign: string,
  ad: string,
  publisher: string,
  currency: string,
): string {
  return `${hourIso}|${campaign}|${ad}|${publisher}|${currency}`;
}

function expectedOf(distinct: readonly StreamEvent[], malformed: number): ExpectedOutcome {
  const byType = { impression: 0, click: 0, conversion: 0 };
  const billing = new Map<string, BillingSums>();
  for (const e of distinct) {
    byType[e.type] += 1;
    const hour = new Date(
      Math.floor(Date.parse(e.occurred_at) / 3600_000) * 3600_000,
    ).toISOString();
    const key = billingKey(hour, e.campaign_id, e.ad_id, e.publisher_id, e.currency ?? 'USD');
    const sums = billing.get(key) ?? {
      impressions: 0,
      clicks: 0,
      conversions: 0,
      cost_micros: 0n,
      revenue_micros: 0n,
    };
    if (e.type === 'impression') sums.impressions += 1;
    if (e.type === 'click') sums.clicks += 1;
    if (e.type === 'conversion') sums.conversions += 1;
    sums.cost_micros += BigInt(e.cost_micros ?? 0);
    sums.revenue_micros += BigInt(e.revenue_micros ?? 0);
    billing.set(key, sums);
  }
  return { distinct: distinct.length, byType, malformed, billing };
}

// ---------------------------------------------------------------------------
// Chunked generation, for runs too long to hold in memory.

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
  const random = createRandom(options.seed);
  const pick = (n: number) => Math.floor(random() * n);
  const [clicksPer100, conversionsPer100] = options.mix ?? [5, 0.5];
  const campaigns = options.campaigns ?? 2_000;
  const ads = options.ads ?? 5_000;
  const publishers = options.publishers ?? 3_000;
  const nowMs = options.nowMs ?? Date.now();
  const chunkSize = options.chunkSize ?? 5_000;
  const seedTag = options.seed.toString(36);
  const clickShare = clicksPer100 / (100 + clicksPer100 + conversionsPer100);
  const conversionShare = conversionsPer100 / (100 + clicksPer100 + conversionsPer100);
  const impressions = new Ring<RecentImpression>(options.recentImpressions ?? 50_000);
  const recent = new Ring<StreamEvent>(options.recentEvents ?? 20_000);
  // Shares accumulate across chunks so that long runs hit them exactly.
  const quota = (share: number, chunk: number) => Math.round((chunk + 1) * chunkSize * share);
  let duplicatesSoFar = 0;
  let malformedSoFar = 0;
  let movesSoFar = 0;

  for (let chunk = 0; ; chunk += 1) {
    const distinct: StreamEvent[] = [];
    for (let n = 0; n < chunkSize; n += 1) {
      const i = chunk * chunkSize + n;
      const occurredMs = nowMs - 60_000 - pick(3_540_000);
      const r = random();
      const base = impressions.size > 0 ? impressions.at(pick(impressions.size)) : undefined;
      let event: StreamEvent;
      if (base !== undefined && r < conversionShare) {
        event = {
          ...base.event,
          type: 'conversion',
          conversion_id: `cv-${seedTag}-${i}`,
          occurred_at: new Date(occurredMs).toISOString(),
          cost_micros: 0,
          revenue_micros: 1_000_000 + pick(50_000_000),
        };
      } else if (base !== undefined && r < conversionShare + clickShare) {
        // Distinct clicks on one impression differ by occurred_at (SPEC §2).
        base.clicks ??= new Set();
        let ms = occurredMs;
        while (base.clicks.has(ms)) ms += 1;
        base.clicks.add(ms);
        event = {
          ...base.event,
          type: 'click',
          occurred_at: new Date(ms).toISOString(),
          cost_micros: 100_000 + pick(900_000),
        };
      } else {
        event = {
          type: 'impression',
          impression_id: `imp-${seedTag}-${i}`,
          occurred_at: new Date(occurredMs).toISOString(),
          ...placement(random, campaigns, ads, publishers),
          cost_micros: 500 + pick(5_000),
        };
        impressions.push({ event });
      }
      distinct.push(event);
      recent.push(event);
    }

    const items: StreamItem[] = distinct.map((e) => ({
      key: e.impression_id,
      json: JSON.stringify(e),
      kind: 'event',
    }));
    const duplicates = quota(options.duplicateShare, chunk) - duplicatesSoFar;
    duplicatesSoFar += duplicates;
    for (let d = 0; d < duplicates; d += 1) {
      const original = recent.at(pick(recent.size)) as StreamEvent;
      // The same instant written another way must still be the same event.
      const variant =
        random() < 0.5 ? original.occurred_at : offsetForm(new Date(original.occurred_at));
      items.push({
        key: original.impression_id,
        json: JSON.stringify({ ...original, occurred_at: variant }),
        kind: 'duplicate',
      });
    }
    const malformed = quota(options.malformedShare, chunk) - malformedSoFar;
    for (let m = 0; m < malformed; m += 1) {
      const k = malformedSoFar + m;
      items.push({
        key: `bad-${seedTag}-${k}`,
        json: MALFORMED[k % MALFORMED.length] as string,
        kind: 'malformed',
      });
    }
    malformedSoFar += malformed;
    shuffleTail(items, distinct.length, random);
    const moves = quota(options.outOfOrderShare, chunk) - movesSoFar;
    movesSoFar += moves;
    for (let m = 0; m < moves; m += 1) {
      const a = pick(items.length);
      const b = pick(items.length);
      const item = items[a] as StreamItem;
      items[a] = items[b] as StreamItem;
      items[b] = item;
    }
    yield { index: chunk, items, distinct, malformed };
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
