import { z } from 'zod';
import { normalizeTimestamp } from '../event/normalize-timestamp.js';
import { readBeside } from '../shared/read-beside.js';
import { classifyPgError } from '../store/classify-pg-error.js';
const SQL = {
    hourly: readBeside(import.meta.url, './sql/hourly.sql'),
    daily: readBeside(import.meta.url, './sql/daily.sql'),
};
const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
const MAX_RANGE_MS = 366 * DAY_MS;
// SPEC §3: bounds in the years 1970..9999 (UTC). Outside them PostgreSQL
// refuses the instant (22008, 22009) or JavaScript prints it in a form
// PostgreSQL cannot read ("+010000-..."): a 400 here, never a 5xx there.
const FIRST_MS = Date.UTC(1970, 0, 1);
const END_MS = Date.UTC(10000, 0, 1);
/** What a bound must fall on, per granularity (SPEC §3). */
const BOUNDARY = {
    hourly: {
        ms: HOUR_MS,
        rule: 'must be a whole UTC hour (hourly buckets), e.g. 2026-01-01T13:00:00Z',
    },
    daily: { ms: DAY_MS, rule: 'must be a whole UTC day (daily buckets), e.g. 2026-01-01T00:00:00Z' },
};
const id = z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/, 'must be 1..64 chars of [A-Za-z0-9._:-]');
/** An RFC 3339 bound on a bucket boundary, as epoch milliseconds. */
function bound(granularity) {
    const { ms, rule } = BOUNDARY[granularity];
    return z.string().transform((text, ctx) => {
        const ts = normalizeTimestamp(text);
        if (ts === undefined) {
            ctx.addIssue({ code: 'custom', message: 'must be an RFC 3339 timestamp with an offset' });
            return z.NEVER;
        }
        if (ts.epochMs < FIRST_MS || ts.epochMs >= END_MS) {
            ctx.addIssue({ code: 'custom', message: 'must lie in the years 1970..9999 (UTC)' });
            return z.NEVER;
        }
        // Digits past the millisecond are dropped by normalizeTimestamp: a
        // non-zero one means the instant is not on the boundary either.
        if (ts.epochMs % ms !== 0 || /\.\d{3}\d*[1-9]/.test(text)) {
            ctx.addIssue({ code: 'custom', message: rule });
            return z.NEVER;
        }
        return ts.epochMs;
    });
}
function billingQuerySchema(granularity) {
    return z
        .strictObject({
        from: bound(granularity),
        to: bound(granularity),
        campaign_id: id,
        ad_id: id.optional(),
        publisher_id: id.optional(),
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