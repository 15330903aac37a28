import { Hono } from 'hono';
import type pg from 'pg';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import { answerBillingFailure, answerInvalidQuery, type BillingGuard } from './billing-routes.js';
import { orphansQuerySchema, queryOrphans } from './query-orphans.js';

export interface ReconciliationRouteDeps {
  readonly pool: pg.Pool;
  readonly guard: BillingGuard;
  readonly metrics: Pick<Metrics, 'errors'>;
  readonly log: Logger;
  /** ADGATE_RECONCILE_GRACE_MS: how long an impression may arrive after its click. */
  readonly graceMs: number;
  readonly now?: () => number;
}

/**
 * GET /orphans, to mount at /v1/reconciliation (SPEC §3, scope billing):
 * the clicks and conversions whose impression has not arrived within the
 * grace period, per hour of one campaign.
 */
export function createReconciliationRoutes(deps: ReconciliationRouteDeps): Hono {
  const routes = new Hono();
  const now = deps.now ?? Date.now;
  routes.get('/orphans', async (c) => {
    const auth = deps.guard.authorize(c, 'billing');
    if (!auth.ok) return auth.response;
    const parsed = orphansQuerySchema.safeParse(c.req.query());
    if (!parsed.success) return answerInvalidQuery(c, parsed.error);
    try {
      return c.json(await queryOrphans(deps.pool, parsed.data, deps.graceMs, now()));
    } catch (error) {
      return answerBillingFailure(c, error, deps);
    }
  });
  return routes;
}
