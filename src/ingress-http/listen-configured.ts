import type { Config } from '../config/load-config.js';
import type { Metrics } from '../telemetry/metrics.js';
import { type StartedHttpServer, startHttpServer } from './start-http-server.js';

/** Where a listener binds and how many connections it holds; the ingress's by default. */
export interface ListenAt {
  readonly port: number;
  readonly maxConnections: number;
}

/**
 * Binds a listener on ADGATE_HTTP_HOST with the timeouts of SPEC §3 (the
 * ingress's, and the metrics port's), its client faults and dropped
 * connections counted; rejects when the port cannot be taken.
 */
export function listenConfigured(
  fetch: (request: Request) => Response | Promise<Response>,
  config: Config,
  metrics: Metrics,
  at: ListenAt = {
    port: config.ADGATE_HTTP_PORT,
    maxConnections: config.ADGATE_HTTP_MAX_CONNECTIONS,
  },
): Promise<StartedHttpServer> {
  return startHttpServer(
    fetch,
    {
      host: config.ADGATE_HTTP_HOST,
      port: at.port,
      headersTimeoutMs: config.ADGATE_HTTP_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: config.ADGATE_HTTP_REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: config.ADGATE_HTTP_KEEP_ALIVE_TIMEOUT_MS,
      maxConnections: at.maxConnections,
    },
    {
      onClientFault: (fault) => metrics.httpClientFaults.add(1, { fault }),
      onConnectionDropped: () => metrics.httpConnectionsDropped.add(1),
    },
  );
}
