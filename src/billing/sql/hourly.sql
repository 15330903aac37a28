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
-- which the bounds rules guarantee), in one format() a row, of the template
-- $7 (BILLING_ROW_FORMAT, query-billing.ts: daily.sql's too); $6 is
-- campaign_id ($1) as JSON, made once by the caller rather than once a row.
--
-- Formatting is most of the query's time, and a settled day's rows do not
-- change: the text of each whole UTC day that ended before $8 is kept in
-- billing_day_bodies (migrations/0005) and used while no row of that day
-- has changed since (an updated_xid at or above the body's built_xmin; the
-- check is one range of billing_hourly_changes). A day still open, the
-- partial days at the ends of the range, a stale body and any query with an
-- ad or publisher filter are formatted here; the whole settled days among
-- them are stored for the next call, under this statement's snapshot.
-- Answer order (SPEC §3: by bucket, then ad, publisher, currency): days in
-- order, and within a day the rows' own ORDER BY.
WITH whole_days AS (
  SELECT date_trunc('day', $2::timestamptz + interval '1 day' - interval '1 microsecond', 'UTC') AS first,
         date_trunc('day', $3::timestamptz, 'UTC') AS stop
),
kept AS (
  SELECT c.day, c.body, c.built_xmin
  FROM billing_day_bodies c, whole_days w
  WHERE $4::text IS NULL AND $5::text IS NULL
    AND c.campaign_id = $1 AND c.day >= w.first AND c.day < w.stop
),
changed AS (
  SELECT DISTINCT k.day
  FROM kept k
  JOIN billing_hourly h
    ON h.campaign_id = $1
   AND h.updated_xid >= (SELECT min(built_xmin) FROM kept)
   AND h.updated_xid >= k.built_xmin
   AND h.hour >= k.day AND h.hour < k.day + interval '1 day'
),
fresh AS (
  SELECT k.day, k.body FROM kept k WHERE k.day NOT IN (SELECT day FROM changed)
),
-- The days to format, each an index range of its own hours (the range's
-- ends cut the partial days), so that the fresh days' rows are never read.
to_format AS (
  SELECT greatest(d, $2::timestamptz) AS from_hour, least(d + interval '1 day', $3::timestamptz) AS to_hour
  FROM generate_series(
         date_trunc('day', $2::timestamptz, 'UTC'), $3::timestamptz - interval '1 microsecond',
         interval '1 day') AS d
  WHERE d NOT IN (SELECT day FROM fresh)
),
formatted AS (
  SELECT date_trunc('day', hour, 'UTC') AS day,
         string_agg(
           format(
             $7::text,
             to_char(hour AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
             $6::text, ad_id, publisher_id, currency,
             impressions, clicks, conversions, cost_micros, revenue_micros),
           ',' ORDER BY hour, ad_id, publisher_id, currency) AS body
  FROM to_format t
  JOIN billing_hourly
    ON campaign_id = $1 AND hour >= t.from_hour AND hour < t.to_hour
  WHERE ($4::text IS NULL OR ad_id = $4)
    AND ($5::text IS NULL OR publisher_id = $5)
  GROUP BY 1
),
stored AS (
  INSERT INTO billing_day_bodies AS c (campaign_id, day, built_xmin, body)
  SELECT $1, f.day, pg_snapshot_xmin(pg_current_snapshot()), f.body
  FROM formatted f, whole_days w
  WHERE $4::text IS NULL AND $5::text IS NULL
    AND f.day >= w.first AND f.day < w.stop
    AND f.day + interval '1 day' <= $8::timestamptz
  -- In day order, so that two calls storing the same days cannot deadlock.
  ORDER BY f.day
  ON CONFLICT (campaign_id, day) DO UPDATE SET built_xmin = excluded.built_xmin, body = excluded.body
)
SELECT '{"rows":[' || coalesce(string_agg(body, ',' ORDER BY day), '') || ']}' AS body
FROM (SELECT day, body FROM fresh UNION ALL SELECT day, body FROM formatted) days
