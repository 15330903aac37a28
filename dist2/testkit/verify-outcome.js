import { FINGERPRINT_SQL, } from './stream/expected-totals.js';
import { billingKey } from './stream/stream-events.js';
const fmtInt = (n) => n.toLocaleString('en-US');
/** The verdict as a report's first check (the benchmark and the rolling restart alike). */
export function postgresCheck(expectedDistinct, verdict) {
    return {
        name: 'PostgreSQL matches the generator (types, keys once, billing sums, fingerprint, invariant)',
        expected: `${fmtInt(expectedDistinct)} distinct events, no difference`,
        actual: `${fmtInt(verdict.actual.distinct)} events, ${verdict.differences.length} differences`,
        ok: verdict.pass,
    };
}
/** Events per type against the expected counts, and every key stored once. */
async function checkEventCounts(pool, expected, differences) {
    const byType = await countByType(pool);
    for (const type of ['impression', 'click', 'conversion']) {
        if (byType[type] !== expected[type]) {
            differences.push(`${type}: expected ${expected[type]}, found ${byType[type]}`);
        }
    }
    differences.push(...(await checkKeysOnce(pool)));
    return { byType, distinct: Object.values(byType).reduce((a, b) => a + b, 0) };
}
/**
 * Compares PostgreSQL with what the generator knows a correct gateway must
 * hold: the distinct events per type, every billing_hourly row, and the
 * SPEC §5 invariant that billing_hourly equals the sums of ad_events.
 */
export async function verifyOutcome(pool, expected) {
    const differences = [];
    const { byType, distinct } = await checkEventCounts(pool, expected.byType, differences);
    const billing = await pool.query('SELECT * FROM billing_hourly');
    const rows = billing.rows.map((r) => ({
        key: billingKey(r.hour.toISOString(), r.campaign_id, r.ad_id, r.publisher_id, r.currency),
        sums: r,
    }));
    differences.push(...compareSums(rows, expected.billing, 'billing row'));
    differences.push(...(await checkBillingInvariant(pool)));
    return {
        pass: differences.length === 0,
        differences,
        actual: { distinct, byType, billingRows: billing.rows.length },
    };
}
const sumsText = (s) => `${s.impressions}/${s.clicks}/${s.conversions}/${s.cost_micros}/${s.revenue_micros}`;
/** Sums found in PostgreSQL against those expected under the same keys: every difference. */
function compareSums(found, expected, what) {
    const differences = [];
    const seen = new Set();
    for (const { key, sums } of found) {
        seen.add(key);
        const want = expected.get(key);
        const got = sumsText(sums);
        if (want === undefined)
            differences.push(`unexpected ${what} ${key}: ${got}`);
        else if (got !== sumsText(want)) {
            differences.push(`billing ${key}: expected ${sumsText(want)}, found ${got}`);
        }
    }
    for (const key of expected.keys()) {
        if (!seen.has(key))
            differences.push(`missing ${what} ${key}`);
    }
    return differences;
}
/** Distinct events per type in ad_events. */
async function countByType(pool) {
    const rows = await pool.query('SELECT type, count(*) AS n FROM ad_events GROUP BY type');
    const byType = { impression: 0, click: 0, conversion: 0 };
    for (const r of rows.rows)
        byType[r.type] = Number(r.n);
    return byType;
}
/** No idempotency key is stored twice (two copies of one impression on different days, say). */
async function checkKeysOnce(pool) {
    const dupKeys = await pool.query('SELECT count(*) AS n FROM (SELECT idempotency_key FROM ad_events GROUP BY 1 HAVING count(*) > 1) d');
    const n = Number(dupKeys.rows[0]?.n);
    return n > 0 ? [`${n} keys stored more than once`] : [];
}
/** SPEC §5 invariant, independent of the generator: billing_hourly equals the sums of ad_events. */
async function checkBillingInvariant(pool) {
    const invariant = await pool.query(`
    WITH computed AS (
      SELECT date_trunc('hour', occurred_at, 'UTC') AS hour, campaign_id, ad_id, publisher_id, currency,
             count(*) FILTER (WHERE type = 'impression') AS impressions,
             count(*) FILTER (WHERE type = 'click') AS clicks,
             count(*) FILTER (WHERE type = 'conversion') AS conversions,
             sum(cost_micros)::numeric AS cost_micros, sum(revenue_micros)::numeric AS revenue_micros
      FROM ad_events GROUP BY 1, 2, 3, 4, 5)
    SELECT count(*) AS n FROM computed c
    FULL JOIN billing_hourly b USING (hour, campaign_id, ad_id, publisher_id, currency)
    WHERE c.impressions IS DISTINCT FROM b.impressions OR c.clicks IS DISTINCT FROM b.clicks
       OR c.conversions IS DISTINCT FROM b.conversions OR c.cost_micros IS DISTINCT FROM b.cost_micros
       OR c.revenue_micros IS DISTINCT FROM b.revenue_micros`);
    const n = Number(invariant.rows[0]?.n);
    return n > 0 ? [`${n} billing_hourly rows differ from the sums of ad_events`] : [];
}
/** At most this many per-bucket differences are listed; the rest are counted. */
const MAX_LISTED = 20;
/**
 * The same verdict as verifyOutcome for a run too large to hold every
 * billing row in memory (the benchmark): distinct events per type, keys
 * stored once, exact sums per (hour, campaign, currency), a fingerprint of
 * every billing_hourly row (see expected-totals.ts), and the SPEC §5
 * invariant.
 */
export async function verifyTotals(pool, expected) {
    const differences = [];
    const { byType, distinct } = await checkEventCounts(pool, expected.byType, differences);
    const buckets = await pool.query(`SELECT hour, campaign_id, currency, sum(impressions)::text AS impressions,
             sum(clicks)::text AS clicks, sum(conversions)::text AS conversions,
             sum(cost_micros)::text AS cost_micros, sum(revenue_micros)::text AS revenue_micros,
             count(*)::text AS rows
      FROM billing_hourly GROUP BY 1, 2, 3`);
    const billingRows = buckets.rows.reduce((n, r) => n + Number(r.rows), 0);
    const found = buckets.rows.map((r) => ({
        key: `${r.hour.toISOString()}|${r.campaign_id}|${r.currency}`,
        sums: r,
    }));
    const bucketDifferences = compareSums(found, expected.byCampaignHour, 'billing for');
    differences.push(...bucketDifferences.slice(0, MAX_LISTED));
    if (bucketDifferences.length > MAX_LISTED) {
        differences.push(`… and ${bucketDifferences.length - MAX_LISTED} more (hour, campaign, currency) buckets differ`);
    }
    const fingerprint = await pool.query(FINGERPRINT_SQL);
    const print = fingerprint.rows[0];
    for (const field of Object.keys(expected.fingerprint)) {
        if (Number(print?.[field]) !== expected.fingerprint[field]) {
            differences.push(`billing_hourly fingerprint of ${field}: expected ${expected.fingerprint[field]}, found ${print?.[field]} (some billing row differs)`);
        }
    }
    differences.push(...(await checkBillingInvariant(pool)));
    return { pass: differences.length === 0, differences, actual: { distinct, byType, billingRows } };
}
//# sourceMappingURL=verify-outcome.js.map