import { z } from 'zod';
import { readBeside } from '../shared/read-beside.js';
import { classifyPgError } from '../store/classify-pg-error.js';
import { boundaryParam, idParam } from './query-params.js';
const SQL = {
    hourly: readBeside(import.meta.url, './sql/hourly.sql'),
    daily: readBeside(import.meta.url, './sql/daily.sql'),
};
const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
const MAX_RANGE_MS = 366 * DAY_MS;
/** An RFC 3339 bound on the bucket boundary of each granularity (SPEC §3). */
const BOUND = {
    hourly: boundaryParam(HOUR_MS, 'must be a whole UTC hour (hourly buckets), e.g. 2026-01-01T13:00:00Z'),
    daily: boundaryParam(DAY_MS, 'must be a whole UTC day (daily buckets), e.g. 2026-01-01T00:00:00Z'),
};
function billingQuerySchema(granularity) {
    return z
        .strictObject({
        from: BOUND[granularity],
        to: BOUND[granularity],
        campaign_id: idParam,
        ad_id: idParam.optional(),
        publisher_id: idParam.optional(),
    })
        .refine((q) => q.to > q.from, { message: '`to` must be after `from`', path: ['to'] })
        .refine((q) => q.to - q.from <= MAX_RANGE_MS, {
        message: 'the range may span at most 366 days; page through longer ones',
        path: ['to'],
    });
}
/**
 * The query of GET /v1/billing/{hourly,daily} (SPEC §3). A bound off the
 * bucket boundary is refused rather than rounded: a daily query from 10:00
 * would otherwise silently answer for other days than the caller meant.
 */
export const billingQuerySchemas = {
    hourly: billingQuerySchema('hourly'),
    daily: billingQuerySchema('daily'),
};
/** The billing aggregates of SPEC §5 for one campaign, ordered by bucket. */
export async function queryBilling(pool, granularity, query) {
    try {
        const { rows } = await pool.query(SQL[granularity], [
            query.campaign_id,
            new Date(query.from).toISOString(),
            new Date(query.to).toISOString(),
            query.ad_id ?? null,
            query.publisher_id ?? null,
        ]);
        return rows.map((r) => ({
            bucket: (r.hour ?? r.day).toISOString(),
            campaign_id: r.campaign_id,
            ad_id: r.ad_id,
            publisher_id: r.publisher_id,
            currency: r.currency,
            impressions: Number(r.impressions),
            clicks: Number(r.clicks),
            conversions: Number(r.conversions),
            cost_micros: r.cost_micros,
            revenue_micros: r.revenue_micros,
        }));
    }
    catch (error) {
        throw classifyPgError(error);
    }
}
//# sourceMappingURL=query-billing.js.map