-- Orphans (SPEC §3 GET /v1/reconciliation/orphans): the clicks and
-- conversions of campaign $1 with occurred_at in [$2, $3) whose impression
-- has not arrived, counted per hour, among those adgate received before $4
-- (now - ADGATE_RECONCILE_GRACE_MS: younger ones are not judged yet).
--
-- An impression's idempotency key is the first 16 bytes of
-- sha256('impression' 0x1F impression_id) (SPEC §2), so whether it arrived
-- is one probe of event_keys' primary key. event_keys forgets a key after
-- the dedup window (8 days by default), so a key not found there is looked
-- up in ad_events itself by its primary key (idempotency_key, occurred_at),
-- one probe per day partition: costly only for the true orphans (and the
-- clicks of impressions written more than a dedup window ago), which are
-- few. A late impression is found by the same probes: its clicks leave the
-- orphans at the next query.
SELECT date_trunc('hour', c.occurred_at, 'UTC') AS hour,
       c.campaign_id,
       count(*) FILTER (WHERE c.type = 'click') AS clicks,
       count(*) FILTER (WHERE c.type = 'conversion') AS conversions,
       count(DISTINCT c.impression_id) AS impressions_missing
FROM ad_events c
CROSS JOIN LATERAL (
  SELECT substr(sha256(convert_to('impression' || chr(31) || c.impression_id, 'UTF8')), 1, 16) AS key
) impression
WHERE c.campaign_id = $1
  AND c.occurred_at >= $2::timestamptz AND c.occurred_at < $3::timestamptz
  AND c.type <> 'impression'
  AND c.received_at < $4::timestamptz
  -- A CASE, so that the probes run in this order (PostgreSQL may reorder
  -- the clauses of an AND), and OFFSET 0 keeps each one a per-row probe of
  -- a primary key (as an anti-join, the planner may hash all of ad_events).
  AND CASE
    WHEN EXISTS (SELECT FROM event_keys k WHERE k.idempotency_key = impression.key OFFSET 0)
      THEN false
    ELSE NOT EXISTS (SELECT FROM ad_events i WHERE i.idempotency_key = impression.key OFFSET 0)
  END
GROUP BY 1, 2
ORDER BY 1
