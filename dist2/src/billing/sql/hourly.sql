-- Hourly buckets of one campaign with hour in [$2, $3).
SELECT hour, campaign_id, ad_id, publisher_id, currency,
       impressions, clicks, conversions,
       cost_micros::text AS cost_micros, revenue_micros::text AS revenue_micros
FROM billing_hourly
WHERE campaign_id = $1
  AND hour >= $2::timestamptz AND hour < $3::timestamptz
  AND ($4::text IS NULL OR ad_id = $4)
  AND ($5::text IS NULL OR publisher_id = $5)
ORDER BY hour, ad_id, publisher_id, currency
