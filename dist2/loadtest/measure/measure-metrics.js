import { fetchMetrics, histogramBuckets, metricValue, } from '../../testkit/prometheus.js';
import { sampleEvery } from './sample-every.js';
export async function scrapeMetrics(baseUrl) {
    return { t: Date.now(), samples: await fetchMetrics(baseUrl) };
}
/** Sum of a metric's series whose labels include every given one; 0 when there is none. */
export function sumOf(scrape, name, labels = {}) {
    return scrape === undefined ? 0 : (metricValue(scrape.samples, name, labels) ?? 0);
}
/** The sink's outcome counters (adgate_sink_events_total), as of a scrape. */
export function sinkOutcomes(scrape) {
    const inserted = sumOf(scrape, 'adgate_sink_events_total', { outcome: 'inserted' });
    const duplicate = sumOf(scrape, 'adgate_sink_events_total', { outcome: 'duplicate' });
    const dlq = sumOf(scrape, 'adgate_sink_events_total', { outcome: 'dlq' });
    return { inserted, duplicate, dlq, total: inserted + duplicate + dlq };
}
/** A histogram's cumulative buckets, as of a scrape. */
export function histogram(scrape, name) {
    return scrape === undefined ? [] : histogramBuckets(scrape.samples, name);
}
/** The q-quantile of raw values (nearest rank). */
export function quantile(values, q) {
    if (values.length === 0)
        return undefined;
    const sorted = [...values].sort((a, b) => a - b);
    const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
    return sorted[index];
}
/** p50, p95, p99 and max of raw millisecond values (nearest rank). */
export function latencyOf(values) {
    if (values.length === 0)
        return { count: 0 };
    return {
        count: values.length,
        p50: quantile(values, 0.5),
        p95: quantile(values, 0.95),
        p99: quantile(values, 0.99),
        max: quantile(values, 1),
    };
}
/**
 * Scrapes the sink's outcome counters every `everyMs`. They move at every
 * flush, after its PostgreSQL commit: a finer measure of end-to-end
 * throughput than the Kafka group offsets, which move once per fetched
 * partition batch (up to ADGATE's 4 MiB per partition).
 */
export class SinkSampler {
    baseUrl;
    everyMs;
    samples = [];
    sampling;
    constructor(baseUrl, everyMs) {
        this.baseUrl = baseUrl;
        this.everyMs = everyMs;
    }
    get latest() {
        return this.samples.at(-1);
    }
    start() {
        this.sampling = sampleEvery(this.everyMs, async () => {
            try {
                const outcomes = sinkOutcomes(await scrapeMetrics(this.baseUrl));
                this.samples.push({ t: Date.now(), handled: outcomes.total, inserted: outcomes.inserted });
            }
            catch {
                // The gateway is stopping; the series simply ends.
            }
        });
    }
    stop() {
        this.sampling?.stop();
    }
}
/** Per-second rate of a cumulative series between two instants (linear between samples). */
export function rateBetween(samples, read, fromMs, toMs) {
    const at = (t) => {
        const first = samples[0];
        if (first === undefined)
            return undefined;
        if (t <= first.t)
            return read(first);
        for (let i = 1; i < samples.length; i += 1) {
            const b = samples[i];
            if (b.t >= t) {
                const a = samples[i - 1];
                return read(a) + ((read(b) - read(a)) * (t - a.t)) / Math.max(1, b.t - a.t);
            }
        }
        return read(samples.at(-1));
    };
    const a = at(fromMs);
    const b = at(toMs);
    if (a === undefined || b === undefined || toMs <= fromMs)
        return 0;
    return ((b - a) * 1000) / (toMs - fromMs);
}
//# sourceMappingURL=measure-metrics.js.map