import { SpanKind } from '@opentelemetry/api';
import { Hono } from 'hono';
import type { UnofficialStatusCode } from 'hono/utils/http-status';
import type pg from 'pg';
import { type BillingGuard, createBillingRoutes } from '../billing/billing-routes.js';
import { createWatermarkSource, type IngestLog } from '../billing/compute-watermark.js';
import { keepDaysBefore } from '../billing/query-billing.js';
import { createReconciliationRoutes } from '../billing/reconciliation-routes.js';
import type { Config } from '../config/load-config.js';
import { ClientClosedRequestError } from '../errors/adgate-error.js';
import type { Producer } from '../kafka/types.js';
import type { Lifecycle } from '../lifecycle/lifecycle-state.js';
import { buildOpenApiDocument } from '../openapi/build-openapi-document.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import { inSpan } from '../telemetry/trace-messages.js';
import { createRequestGuard } from './guard-requests.js';
import { createPostEventsHandler } from './post-events.js';
import { mountProbeRoutes } from './probe-routes.js';

export interface AppDeps {
  readonly config: Config;
  /** Absent when this process runs without the ingress role. */
  readonly producer?: Producer;
  readonly pool: pg.Pool;
  readonly lifecycle: Lifecycle;
  readonly metrics: Metrics;
  readonly log: Logger;
  /**
   * The ingest topic's positions for GET /v1/billing/watermark
   * (src/kafka/read-partition-positions.ts); absent, that route answers 501.
   */
  readonly ingestLog?: IngestLog;
  /** GET /metrics: the instance's exposition (all of its processes'); this process's by default. */
  readonly renderMetrics?: () => Promise<string>;
  /** Starts a drain, as SIGTERM does (POST /admin/drain, scope admin). */
  readonly requestDrain: () => void;
}

/** The HTTP surface of SPEC §3. */
export function createApp(deps: AppDeps): Hono {
  const { config, lifecycle, metrics, log } = deps;
  const app = new Hono();
  const guard = createRequestGuard(config, metrics);

  app.use(async (c, next) => {
    const started = performance.now();
    await next();
    const route = c.req.routePath;
    metrics.httpRequests.add(1, { route, status: String(c.res.status) });
    if (route === '/v1/events') {
      metrics.httpAckSeconds.record((performance.now() - started) / 1000);
    }
  });

  if (deps.producer !== undefined) {
    const postEvents = createPostEventsHandler({
      config,
      producer: deps.producer,
      lifecycle,
      metrics,
      log,
      guard,
    });
    // The trace of one event starts here (SERVER), then `publish` (PRODUCER).
    app.post('/v1/events', (c) =>
      inSpan(
        'POST /v1/events',
        async (span) => {
          const response = await postEvents(c);
          span?.setAttribute('http.response.status_code', response.status);
          return response;
        },
        {
          kind: SpanKind.SERVER,
          attributes: { 'http.request.method': 'POST', 'http.route': '/v1/events' },
        },
      ),
    );
  }

  mountBillingRoutes(app, deps, guard);

  app.post('/admin/drain', (c) => {
    const auth = guard.authorize(c, 'admin');
    if (!auth.ok) return auth.response;
    log.info('drain requested over HTTP', { source: auth.key.source });
    deps.requestDrain();
    return c.json({ state: 'draining' }, 202);
  });

  mountProbeRoutes(app, lifecycle, deps.renderMetrics ?? (() => metrics.render()));
  // No key: the contract is public, like /healthz (SPEC §3). Built once.
  const openApi = buildOpenApiDocument();
  app.get('/openapi.json', (c) => c.json(openApi));
  app.notFound((c) => c.json({ error: 'not found' }, 404));
  app.onError((error, c) => {
    if (error instanceof ClientClosedRequestError) {
      // Nobody waits for this answer, and nothing of ours failed: no page.
      log.debug('client closed the connection mid-request', {
        reason: error.reason,
        route: c.req.routePath,
      });
      return c.body(null, CLIENT_CLOSED_REQUEST);
    }
    log.error('unhandled error in HTTP handler', { error });
    return c.json({ error: 'internal error' }, 500);
  });
  return app;
}

/** The billing and reconciliation routes of SPEC §3 (scope billing). */
function mountBillingRoutes(app: Hono, deps: AppDeps, guard: BillingGuard): void {
  const { config, pool, metrics, log } = deps;
  const watermark =
    deps.ingestLog === undefined
      ? undefined
      : createWatermarkSource(pool, deps.ingestLog, {
          group: config.ADGATE_CONSUMER_GROUP,
          topic: config.ADGATE_TOPIC,
          acceptPastMs: config.ADGATE_ACCEPT_PAST_MS,
          skewMs: config.ADGATE_WATERMARK_SKEW_MS,
        });
  const keep = () => keepDaysBefore(config);
  app.route(
    '/v1/billing',
    createBillingRoutes({ pool, guard, metrics, log, watermark, keepDaysBefore: keep }),
  );
  app.route(
    '/v1/reconciliation',
    createReconciliationRoutes({
      pool,
      guard,
      metrics,
      log,
      graceMs: config.ADGATE_RECONCILE_GRACE_MS,
    }),
  );
}

// nginx's "client closed request": counted under its own status in
// adgate_http_requests, apart from the 5xx that mean we failed. Never sent:
// the client is gone.
const CLIENT_CLOSED_REQUEST = 499 as UnofficialStatusCode;
