import type { Meter } from '@opentelemetry/api';
import { gaugeSetter, LATENCY_BUCKETS_S, SIZE_BUCKETS } from './buckets.js';
import { createLagSeconds } from './lag-seconds.js';

/** The sink's instruments: outcomes, dead letters, flush timings, lag. */
export function createSinkInstruments(meter: Meter) {
  return {
    ...createLagSeconds(meter),
    sinkEvents: meter.createCounter('adgate_sink_events', {
      description:
        'Messages read from the ingest topic by outcome: inserted, duplicate (with stage), dlq, skipped_recorded (below the position PostgreSQL recorded: landed before)',
    }),
    sinkWrittenEvents: meter.createCounter('adgate_sink_written_events', {
      description: 'Events inserted into ad_events (new to PostgreSQL), by type',
    }),
    sinkOrphanEvents: meter.createCounter('adgate_sink_orphan_events', {
      description:
        'Clicks and conversions inserted while their impression was not in PostgreSQL yet, by type (the orphan rate: over adgate_sink_written_events)',
    }),
    dlqMessages: meter.createCounter('adgate_dlq_messages', {
      description: 'Messages sent to the DLQ or the dead topic, by reason and topic (dlq, dead)',
    }),
    dlqTruncated: meter.createCounter('adgate_dlq_truncated', {
      description:
        'Dead letters sent with their value cut (adgate-value-truncated) because their topic would not take them whole, by reason',
    }),
    sinkBatchSeconds: meter.createHistogram('adgate_sink_flush_seconds', {
      description: 'Duration of one sink flush (dedup, COPY, commit)',
      advice: { explicitBucketBoundaries: LATENCY_BUCKETS_S },
    }),
    sinkStageSeconds: meter.createHistogram('adgate_sink_stage_seconds', {
      description:
        'Time a flush spends in each stage: decode, redis_lookup, dead_letters, postgres_write, redis_mark',
      advice: { explicitBucketBoundaries: LATENCY_BUCKETS_S },
    }),
    sinkBatchEvents: meter.createHistogram('adgate_sink_flush_events', {
      description: 'Messages per sink flush',
      advice: { explicitBucketBoundaries: SIZE_BUCKETS },
    }),
    eventCommitSeconds: meter.createHistogram('adgate_event_commit_latency_seconds', {
      description: 'From the Kafka message timestamp to the PostgreSQL commit',
      advice: { explicitBucketBoundaries: LATENCY_BUCKETS_S },
    }),
    setConsumerLag: gaugeSetter(
      meter,
      'adgate_consumer_lag_messages',
      'Messages behind the high watermark, per partition',
    ),
    setSinkLastCommitSeconds: gaugeSetter(
      meter,
      'adgate_sink_last_commit_timestamp_seconds',
      "When the sink last committed a partition's position (Unix seconds), per partition",
    ),
  };
}
