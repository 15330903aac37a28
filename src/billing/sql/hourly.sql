-- Hourly buckets of one campaign with hour in [$2, $3), as the whole body
-- of GET /v1/billing/hourly: one text value, sent as it is. PostgreSQL
-- builds the JSON because node-postgres spends far longer parsing rows
-- (one object and ten strings per row) than PostgreSQL spends finding
-- them; one text value costs it one string. The text is exactly what
-- JSON.stringify makes of the rows (billing-responses.ts, billingRowsSchema):
-- keys in that order, no whitespace; the ids and the currency put in quotes
-- as they are, since SPEC §1 allows them only `[A-Za-z0-9._:-]` and three
-- capital letters, none of which JSON escapes (to_json on each cost a third
-- of the query); counts as the bigint's digits (exact at any size), money as
-- decimal strings, the bucket as toISOString prints it (years 1970..9999,
-- which the bounds rules guarantee), in one format() a row; $6 is
-- campaign_id ($1) as JSON, made once by the caller rather than once a row.
-- The order (SPEC §3: by bucket) is the primary key's, so the sorted
-- subquery is an index scan with no sort; string_agg keeps its input order
-- (an ORDER BY inside the aggregate would sort the rows again in memory, on
-- PostgreSQL 15).
SELECT '{"rows":[' || coalesce(string_agg(
         format(
           '{"bucket":"%s","campaign_id":%s,"ad_id":"%s","publisher_id":"%s","currency":"%s",'
           '"impressions":%s,"clicks":%s,"conversions":%s,"cost_micros":"%s","revenue_micros":"%s"}',
           to_char(hour AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
           $6::text, ad_id, publisher_id, currency,
           impressions, clicks, conversions, cost_micros, revenue_micros),
         ','), '') || ']}' AS body
FROM (
  SELECT * FROM billing_hourly
  WHERE campaign_id = $1
    AND hour >= $2::timestamptz AND hour < $3::timestamptz
    AND ($4::text IS NULL OR ad_id = $4)
    AND ($5::text IS NULL OR publisher_id = $5)
  ORDER BY hour, ad_id, publisher_id, currency
) hours
