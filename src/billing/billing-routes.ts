import { type Context, Hono } from 'hono';
import type pg from 'pg';
import { z } from 'zod';
import { AdgateError } from '../errors/adgate-error.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { changesPageSchema, watermarkSchema } from './billing-responses.js';
import type { Watermark } from './compute-watermark.js';
import { billingQuerySchemas, type Granularity, queryBillingBody } from './query-billing.js';
import { changesQuerySchema, queryChanges } from './query-changes.js';

/**
 * What the billing routes need of the HTTP side's request guard: a 401,
 * 403 or 429 answer for a request without a key holding the scope. An
 * interface of our own, so that billing/ never imports ingress-http/.
 */
export interface BillingGuard {
  authorize(
    c: Context,
    scope: 'billing',
  ): { readonly ok: true } | { readonly ok: false; readonly response: Response };
}

export interface BillingRouteDeps {
  readonly pool: pg.Pool;
  readonly guard: BillingGuard;
  readonly metrics: Pick<Metrics, 'errors'>;
  readonly log: Logger;
  /** The settled watermark; absent in a process not wired to Kafka (the route answers 501). */
  readonly watermark?: { read(): Promise<Watermark> };
  /** Hourly answers keep the text of whole days before this (query-billing.ts); none without it. */
  readonly keepDaysBefore?: () => Date;
}

/**
 * The billing routes of SPEC §3 (scope `billing`), as a sub-app to mount at
 * /v1/billing: GET /hourly and /daily (the sums of SPEC §5) and GET
 * /changes (the hourly rows late events restated, paged by a cursor).
 */
export function createBillingRoutes(deps: BillingRouteDeps): Hono {
  const routes = new Hono();
  for (const granularity of ['hourly', 'daily'] as const satisfies readonly Granularity[]) {
    routes.get(`/${granularity}`, async (c) => {
      const auth = deps.guard.authorize(c, 'billing');
      if (!auth.ok) return auth.response;
      const parsed = billingQuerySchemas[granularity].safeParse(c.req.query());
      if (!parsed.success) return answerInvalidQuery(c, parsed.error);
      try {
        // Already the JSON of billingRowsSchema (sql/hourly.sql): parsing it
        // to objects and printing them again would cost more than the query.
        const keep = deps.keepDaysBefore?.();
        const body = await queryBillingBody(deps.pool, granularity, parsed.data, keep);
        return c.body(body, 200, { 'content-type': 'application/json' });
      } catch (error) {
        return answerBillingFailure(c, error, deps);
      }
    });
  }
  routes.get('/changes', async (c) => {
    const auth = deps.guard.authorize(c, 'billing');
    if (!auth.ok) return auth.response;
    const parsed = changesQuerySchema.safeParse(c.req.query());
    if (!parsed.success) return answerInvalidQuery(c, parsed.error);
    try {
      const page = await queryChanges(deps.pool, parsed.data);
      const body: z.output<typeof changesPageSchema> = {
        rows: page.rows,
        next_cursor: page.nextCursor,
        more: page.more,
      };
      return c.json(body);
    } catch (error) {
      return answerBillingFailure(c, error, deps);
    }
  });
  routes.get('/watermark', async (c) => {
    const auth = deps.guard.authorize(c, 'billing');
    if (!auth.ok) return auth.response;
    const parsed = watermarkQuerySchema.safeParse(c.req.query());
    if (!parsed.success) return answerInvalidQuery(c, parsed.error);
    if (deps.watermark === undefined) {
      return c.json({ error: 'this process has no Kafka reader for the watermark' }, 501);
    }
    try {
      return c.json(toWatermarkBody(await deps.watermark.read()));
    } catch (error) {
      return answerBillingFailure(c, error, deps);
    }
  });
  return routes;
}

/** GET /v1/billing/watermark takes no parameters; an unknown one is a 400, not ignored. */
export const watermarkQuerySchema = z.strictObject({});

function toWatermarkBody(w: Watermark): z.output<typeof watermarkSchema> {
  return {
    watermark: new Date(w.watermarkMs).toISOString(),
    as_of: new Date(w.asOfMs).toISOString(),
    lagging_partitions: w.lagging.map((p) => ({
      partition: p.partition,
      next_offset: String(p.nextOffset),
      end_offset: String(p.endOffset),
      settled_before: new Date(p.settledBeforeMs).toISOString(),
    })),
  };
}

/** 400 naming each parameter and the rule it breaks (SPEC §3). */
export function answerInvalidQuery(c: Context, error: z.ZodError): Response {
  return c.json(
    {
      error: 'invalid query',
      issues: error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    },
    400,
  );
}

/**
 * SPEC §3: a 503 with Retry-After only when PostgreSQL may answer if asked
 * again; any other failure fails the same way on a retry, so it is a 500
 * that someone must look at.
 */
export function answerBillingFailure(
  c: Context,
  error: unknown,
  deps: Pick<BillingRouteDeps, 'metrics' | 'log'>,
): Response {
  const reason = error instanceof AdgateError ? error.reason : undefined;
  if (error instanceof AdgateError && error.retriable) {
    deps.metrics.errors.add(1, { reason: error.reason });
    deps.log.warn('billing query failed; answering 503', { reason, error });
    c.header('Retry-After', '1');
    return c.json({ error: 'PostgreSQL unavailable; retry', reason }, 503);
  }
  if (reason !== undefined) deps.metrics.errors.add(1, { reason });
  deps.log.error('billing query failed', { reason, error });
  return c.json({ error: 'internal error', reason }, 500);
}
