import type { Meter } from '@opentelemetry/api';

/**
 * adgate_consumer_lag_seconds{partition}: how old the oldest message not
 * yet written is, as kafka-lag-exporter and Burrow report lag (SREs page on
 * seconds, not messages). Computed at each scrape from the timestamp the
 * sink noted, so a sink that stands still shows a lag that grows, never a
 * frozen figure. 0 when the partition is caught up. Partitions this
 * instance no longer owns are dropped at the next assignment.
 */
export function createLagSeconds(meter: Meter) {
  const oldest = new Map<number, number | null>();
  meter
    .createObservableGauge('adgate_consumer_lag_seconds', {
      description:
        'Age of the oldest message of the partition not yet written to PostgreSQL (0: caught up)',
    })
    .addCallback((result) => {
      const now = Date.now();
      for (const [partition, timestampMs] of oldest) {
        const age = timestampMs === null ? 0 : Math.max(0, now - timestampMs) / 1000;
        result.observe(age, { partition });
      }
    });
  return {
    /** The oldest unwritten message's Kafka timestamp, or null when caught up. */
    setOldestUnwritten(partition: number, timestampMs: number | null): void {
      oldest.set(partition, timestampMs);
    },
    /** Keeps only the partitions of the new assignment. */
    keepLagPartitions(partitions: readonly number[]): void {
      const kept = new Set(partitions);
      for (const partition of oldest.keys()) if (!kept.has(partition)) oldest.delete(partition);
    },
  };
}
