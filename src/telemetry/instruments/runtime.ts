import type { Meter } from '@opentelemetry/api';
import { watchEventLoopLag } from '../watch-event-loop-lag.js';
import { LATENCY_BUCKETS_S } from './buckets.js';

/** Starts recording the event loop's lag; returns the function that stops it. */
export function watchRuntime(meter: Meter): () => void {
  const eventLoopLag = meter.createHistogram('adgate_event_loop_lag_seconds', {
    description:
      'How late a 20 ms timer fires: time the event loop spent busy while requests and callbacks waited',
    advice: { explicitBucketBoundaries: LATENCY_BUCKETS_S },
  });
  return watchEventLoopLag((seconds) => eventLoopLag.record(seconds));
}
