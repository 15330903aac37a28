/**
 * The gateway's GET /metrics (Prometheus text format), read the same way by
 * the tests (one counter's value) and the benchmarks (rates and histogram
 * quantiles between two scrapes).
 */
/** One sample line of the Prometheus text format: name, labels and value. */
export interface MetricSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** GET /metrics of a gateway, parsed into samples (comments skipped); only `names`' when given. */
export async function fetchMetrics(
  baseUrl: string,
  names?: readonly string[],
): Promise<MetricSample[]> {
  const response = await fetch(`${baseUrl}/metrics`);
  if (response.status !== 200) throw new Error(`GET /metrics answered ${response.status}`);
  return parseMetrics(await response.text(), names);
}

/**
 * The samples of an exposition; with `names`, only theirs (a histogram's
 * are `<name>_bucket`, `_sum` and `_count`), the other lines skipped
 * before any pattern runs: the benchmarks scrape twice a second, and a
 * gateway under load exposes over a thousand lines.
 */
export function parseMetrics(text: string, names?: readonly string[]): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const line of text.split('\n')) {
    if (names !== undefined && !names.some((name) => isSampleOf(line, name))) continue;
    const match = /^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (match === null) continue;
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[pair[1] as string] = (pair[2] as string).replace(/\\(.)/g, '$1');
    }
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return samples;
}

/** Whether a line is a sample of exactly `name`: the name, then its labels or the value. */
function isSampleOf(line: string, name: string): boolean {
  if (!line.startsWith(name)) return false;
  const next = line[name.length];
  return next === '{' || next === ' ';
}

/**
 * The sum of the samples of `name` whose labels include `labels`;
 * undefined when there is none (the series was never written).
 */
export function metricValue(
  samples: readonly MetricSample[],
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number | undefined {
  let total: number | undefined;
  for (const s of samples) {
    if (s.name !== name) continue;
    if (Object.entries(labels).some(([k, v]) => s.labels[k] !== v)) continue;
    total = (total ?? 0) + s.value;
  }
  return total;
}

export interface Bucket {
  /** Upper bound in the histogram's unit; Infinity for +Inf. */
  readonly le: number;
  /** Cumulative count. */
  readonly count: number;
}

/** A histogram's cumulative buckets (summed over its other labels). */
export function histogramBuckets(samples: readonly MetricSample[], name: string): Bucket[] {
  const byLe = new Map<number, number>();
  for (const s of samples) {
    const le = s.labels.le;
    if (s.name !== `${name}_bucket` || le === undefined) continue;
    const bound = le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le);
    byLe.set(bound, (byLe.get(bound) ?? 0) + s.value);
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
