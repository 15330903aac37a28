import type { Hono } from 'hono';
import type { Lifecycle } from '../lifecycle/lifecycle-state.js';

/**
 * GET /healthz, /readyz and /metrics, on the ingress listener and on the
 * metrics port alike (start-metrics-port.ts), so that the two answer the
 * same. Liveness: alive in every state but `failed`, where the instance can
 * no longer do its work and must be restarted (SPEC §7); while it drains
 * after a failure it still answers, with 503. Readiness: 200 in `ready` only.
 */
export function mountProbeRoutes(
  app: Hono,
  lifecycle: Lifecycle,
  renderMetrics: () => Promise<string>,
): void {
  app.get('/healthz', (c) =>
    lifecycle.failed
      ? c.json({ status: 'failed', state: lifecycle.state }, 503)
      : c.json({ status: 'alive', state: lifecycle.state }),
  );
  app.get('/readyz', (c) =>
    c.json({ state: lifecycle.state }, lifecycle.state === 'ready' ? 200 : 503),
  );
  app.get('/metrics', async (c) => {
    c.header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8');
    return c.body(await renderMetrics());
  });
}
