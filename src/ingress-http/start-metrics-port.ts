import type { Config } from '../config/load-config.js';
import type { Lifecycle } from '../lifecycle/lifecycle-state.js';
import type { Metrics } from '../telemetry/metrics.js';

/** Prometheus, the kubelet's probes and a person with curl: a handful of connections. */
const MAX_CONNECTIONS = 64;

export interface MetricsPortDeps {
  /** The instance's lifecycle: the supervisor's, or the single process's. */
  readonly lifecycle: Lifecycle;
  /** Counts this listener's client faults and dropped connections. */
  readonly metrics: Metrics;
  /** The instance's whole exposition. */
  readonly renderMetrics: () => Promise<string>;
}

/**
 * ADGATE_METRICS_PORT: GET /metrics, /healthz and /readyz on a listener of
 * their own, which stays open until the process exits. The ingress
 * listener is the first thing a drain closes (SPEC §7), so without this
 * port no scrape sees an instance drain, fail or overrun its deadline
 * (adgate_drain_elapsed_seconds, adgate_failures_total), and a liveness
 * probe on the ingress port fails through every drain. The server does not
 * hold the process: the exit closes it. Nothing when the variable is unset.
 */
export async function startMetricsPort(
  config: Config,
  deps: MetricsPortDeps,
): Promise<number | undefined> {
  if (config.ADGATE_METRICS_PORT === undefined) return undefined;
  // Loaded only when the port is set: the supervisor, which serves it for
  // its workers, otherwise never needs hono or the listener.
  const [{ Hono }, { mountProbeRoutes }, { listenConfigured }] = await Promise.all([
    import('hono'),
    import('./probe-routes.js'),
    import('./listen-configured.js'),
  ]);
  const app = new Hono();
  mountProbeRoutes(app, deps.lifecycle, deps.renderMetrics);
  app.notFound((c) =>
    c.json({ error: 'not found: this port serves /metrics and the probes' }, 404),
  );
  const { server, port } = await listenConfigured(app.fetch, config, deps.metrics, {
    port: config.ADGATE_METRICS_PORT,
    maxConnections: MAX_CONNECTIONS,
  });
  server.unref();
  return port;
}
