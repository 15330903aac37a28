-- Daily buckets (UTC) of one campaign with day in [$2, $3), as the whole
-- body of GET /v1/billing/daily: one text value, built as hourly.sql says
-- (why, why it equals JSON.stringify of the rows, and why the order comes
-- from a sorted subquery). The bounds are whole
-- UTC days (query-billing.ts refuses any other), so a day is in range
-- exactly when its hours are. Aggregated from billing_hourly directly rather
-- than through the billing_daily view, so that the range uses the
-- (campaign_id, hour) primary key.
SELECT '{"rows":[' || coalesce(string_agg(
         format(
           $7::text,
           to_char(day AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
           $6::text, ad_id, publisher_id, currency,
           impressions, clicks, conversions, cost_micros, revenue_micros),
         ','), '') || ']}' AS body
FROM (
  SELECT date_trunc('day', hour, 'UTC') AS day, campaign_id, ad_id, publisher_id, currency,
         sum(impressions)::bigint AS impressions, sum(clicks)::bigint AS clicks,
         sum(conversions)::bigint AS conversions,
         sum(cost_micros) AS cost_micros, sum(revenue_micros) AS revenue_micros
  FROM billing_hourly
  WHERE campaign_id = $1
    AND hour >= $2::timestamptz AND hour < $3::timestamptz
    AND ($4::text IS NULL OR ad_id = $4)
    AND ($5::text IS NULL OR publisher_id = $5)
  GROUP BY 1, 2, 3, 4, 5
  ORDER BY 1, 3, 4, 5
) days
