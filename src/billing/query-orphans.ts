import type pg from 'pg';
import type { z } from 'zod';
import { readBeside } from '../shared/read-beside.js';
import { classifyPgError } from '../store/classify-pg-error.js';
import type { orphansReportSchema } from './billing-responses.js';
import { billingQuerySchemas } from './query-billing.js';

const ORPHANS_SQL = readBeside(import.meta.url, './sql/orphans.sql');

/**
 * The query of GET /v1/reconciliation/orphans (SPEC §3): `from`, `to`
 * (whole UTC hours, at most 366 days), `campaign_id`, the hourly bounds'
 * rules exactly. `ad_id` and `publisher_id` are hourly's own filters,
 * refused here rather than ignored.
 */
export const orphansQuerySchema = billingQuerySchemas.hourly.superRefine((q, ctx) => {
  for (const name of ['ad_id', 'publisher_id'] as const) {
    if (q[name] !== undefined) {
      ctx.addIssue({ code: 'custom', path: [name], message: 'not a filter of the orphans report' });
    }
  }
});
export type OrphansQuery = { from: number; to: number; campaign_id: string };

/** Per hour of one campaign, its clicks and conversions whose impression has not arrived. */
export type OrphansReport = z.output<typeof orphansReportSchema>;

interface DbRow {
  hour: Date;
  campaign_id: string;
  clicks: string;
  conversions: string;
  impressions_missing: string;
}

/** The orphans of one campaign per hour, computed when asked (no write-path cost beyond an index). */
export async function queryOrphans(
  pool: pg.Pool,
  query: OrphansQuery,
  graceMs: number,
  nowMs: number,
): Promise<OrphansReport> {
  const receivedBefore = new Date(nowMs - graceMs).toISOString();
  try {
    const { rows } = await pool.query<DbRow>(ORPHANS_SQL, [
      query.campaign_id,
      new Date(query.from).toISOString(),
      new Date(query.to).toISOString(),
      receivedBefore,
    ]);
    return {
      rows: rows.map((r) => ({
        hour: r.hour.toISOString(),
        campaign_id: r.campaign_id,
        clicks: Number(r.clicks),
        conversions: Number(r.conversions),
        impressions_missing: Number(r.impressions_missing),
      })),
      received_before: receivedBefore,
      grace_ms: graceMs,
    };
  } catch (error) {
    throw classifyPgError(error);
  }
}
