import type { Attributes } from '@opentelemetry/api';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { watchEventLoopLag } from './watch-event-loop-lag.js';

const LATENCY_BUCKETS_S = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];
const SIZE_BUCKETS = [1, 10, 50, 100, 500, 1000, 2500, 5000, 10000, 50000];

/**
 * The gateway's instruments, one instance per process (never a global
 * provider, so that tests can run several pipelines side by side).
 * Served in Prometheus text format on GET /metrics (SPEC §3).
 */
export function createMetrics() {
  const exporter = new PrometheusExporter({ preventServerStart: true, withoutScopeInfo: true });
  const provider = new MeterProvider({ readers: [exporter] });
  const meter = provider.getMeter('adgate');
  const serializer = new PrometheusSerializer('', false, undefined, true, true);

  const gauges = new Map<string, { value: number; attributes: Attributes }[]>();
  const observed = (name: string, description: string) => {
    const gauge = meter.createObservableGauge(name, { description });
    gauges.set(name, []);
    gauge.addCallback((result) => {
      for (const point of gauges.get(name) ?? []) result.observe(point.value, point.attributes);
    });
    return (value: number, attributes: Attributes = {}) => {
      const points = gauges.get(name) ?? [];
      const key = JSON.stringify(attributes);
      const existing = points.find((p) => JSON.stringify(p.attributes) === key);
      if (existing) existing.value = value;
      else points.push({ value, attributes });
      gauges.set(name, points);
    };
  };

  const eventLoopLag = meter.createHistogram('adgate_event_loop_lag_seconds', {
    description:
      'How late a 20 ms timer fires: time the event loop spent busy while requests and callbacks waited',
    advice: { explicitBucketBoundaries: LATENCY_BUCKETS_S },
  });
  const stopLagWatch = watchEventLoopLag((seconds) => eventLoopLag.record(seconds));

  return {
    httpRequests: meter.createCounter('adgate_http_requests', {
      description: 'HTTP requests by route and status',
    }),
    httpEvents: meter.createCounter('adgate_http_events', {
      description: 'Events received over HTTP, by outcome (accepted, rejected)',
    }),
    httpClientFaults: meter.createCounter('adgate_http_client_faults', {
      description:
        'Connections closed for the client: timeout (408, too slow to send headers or body), bad_request (400, not HTTP)',
    }),
    httpConnectionsDropped: meter.createCounter('adgate_http_connections_dropped', {
      description: 'Connections closed at once because ADGATE_HTTP_MAX_CONNECTIONS were open',
    }),
    rateLimitedEvents: meter.createCounter('adgate_http_rate_limited_events', {
      description: 'Events refused (429) because their key was over its rate limit, by source',
    }),
    authThrottled: meter.createCounter('adgate_http_auth_throttled', {
      description: 'Requests refused (429) because their address kept failing authentication',
    }),
    httpAckSeconds: meter.createHistogram('adgate_http_ack_seconds', {
      description: 'Time from request start to response for POST /v1/events',
      advice: { explicitBucketBoundaries: LATENCY_BUCKETS_S },
    }),
    sinkEvents: meter.createCounter('adgate_sink_events', {
      description:
        'Messages read from the ingest topic by outcome: inserted, duplicate (with stage), dlq, skipped_recorded (below the position PostgreSQL recorded: landed before)',
    }),
    dlqMessages: meter.createCounter('adgate_dlq_messages', {
      description: 'Messages sent to the DLQ or the dead topic, by reason and topic (dlq, dead)',
    }),
    sinkRedriven: meter.createCounter('adgate_sink_redriven_messages', {
      description: 'Ingest messages that came back from the DLQ, by way (retry, replay)',
    }),
    dlqTruncated: meter.createCounter('adgate_dlq_truncated', {
      description:
        'Dead letters sent with their value cut (adgate-value-truncated) because their topic would not take them whole, by reason',
    }),
    dlqOutcomes: meter.createCounter('adgate_dlq_outcomes', {
      description:
        'DLQ letters by outcome (retried, kept, dead) and reason: each letter read ends as one',
    }),
    dlqRequeued: meter.createCounter('adgate_dlq_requeued', {
      description:
        'Waiting DLQ letters copied to the DLQ tail at a stop (handled by the next owner)',
    }),
    errors: meter.createCounter('adgate_errors', {
      description: 'Failures by reason (the same token as in the log and the DLQ header)',
    }),
    failures: meter.createCounter('adgate_failures', {
      description:
        'Times this instance moved to `failed` (it then drains and exits non-zero), by reason',
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
    setDedupDegraded: observed(
      'adgate_dedup_degraded',
      '1 while Redis is unreachable and PostgreSQL alone arbitrates duplicates',
    ),
    setDedupBucketMaxKeys: observed(
      'adgate_dedup_bucket_max_keys',
      'Most keys one Redis dedup bucket of the current generation holds (at the last mark)',
    ),
    setDedupBucketCompactLimit: observed(
      'adgate_dedup_bucket_compact_limit',
      "Redis's hash-max-listpack-entries: past it a bucket costs several times more memory per key",
    ),
    setConsumerLag: observed(
      'adgate_consumer_lag_messages',
      'Messages behind the high watermark, per partition',
    ),
    setSinkLastCommitSeconds: observed(
      'adgate_sink_last_commit_timestamp_seconds',
      "When the sink last committed a partition's position (Unix seconds), per partition",
    ),
    setDlqDepth: observed(
      'adgate_dlq_depth',
      'DLQ letters its consumer group has not handled yet (waiting ones included), per partition',
    ),
    setDlqLetters: observed(
      'adgate_dlq_letters',
      'Letters in the log of the DLQ and dead topics, per topic and partition',
    ),
    setDlqOldestSeconds: observed(
      'adgate_dlq_oldest_waiting_seconds',
      'Age, since its first failure, of the oldest letter the DLQ consumer holds for its backoff',
    ),
    setDlqWaiting: observed(
      'adgate_dlq_waiting_letters',
      'write_failed letters held by the DLQ consumer until their backoff is over',
    ),
    setLifecycleState: observed('adgate_lifecycle_state', '1 for the current lifecycle state'),
    setLastDrainSeconds: observed(
      'adgate_last_drain_seconds',
      'Duration of the last completed drain',
    ),

    /** Prometheus text exposition of everything above. */
    async render(): Promise<string> {
      const { resourceMetrics } = await exporter.collect();
      return serializer.serialize(resourceMetrics);
    },
    async shutdown(): Promise<void> {
      stopLagWatch();
      await provider.shutdown();
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
