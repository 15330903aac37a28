import type { Attributes, Meter } from '@opentelemetry/api';

export const LATENCY_BUCKETS_S = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];
export const SIZE_BUCKETS = [1, 10, 50, 100, 500, 1000, 2500, 5000, 10000, 50000];

/** Sets one gauge's value for one set of attributes; the value stays until set again. */
export type GaugeSetter = (value: number, attributes?: Attributes) => void;

/**
 * A synchronous gauge: its last value per attribute set is exported at
 * every scrape (cumulative last-value aggregation), as a Prometheus gauge.
 */
export function gaugeSetter(meter: Meter, name: string, description: string): GaugeSetter {
  const gauge = meter.createGauge(name, { description });
  return (value, attributes = {}) => gauge.record(value, attributes);
}
