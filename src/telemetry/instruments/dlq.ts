import type { Meter } from '@opentelemetry/api';
import { gaugeSetter } from './buckets.js';

/** The DLQ consumer's instruments (issue 11): every letter ends as one outcome. */
export function createDlqInstruments(meter: Meter) {
  const sinkRedriven = meter.createCounter('adgate_sink_redriven_messages', {
    description: 'Ingest messages that came back from the DLQ, by way (retry, replay)',
  });
  const dlqRequeued = meter.createCounter('adgate_dlq_requeued', {
    description: 'Waiting DLQ letters copied to the DLQ tail at a stop (handled by the next owner)',
  });
  // Served from the start at 0, so that rate() over them is 0, not absent,
  // until the first letter comes back (Prometheus's advice for counters).
  for (const via of ['retry', 'replay']) sinkRedriven.add(0, { via });
  dlqRequeued.add(0);
  return {
    sinkRedriven,
    dlqRequeued,
    dlqOutcomes: meter.createCounter('adgate_dlq_outcomes', {
      description:
        'DLQ letters by outcome (retried, kept, dead) and reason: each letter read ends as one',
    }),
    setDlqDepth: gaugeSetter(
      meter,
      'adgate_dlq_depth',
      'DLQ letters its consumer group has not handled yet (waiting ones included), per partition',
    ),
    setDlqLetters: gaugeSetter(
      meter,
      'adgate_dlq_letters',
      'Letters in the log of the DLQ and dead topics, per topic and partition',
    ),
    setDlqOldestSeconds: gaugeSetter(
      meter,
      'adgate_dlq_oldest_waiting_seconds',
      'Age, since its first failure, of the oldest letter the DLQ consumer holds for its backoff',
    ),
    setDlqWaiting: gaugeSetter(
      meter,
      'adgate_dlq_waiting_letters',
      'write_failed letters held by the DLQ consumer until their backoff is over',
    ),
  };
}
