import { Hono } from 'hono';
import { createBillingRoutes } from '../billing/billing-routes.js';
import { ClientClosedRequestError } from '../errors/adgate-error.js';
import { createRequestGuard } from './guard-requests.js';
import { createPostEventsHandler } from './post-events.js';
/** The HTTP surface of SPEC §3. */
export function createApp(deps) {
    const { config, pool, lifecycle, metrics, log } = deps;
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
        app.post('/v1/events', createPostEventsHandler({ config, producer: deps.producer, lifecycle, metrics, log, guard }));
    }
    app.route('/v1/billing', createBillingRoutes({ pool, guard, metrics, log }));
    app.post('/admin/drain', (c) => {
        const auth = guard.authorize(c, 'admin');
        if (!auth.ok)
            return auth.response;
        log.info('drain requested over HTTP', { source: auth.key.source });
        deps.requestDrain();
        return c.json({ state: 'draining' }, 202);
    });
    // Liveness: alive in every state but `failed`, where the instance can no
    // longer do its work and must be restarted (SPEC §7); while it drains
    // after a failure it still answers, with 503.
    app.get('/healthz', (c) => lifecycle.failed
        ? c.json({ status: 'failed', state: lifecycle.state }, 503)
        : c.json({ status: 'alive', state: lifecycle.state }));
    app.get('/readyz', (c) => c.json({ state: lifecycle.state }, lifecycle.state === 'ready' ? 200 : 503));
    app.get('/metrics', async (c) => {
        c.header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8');
        return c.body(await metrics.render());
    });
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
// nginx's "client closed request": counted under its own status in
// adgate_http_requests, apart from the 5xx that mean we failed. Never sent:
// the client is gone.
const CLIENT_CLOSED_REQUEST = 499;
//# sourceMappingURL=create-app.js.map