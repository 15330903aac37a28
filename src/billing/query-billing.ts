import type pg from 'pg';
import { z } from 'zod';
import { normalizeTimestamp } from '../event/normalize-timestamp.js';
import { readBeside } from '../shared/read-beside.js';
import { classifyPgError } from '../store/classify-pg-error.js';

const SQL = {
  hourly: readBeside(import.meta.url, './sql/hourly.sql'),
  daily: readBeside(import.meta.url, './sql/daily.sql'),
} as const;
export type Granularity = keyof typeof SQL;

const MAX_RANGE_MS = 366 * 24 * 60 * 60 * 1000;
const id = z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/, 'must be 1..64 chars of [A-Za-z0-9._:-]');
const instant = z.string().transform((text, ctx) => {
  const ts = normalizeTimestamp(text);
  if (ts === undefined) {
    ctx.addIssue({ code: 'custom', message: 'must be an RFC 3339 timestamp with an offset' });
    return z.NEVER;
  }
  return ts.epochMs;
});

export const billingQuerySchema = z
  .strictObject({
    from: instant,
    to: instant,
    campaign_id: id,
    ad_id: id.optional(),
    publisher_id: id.optional(),
  })
  .refine((q) => q.to > q.from, { message: '`to` must be after `from`', path: ['to'] })
  .refine((q) => q.to - q.from <= MAX_RANGE_MS, {
    message: 'the range may span at most 366 days; page through longer ones',
    path: ['to'],
  });
export type BillingQuery = z.output<typeof billingQuerySchema>;

export interface BillingRow {
  readonly bucket: string;
  readonly campaign_id: string;
  readonly ad_id: string;
  readonly publisher_id: string;
  readonly currency: string;
  readonly impressions: number;
  readonly clicks: number;
  readonly conversions: number;
  /** Decimal strings: sums of micros can pass 2^53, where JSON numbers lose digits. */
  readonly cost_micros: string;
  readonly revenue_micros: string;
}

interface DbRow {
  hour?: Date;
  day?: Date;
  campaign_id: string;
  ad_id: string;
  publisher_id: string;
  currency: string;
  impressions: string;
  clicks: string;
  conversions: string;
  cost_micros: string;
  revenue_micros: string;
}

/** The billing aggregates of SPEC §5 for one campaign, ordered by bucket. */
export async function queryBilling(
  pool: pg.Pool,
  granularity: Granularity,
  query: BillingQuery,
): Promise<BillingRow[]> {
  try {
    const { rows } = await pool.query<DbRow>(SQL[granularity], [
      query.campaign_id,
      new Date(query.from).toISOString(),
      new Date(query.to).toISOString(),
      query.ad_id ?? null,
      query.publisher_id ?? null,
    ]);
    return rows.map((r) => ({
      bucket: ((r.hour ?? r.day) as Date).toISOString(),
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
  } catch (error) {
    throw classifyPgError(error);
  }
}
