import { Hono } from 'hono';
import { AdgateError } from '../errors/adgate-error.js';
import { billingQuerySchemas, queryBilling } from './query-billing.js';
import { changesQuerySchema, queryChanges } from './query-changes.js';
/**
 * The billing routes of SPEC §3 (scope `billing`), as a sub-app to mount at
 * /v1/billing: GET /hourly and /daily (the sums of SPEC §5) and GET
 * /changes (the hourly rows late events restated, paged by a cursor).
 */
export function createBillingRoutes(deps) {
    const routes = new Hono();
    for (const granularity of ['hourly', 'daily']) {
        routes.get(`/${granularity}`, async (c) => {
            const auth = deps.guard.authorize(c, 'billing');
            if (!auth.ok)
                return auth.response;
            const parsed = billingQuerySchemas[granularity].safeParse(c.req.query());
            if (!parsed.success)
                return answerInvalidQuery(c, parsed.error);
            try {
                return c.json({ rows: await queryBilling(deps.pool, granularity, parsed.data) });
            }
            catch (error) {
                return answerBillingFailure(c, error, deps);
            }
        });
    }
    routes.get('/changes', async (c) => {
        const auth = deps.guard.authorize(c, 'billing');
        if (!auth.ok)
            return auth.response;
        const parsed = changesQuerySchema.safeParse(c.req.query());
        if (!parsed.success)
            return answerInvalidQuery(c, parsed.error);
        try {
            const page = await queryChanges(deps.pool, parsed.data);
            return c.json({ rows: page.rows, next_cursor: page.nextCursor, more: page.more });
        }
        catch (error) {
            return answerBillingFailure(c, error, deps);
        }
    });
    return routes;
}
/** 400 naming each parameter and the rule it breaks (SPEC §3). */
function answerInvalidQuery(c, error) {
    return c.json({
        error: 'invalid query',
        issues: error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    }, 400);
}
/**
 * SPEC §3: a 503 with Retry-After only when PostgreSQL may answer if asked
 * again; any other failure fails the same way on a retry, so it is a 500
 * that someone must look at.
 */
function answerBillingFailure(c, error, deps) {
    const reason = error instanceof AdgateError ? error.reason : undefined;
    if (error instanceof AdgateError && error.retriable) {
        deps.metrics.errors.add(1, { reason: error.reason });
        deps.log.warn('billing query failed; answering 503', { reason, error });
        c.header('Retry-After', '1');
        return c.json({ error: 'PostgreSQL unavailable; retry', reason }, 503);
    }
    if (reason !== undefined)
        deps.metrics.errors.add(1, { reason });
    deps.log.error('billing query failed', { reason, error });
    return c.json({ error: 'internal error', reason }, 500);
}
//# sourceMappingURL=billing-routes.js.map