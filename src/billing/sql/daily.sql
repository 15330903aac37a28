-- Daily buckets (UTC) of one campaign with day in [$2, $3). Aggregated from
-- billing_hourly directly rather than through the billing_daily view, so
-- that the range uses the (campaign_id, hour) primary key. A day d is in
-- range when $2 <= d < $3, i.e. its hours lie in [ceil_day($2), ceil_day($3)).
WITH bounds AS (
  SELECT date_trunc('day', $2::timestamptz - interval '1 microsecond', 'UTC') + interval '24 hours' AS lo,
         date_trunc('day', $3::timestamptz - interval '1 microsecond', 'UTC') + interval '24 hours' AS hi
)
SELECT date_trunc('day', hour, 'UTC') AS day, campaign_id, ad_id, publisher_id, currency,
       sum(impressions)::bigint AS impressions, sum(clicks)::bigint AS clicks,
       sum(conversions)::bigint AS conversions,
       sum(cost_micros)::text AS cost_micros, sum(revenue_micros)::text AS revenue_micros
FROM billing_hourly, bounds
WHERE campaign_id = $1
  AND hour >= bounds.lo AND hour < bounds.hi
  AND ($4::text IS NULL OR ad_id = $4)
  AND ($5::text IS NULL OR publisher_id = $5)
GROUP BY 1, 2, 3, 4, 5
ORDER BY day, ad_id, publisher_id, currency
