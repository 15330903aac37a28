import { hash } from 'node:crypto';
import { type BillingSums, billingKey, type StreamEvent } from './stream-events.js';

/** A prime below 2^29: weight (< 2^24) × value (< 2^29) stays exact in a double. */
export const FINGERPRINT_MODULUS = 536_870_909;

/** The five sums of a billing row, as residues modulo FINGERPRINT_MODULUS. */
export interface BillingFingerprint {
  impressions: number;
  clicks: number;
  conversions: number;
  cost_micros: number;
  revenue_micros: number;
}

/**
 * What a correct gateway must hold after a run of any length, in bounded
 * memory: distinct events per type, exact billing sums per (hour,
 * campaign, currency), and a fingerprint of every billing_hourly row.
 *
 * The fingerprint is Σ weight(row key) × value, modulo a prime, for each
 * of the five sums, where the weight comes from the MD5 of the row key.
 * It is linear, so it can be summed event by event here and row by row in
 * PostgreSQL (fingerprintSql): a row with a wrong sum, a missing row or an
 * extra row changes it except with a chance of about 1 in 5×10^8.
 */
export class ExpectedTotals {
  distinct = 0;
  readonly byType: Record<StreamEvent['type'], number> = { impression: 0, click: 0, conversion: 0 };
  /** Malformed messages generated (they end in the DLQ or are rejected, never in PostgreSQL). */
  malformed = 0;
  /** Keyed by `hourIso|campaign|currency`. */
  readonly byCampaignHour = new Map<string, BillingSums>();
  readonly fingerprint: BillingFingerprint = {
    impressions: 0,
    clicks: 0,
    conversions: 0,
    cost_micros: 0,
    revenue_micros: 0,
  };
  private readonly hours = new Map<number, string>();

  /** Adds the distinct events and malformed messages of one chunk that was sent in full. */
  addChunk(chunk: { readonly distinct: readonly StreamEvent[]; readonly malformed: number }): void {
    for (const event of chunk.distinct) this.addEvent(event);
    this.malformed += chunk.malformed;
  }

  /**
   * Adds totals counted apart (a chunk prepared ahead of its sending): the
   * same as having added their chunks here, since every figure is a sum.
   */
  merge(other: ExpectedTotals): void {
    this.distinct += other.distinct;
    for (const type of Object.keys(this.byType) as StreamEvent['type'][]) {
      this.byType[type] += other.byType[type];
    }
    this.malformed += other.malformed;
    for (const [key, theirs] of other.byCampaignHour) {
      const ours = this.byCampaignHour.get(key);
      if (ours === undefined) {
        this.byCampaignHour.set(key, { ...theirs });
        continue;
      }
      ours.impressions += theirs.impressions;
      ours.clicks += theirs.clicks;
      ours.conversions += theirs.conversions;
      ours.cost_micros += theirs.cost_micros;
      ours.revenue_micros += theirs.revenue_micros;
    }
    const f = this.fingerprint;
    for (const sum of Object.keys(f) as (keyof BillingFingerprint)[]) {
      f[sum] = (f[sum] + other.fingerprint[sum]) % FINGERPRINT_MODULUS;
    }
  }

  addEvent(e: StreamEvent): void {
    this.distinct += 1;
    this.byType[e.type] += 1;
    const hour = this.hourOf(Date.parse(e.occurred_at));
    const currency = e.currency ?? 'USD';
    const cost = e.cost_micros ?? 0;
    const revenue = e.revenue_micros ?? 0;
    const campaignKey = `${hour}|${e.campaign_id}|${currency}`;
    let sums = this.byCampaignHour.get(campaignKey);
    if (sums === undefined) {
      sums = { impressions: 0, clicks: 0, conversions: 0, cost_micros: 0n, revenue_micros: 0n };
      this.byCampaignHour.set(campaignKey, sums);
    }
    if (e.type === 'impression') sums.impressions += 1;
    else if (e.type === 'click') sums.clicks += 1;
    else sums.conversions += 1;
    sums.cost_micros += BigInt(cost);
    sums.revenue_micros += BigInt(revenue);

    const w = rowWeight(billingKey(hour, e.campaign_id, e.ad_id, e.publisher_id, currency));
    const f = this.fingerprint;
    if (e.type === 'impression') f.impressions = (f.impressions + w) % FINGERPRINT_MODULUS;
    else if (e.type === 'click') f.clicks = (f.clicks + w) % FINGERPRINT_MODULUS;
    else f.conversions = (f.conversions + w) % FINGERPRINT_MODULUS;
    f.cost_micros = (f.cost_micros + w * (cost % FINGERPRINT_MODULUS)) % FINGERPRINT_MODULUS;
    f.revenue_micros =
      (f.revenue_micros + w * (revenue % FINGERPRINT_MODULUS)) % FINGERPRINT_MODULUS;
  }

  private hourOf(ms: number): string {
    const hour = Math.floor(ms / 3_600_000);
    let iso = this.hours.get(hour);
    if (iso === undefined) {
      iso = new Date(hour * 3_600_000).toISOString();
      this.hours.set(hour, iso);
    }
    return iso;
  }
}

/** The weight of a billing row: the first 24 bits of the MD5 of its key (see fingerprintSql). */
export function rowWeight(key: string): number {
  // One-shot: half the cost of a Hash object, on the load generator's hot path.
  return hash('md5', key, 'buffer').readUIntBE(0, 3);
}

/**
 * The same fingerprint computed by PostgreSQL over billing_hourly. The row
 * key is billingKey(): `hourIso|campaign|ad|publisher|currency`, the hour
 * written as JavaScript's toISOString() prints it.
 */
export const FINGERPRINT_SQL = `
  WITH weighted AS (
    SELECT ('x' || substr(md5(
             to_char(hour AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || '|' ||
             campaign_id || '|' || ad_id || '|' || publisher_id || '|' || currency), 1, 6)
           )::bit(24)::integer::numeric AS w,
           impressions, clicks, conversions, cost_micros, revenue_micros
    FROM billing_hourly)
  SELECT (coalesce(sum(w * impressions), 0) % ${FINGERPRINT_MODULUS})::text AS impressions,
         (coalesce(sum(w * clicks), 0) % ${FINGERPRINT_MODULUS})::text AS clicks,
         (coalesce(sum(w * conversions), 0) % ${FINGERPRINT_MODULUS})::text AS conversions,
         (coalesce(sum(w * (cost_micros % ${FINGERPRINT_MODULUS})), 0) % ${FINGERPRINT_MODULUS})::text AS cost_micros,
         (coalesce(sum(w * (revenue_micros % ${FINGERPRINT_MODULUS})), 0) % ${FINGERPRINT_MODULUS})::text AS revenue_micros
  FROM weighted`;
