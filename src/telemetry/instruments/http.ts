import type { Meter } from '@opentelemetry/api';
import { LATENCY_BUCKETS_S } from './buckets.js';

/** The HTTP ingress's instruments (SPEC §3). */
export function createHttpInstruments(meter: Meter) {
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
  };
}
