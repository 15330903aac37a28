import {
  type Bucket,
  fetchMetrics,
  histogramBuckets,
  type MetricSample,
  metricValue,
} from '../../testkit/prometheus.js';
import { sampleEvery } from './sample-every.js';

/** One scrape of the gateway's GET /metrics, with when it was taken. */
export interface Scrape {
  readonly t: number;
  readonly samples: readonly MetricSample[];
}

/** A scrape; with `names`, only those metrics' samples are kept (parseMetrics). */
export async function scrapeMetrics(baseUrl: string, names?: readonly string[]): Promise<Scrape> {
  return { t: Date.now(), samples: await fetchMetrics(baseUrl, names) };
}

const SINK_OUTCOMES = 'adgate_sink_events_total';

/** Sum of a metric's series whose labels include every given one; 0 when there is none. */
export function sumOf(
  scrape: Scrape | undefined,
  name: string,
  labels: Record<string, string> = {},
): number {
  return scrape === undefined ? 0 : (metricValue(scrape.samples, name, labels) ?? 0);
}

/** The sink's outcome counters (adgate_sink_events_total), as of a scrape. */
export function sinkOutcomes(scrape: Scrape | undefined): {
  inserted: number;
  duplicate: number;
  dlq: number;
  total: number;
} {
  const inserted = sumOf(scrape, SINK_OUTCOMES, { outcome: 'inserted' });
  const duplicate = sumOf(scrape, SINK_OUTCOMES, { outcome: 'duplicate' });
  const dlq = sumOf(scrape, SINK_OUTCOMES, { outcome: 'dlq' });
  return { inserted, duplicate, dlq, total: inserted + duplicate + dlq };
}

/** A histogram's cumulative buckets, as of a scrape. */
export function histogram(scrape: Scrape | undefined, name: string): Bucket[] {
  return scrape === undefined ? [] : histogramBuckets(scrape.samples, name);
}

/** Quantiles in milliseconds; undefined when nothing was observed. */
export interface Latency {
  readonly count: number;
  /** Quantiles that fell past the histogram's last finite bound: the value shown is that bound. */
  readonly atLeast?: readonly string[];
  readonly p50?: number;
  readonly p95?: number;
  readonly p99?: number;
  readonly max?: number;
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
  private sampling: { stop(): void } | undefined;

  constructor(
    private readonly baseUrl: string,
    private readonly everyMs: number,
  ) {}

  get latest(): SinkSample | undefined {
    return this.samples.at(-1);
  }

  start(): void {
    this.sampling = sampleEvery(this.everyMs, async () => {
      try {
        const outcomes = sinkOutcomes(await scrapeMetrics(this.baseUrl, [SINK_OUTCOMES]));
        this.samples.push({ t: Date.now(), handled: outcomes.total, inserted: outcomes.inserted });
      } catch {
        // The gateway is stopping; the series simply ends.
      }
    });
  }

  stop(): void {
    this.sampling?.stop();
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
