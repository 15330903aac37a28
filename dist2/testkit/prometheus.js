/** GET /metrics of a gateway, parsed into samples (comments skipped). */
export async function fetchMetrics(baseUrl) {
    const response = await fetch(`${baseUrl}/metrics`);
    if (response.status !== 200)
        throw new Error(`GET /metrics answered ${response.status}`);
    return parseMetrics(await response.text());
}
export function parseMetrics(text) {
    const samples = [];
    for (const line of text.split('\n')) {
        const match = /^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{(.*)\})? (\S+)/.exec(line);
        if (match === null)
            continue;
        const labels = {};
        for (const pair of (match[2] ?? '').matchAll(/([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
            labels[pair[1]] = pair[2].replace(/\\(.)/g, '$1');
        }
        samples.push({ name: match[1], labels, value: Number(match[3]) });
    }
    return samples;
}
/**
 * The sum of the samples of `name` whose labels include `labels`;
 * undefined when there is none (the series was never written).
 */
export function metricValue(samples, name, labels = {}) {
    let total;
    for (const s of samples) {
        if (s.name !== name)
            continue;
        if (Object.entries(labels).some(([k, v]) => s.labels[k] !== v))
            continue;
        total = (total ?? 0) + s.value;
    }
    return total;
}
/** A histogram's cumulative buckets (summed over its other labels). */
export function histogramBuckets(samples, name) {
    const byLe = new Map();
    for (const s of samples) {
        const le = s.labels.le;
        if (s.name !== `${name}_bucket` || le === undefined)
            continue;
        const bound = le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le);
        byLe.set(bound, (byLe.get(bound) ?? 0) + s.value);
    }
    return [...byLe].map(([le, count]) => ({ le, count })).sort((a, b) => a.le - b.le);
}
/** The buckets of `after` minus those of `before`: the observations in between. */
export function histogramDelta(before, after) {
    const earlier = new Map(before.map((b) => [b.le, b.count]));
    return after.map((b) => ({ le: b.le, count: b.count - (earlier.get(b.le) ?? 0) }));
}
/**
 * The q-quantile of cumulative buckets, interpolating linearly inside the
 * bucket it falls in (as Prometheus's histogram_quantile does); in the
 * +Inf bucket, the highest finite bound. Undefined when empty.
 */
export function bucketQuantile(buckets, q) {
    const total = buckets.at(-1)?.count ?? 0;
    if (total <= 0)
        return undefined;
    const rank = q * total;
    let lowerBound = 0;
    let lowerCount = 0;
    for (const b of buckets) {
        if (b.count >= rank) {
            if (!Number.isFinite(b.le))
                return lowerBound;
            const inBucket = b.count - lowerCount;
            if (inBucket <= 0)
                return b.le;
            return lowerBound + ((b.le - lowerBound) * (rank - lowerCount)) / inBucket;
        }
        lowerBound = b.le;
        lowerCount = b.count;
    }
    return lowerBound;
}
//# sourceMappingURL=prometheus.js.map