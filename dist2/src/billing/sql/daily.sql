-- Daily buckets (UTC) of one campaign with day in [$2, $3). The bounds are
-- whole UTC days (query-billing.ts refuses any other), so a day is in range
-- exactly when its hours are. Aggregated from billing_hourly directly rather
-- than through the billing_daily view, so that the range uses the
-- (campaign_id, hour) primary key.
SELECT date_trunc('day', hour, 'UTC') AS day, campaign_id, ad_id, publisher_id, currency,
       sum(impressions)::bigint AS impressions, sum(clicks)::bigint AS clicks,
       sum(conversions)::bigint AS conversions,
       sum(cost_micros)::text AS cost_micros, sum(revenue_micros)::text AS revenue_micros
FROM billing_hourly
WHERE campaign_id = $1
  AND hour >= $2::timestamptz AND hour < $3::timestamptz
  AND ($4::text IS NULL OR ad_id = $4)
  AND ($5::text IS NULL OR publisher_id = $5)
GROUP BY 1, 2, 3, 4, 5
ORDER BY day, ad_id, publisher_id, currency
