import type { Latency } from './bench-result.js';

/** One scrape of the gateway's GET /metrics: series name with labels → value. */
export interface Scrape {
  readonly t: number;
  readonly series: ReadonlyMap<string, number>;
}

export async function scrapeMetrics(baseUrl: string): Promise<Scrape> {
  const response = await fetch(`${baseUrl}/metrics`);
  if (!response.ok) throw new Error(`GET /metrics answered ${response.status}`);
  return { t: Date.now(), series: parsePrometheus(await response.text()) };
}

/** Prometheus text format: `name{labels} value` lines; comments skipped. */
export function parsePrometheus(text: string): Map<string, number> {
  const series = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    if (space < 0) continue;
    const value = Number(line.slice(space + 1));
    if (Number.isFinite(value) || line.endsWith('Inf')) series.set(line.slice(0, space), value);
  }
  return series;
}

/** Sum of a metric's series whose labels include every given `key="value"`. */
export function sumOf(
  scrape: Scrape | undefined,
  name: string,
  labels: Record<string, string> = {},
): number {
  if (scrape === undefined) return 0;
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  let sum = 0;
  for (const [key, value] of scrape.series) {
    const brace = key.indexOf('{');
    const metric = brace < 0 ? key : key.slice(0, brace);
    if (metric !== name) continue;
    const labelText = brace < 0 ? '' : key.slice(brace);
    if (wanted.every((w) => labelText.includes(w))) sum += value;
  }
  return sum;
}

/** The sink's outcome counters (adgate_sink_events_total), as of a scrape. */
export function sinkOutcomes(scrape: Scrape | undefined): {
  inserted: number;
  duplicate: number;
  dlq: number;
  total: number;
} {
  const inserted = sumOf(scrape, 'adgate_sink_events_total', { outcome: 'inserted' });
  const duplicate = sumOf(scrape, 'adgate_sink_events_total', { outcome: 'duplicate' });
  const dlq = sumOf(scrape, 'adgate_sink_events_total', { outcome: 'dlq' });
  return { inserted, duplicate, dlq, total: inserted + duplicate + dlq };
}

export interface Bucket {
  /** Upper bound in the histogram's unit; Infinity for +Inf. */
  readonly le: number;
  /** Cumulative count. */
  readonly count: number;
}

/** A histogram's cumulative buckets (summed over other labels), as of a scrape. */
export function histogram(scrape: Scrape | undefined, name: string): Bucket[] {
  const byLe = new Map<number, number>();
  if (scrape !== undefined) {
    for (const [key, value] of scrape.series) {
      if (!key.startsWith(`${name}_bucket{`)) continue;
      const le = /le="([^"]+)"/.exec(key)?.[1];
      if (le === undefined) continue;
      const bound = le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le);
      byLe.set(bound, (byLe.get(bound) ?? 0) + value);
    }
  }
  return [...byLe].map(([le, count]) => ({ le, count })).sort((a, b) => a.le - b.le);
}

/** The buckets of `after` minus those of `before`: the observations in between. */
export function histogramDelta(before: readonly Bucket[], after: readonly Bucket[]): Bucket[] {
  const earlier = new Map(before.map((b) => [b.le, b.count]));
  return after.map((b) => ({ le: b.le, count: b.count - (earlier.get(b.le) ?? 0) }));
}

/**
 * The q-quantile of cumulative buckets, interpolating linearly inside the
 * bucket it falls in (as Prometheus's histogram_quantile does); in the
 * +Inf bucket, the highest finite bound. Undefined when empty.
 */
export function bucketQuantile(buckets: readonly Bucket[], q: number): number | undefined {
  const total = buckets.at(-1)?.count ?? 0;
  if (total <= 0) return undefined;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const b of buckets) {
    if (b.count >= rank) {
      if (!Number.isFinite(b.le)) return lowerBound;
      const inBucket = b.count - lowerCount;
      if (inBucket <= 0) return b.le;
      return lowerBound + ((b.le - lowerBound) * (rank - lowerCount)) / inBucket;
    }
    lowerBound = b.le;
    lowerCount = b.count;
  }
  return lowerBound;
}

/** The q-quantile of raw values (nearest rank). */
export function quantile(values: readonly number[], q: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index];
}

/** p50, p95, p99 and max of raw millisecond values (nearest rank). */
export function latencyOf(values: readonly number[]): Latency {
  if (values.length === 0) return { count: 0 };
  return {
    count: values.length,
    p50: quantile(values, 0.5),
    p95: quantile(values, 0.95),
    p99: quantile(values, 0.99),
    max: quantile(values, 1),
  };
}

export interface SinkSample {
  /** Epoch milliseconds. */
  readonly t: number;
  /** Messages the sink finished (inserted + duplicate + dlq): committed in PostgreSQL or the DLQ. */
  readonly handled: number;
  readonly inserted: number;
}

/**
 * Scrapes the sink's outcome counters every `everyMs`. They move at every
 * flush, after its PostgreSQL commit: a finer measure of end-to-end
 * throughput than the Kafka group offsets, which move once per fetched
 * partition batch (up to ADGATE's 4 MiB per partition).
 */
export class SinkSampler {
  readonly samples: SinkSample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly baseUrl: string,
    private readonly everyMs: number,
  ) {}

  get latest(): SinkSample | undefined {
    return this.samples.at(-1);
  }

  start(): void {
    this.running = true;
    const tick = async () => {
      const started = Date.now();
      try {
        const outcomes = sinkOutcomes(await scrapeMetrics(this.baseUrl));
        this.samples.push({ t: Date.now(), handled: outcomes.total, inserted: outcomes.inserted });
      } catch {
        // The gateway is stopping; the series simply ends.
      }
      if (this.running) {
        this.timer = setTimeout(
          () => void tick(),
          Math.max(0, this.everyMs - (Date.now() - started)),
        );
      }
    };
    void tick();
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
  }
}

/** Per-second rate of a cumulative series between two instants (linear between samples). */
export function rateBetween<T extends { readonly t: number }>(
  samples: readonly T[],
  read: (s: T) => number,
  fromMs: number,
  toMs: number,
): number {
  const at = (t: number): number | undefined => {
    const first = samples[0];
    if (first === undefined) return undefined;
    if (t <= first.t) return read(first);
    for (let i = 1; i < samples.length; i += 1) {
      const b = samples[i] as T;
      if (b.t >= t) {
        const a = samples[i - 1] as T;
        return read(a) + ((read(b) - read(a)) * (t - a.t)) / Math.max(1, b.t - a.t);
      }
    }
    return read(samples.at(-1) as T);
  };
  const a = at(fromMs);
  const b = at(toMs);
  if (a === undefined || b === undefined || toMs <= fromMs) return 0;
  return ((b - a) * 1000) / (toMs - fromMs);
}
