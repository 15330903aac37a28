import type pg from 'pg';
import { z } from 'zod';
import type { Config } from '../config/load-config.js';
import { readBeside } from '../shared/read-beside.js';
import { BEGIN_WITHOUT_JIT } from '../store/begin-without-jit.js';
import { classifyPgError } from '../store/classify-pg-error.js';
import { boundaryParam, idParam } from './query-params.js';

const SQL = {
  hourly: readBeside(import.meta.url, './sql/hourly.sql'),
  daily: readBeside(import.meta.url, './sql/daily.sql'),
} as const;
export type Granularity = keyof typeof SQL;

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
const MAX_RANGE_MS = 366 * DAY_MS;

/** An RFC 3339 bound on the bucket boundary of each granularity (SPEC §3). */
const BOUND: Record<Granularity, ReturnType<typeof boundaryParam>> = {
  hourly: boundaryParam(
    HOUR_MS,
    'must be a whole UTC hour (hourly buckets), e.g. 2026-01-01T13:00:00Z',
  ),
  daily: boundaryParam(
    DAY_MS,
    'must be a whole UTC day (daily buckets), e.g. 2026-01-01T00:00:00Z',
  ),
};

function billingQuerySchema(granularity: Granularity) {
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
} as const;
export type BillingQuery = z.output<(typeof billingQuerySchemas)[Granularity]>;

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

/** A billing_hourly-shaped row as node-postgres returns it (int8 and numeric as text). */
export interface BillingDbRow {
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

/** The answer's shape of one row, its bucket the hour or day it sums (the one mapping). */
export function toBillingRow(r: BillingDbRow, bucket: Date): BillingRow {
  return {
    bucket: bucket.toISOString(),
    campaign_id: r.campaign_id,
    ad_id: r.ad_id,
    publisher_id: r.publisher_id,
    currency: r.currency,
    impressions: Number(r.impressions),
    clicks: Number(r.clicks),
    conversions: Number(r.conversions),
    cost_micros: r.cost_micros,
    revenue_micros: r.revenue_micros,
  };
}

/**
 * Before this instant, a whole day's hourly text is kept (sql/hourly.sql):
 * the acceptance window (ADGATE_ACCEPT_PAST_MS, with the watermark's clock
 * skew) has closed on it, so no new event can change it; a replay still
 * can, and the kept text notices that.
 */
export function keepDaysBefore(
  config: Pick<Config, 'ADGATE_ACCEPT_PAST_MS' | 'ADGATE_WATERMARK_SKEW_MS'>,
  now = Date.now(),
): Date {
  return new Date(now - config.ADGATE_ACCEPT_PAST_MS - config.ADGATE_WATERMARK_SKEW_MS);
}

/**
 * One row of a billing body as format() writes it, in hourly.sql and
 * daily.sql alike: billingRowsSchema's keys in its order, the bucket, then
 * campaign_id as JSON, ad, publisher, currency, the three counts, the two
 * sums (sql/hourly.sql says why this equals JSON.stringify of the row).
 */
const BILLING_ROW_FORMAT =
  '{"bucket":"%s","campaign_id":%s,"ad_id":"%s","publisher_id":"%s","currency":"%s",' +
  '"impressions":%s,"clicks":%s,"conversions":%s,"cost_micros":"%s","revenue_micros":"%s"}';

/**
 * The body of GET /v1/billing/{hourly,daily} for one campaign: the JSON
 * text of `{ rows: BillingRow[] }` (billingRowsSchema), ordered by bucket,
 * built by PostgreSQL (sql/hourly.sql says why) and sent as it is. Hourly
 * bodies keep the text of whole days that ended before `keepDaysBefore`
 * (billing_day_bodies): days no event can change any more, so that the
 * next call need not format them again; none kept when it is absent.
 */
export async function queryBillingBody(
  pool: pg.Pool,
  granularity: Granularity,
  query: BillingQuery,
  keepDaysBefore?: Date,
): Promise<string> {
  const params: unknown[] = [
    query.campaign_id,
    new Date(query.from).toISOString(),
    new Date(query.to).toISOString(),
    query.ad_id ?? null,
    query.publisher_id ?? null,
    // Every row's campaign_id is $1: its JSON is made once, here.
    JSON.stringify(query.campaign_id),
    BILLING_ROW_FORMAT,
  ];
  if (granularity === 'hourly') params.push(keepDaysBefore?.toISOString() ?? null);
  let client: pg.PoolClient | undefined;
  let broken = false;
  try {
    client = await pool.connect();
    // A transaction without JIT: the hourly statement's series of days has
    // no row estimate, and its compilation cost more than its run.
    await client.query(BEGIN_WITHOUT_JIT);
    const { rows } = await client.query<{ body: string }>(SQL[granularity], params);
    await client.query('COMMIT');
    return (rows[0] as { body: string }).body;
  } catch (error) {
    await client?.query('ROLLBACK').catch(() => {
      broken = true;
    });
    throw classifyPgError(error);
  } finally {
    // A connection that could not roll back is discarded, not pooled.
    client?.release(broken);
  }
}

/** The same rows as objects, for callers in this process (the route sends the text). */
export async function queryBilling(
  pool: pg.Pool,
  granularity: Granularity,
  query: BillingQuery,
): Promise<BillingRow[]> {
  const body = JSON.parse(await queryBillingBody(pool, granularity, query)) as {
    rows: BillingRow[];
  };
  return body.rows;
}
