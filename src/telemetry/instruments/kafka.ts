import type { Meter } from '@opentelemetry/api';
import { LATENCY_BUCKETS_S } from './buckets.js';

/** The Kafka producer's instruments: what an HTTP ack and a dead letter wait for. */
export function createKafkaInstruments(meter: Meter) {
  return {
    kafkaProduceSeconds: meter.createHistogram('adgate_kafka_produce_seconds', {
      description:
        'One produce request (coalesced sends) from the send to the acknowledgement of all in-sync replicas, by outcome (ok, failed)',
      advice: { explicitBucketBoundaries: LATENCY_BUCKETS_S },
    }),
  };
}
