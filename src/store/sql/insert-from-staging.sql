-- PostgreSQL is the arbiter of duplicates (SPEC §2, §5): a row reaches
-- ad_events only if its key was not yet in event_keys, whatever Redis said.
-- billing_hourly is updated from exactly the rows inserted, in the same
-- statement, so its sums always equal those of ad_events. Keys and
-- aggregates are written in a fixed order so that two sinks writing at
-- once cannot deadlock.
--
-- A billing row's updated_at and updated_xid (SPEC §5) change here, in the
-- statement that changes its sums, and only then: a duplicate inserts no
-- row into `inserted`, so its bucket is not touched. updated_at is
-- statement_timestamp(): one instant for every row this write restates,
-- closer to the COMMIT than now() (the transaction's start, before the
-- COPY), and, unlike clock_timestamp(), the same on the insert and the
-- conflict path. No timestamp taken inside a transaction is in commit
-- order, however: a write stamped at t can commit after a reader has seen
-- rows stamped later than t. So the change feed never pages by updated_at;
-- it pages by updated_xid, and returns only rows whose transaction id lies
-- below its snapshot's xmin, i.e. transactions known to be finished
-- (src/billing/sql/changes.sql).
WITH new_keys AS (
  INSERT INTO event_keys (idempotency_key)
  SELECT idempotency_key FROM adgate_staging ORDER BY idempotency_key
  ON CONFLICT (idempotency_key) DO NOTHING
  RETURNING idempotency_key
),
inserted AS (
  INSERT INTO ad_events (
    idempotency_key, type, impression_id, occurred_at, campaign_id, ad_id, publisher_id,
    conversion_id, cost_micros, revenue_micros, currency, attributes, source, received_at,
    kafka_partition, kafka_offset
  )
  SELECT
    s.idempotency_key, s.type, s.impression_id, s.occurred_at, s.campaign_id, s.ad_id,
    s.publisher_id, s.conversion_id, s.cost_micros, s.revenue_micros, s.currency, s.attributes,
    s.source, s.received_at, s.kafka_partition, s.kafka_offset
  FROM adgate_staging s
  JOIN new_keys n USING (idempotency_key)
  RETURNING type, impression_id, occurred_at, campaign_id, ad_id, publisher_id, currency,
            cost_micros, revenue_micros
),
hourly AS (
  INSERT INTO billing_hourly AS b (
    hour, campaign_id, ad_id, publisher_id, currency,
    impressions, clicks, conversions, cost_micros, revenue_micros, updated_at, updated_xid
  )
  SELECT
    date_trunc('hour', occurred_at, 'UTC'), campaign_id, ad_id, publisher_id, currency,
    count(*) FILTER (WHERE type = 'impression'),
    count(*) FILTER (WHERE type = 'click'),
    count(*) FILTER (WHERE type = 'conversion'),
    sum(cost_micros),
    sum(revenue_micros),
    statement_timestamp(),
    pg_current_xact_id()
  FROM inserted
  GROUP BY 1, 2, 3, 4, 5
  ORDER BY 2, 1, 3, 4, 5
  ON CONFLICT (campaign_id, hour, ad_id, publisher_id, currency) DO UPDATE SET
    impressions = b.impressions + excluded.impressions,
    clicks = b.clicks + excluded.clicks,
    conversions = b.conversions + excluded.conversions,
    cost_micros = b.cost_micros + excluded.cost_micros,
    revenue_micros = b.revenue_micros + excluded.revenue_micros,
    updated_at = excluded.updated_at,
    updated_xid = excluded.updated_xid
  RETURNING 1
),
-- The orphan-rate metric (adgate_sink_orphan_events_total): the clicks and
-- conversions written here whose impression is not in PostgreSQL yet, by
-- the test of src/billing/sql/orphans.sql (the impression's key in
-- event_keys, else in ad_events), plus this batch's own new keys (a CTE does
-- not see its sibling's inserts). At write time, so before the grace period:
-- a click that merely came before its impression counts too, and a late
-- impression does not take it back. One key probe per click or conversion
-- (a few % of events; the index is the one the arbitration just touched).
orphaned AS (
  SELECT i.type
  FROM inserted i
  CROSS JOIN LATERAL (
    SELECT substr(sha256(convert_to('impression' || chr(31) || i.impression_id, 'UTF8')), 1, 16) AS key
  ) impression
  WHERE i.type <> 'impression'
    AND NOT EXISTS (SELECT FROM new_keys n WHERE n.idempotency_key = impression.key)
    AND CASE
      WHEN EXISTS (SELECT FROM event_keys k WHERE k.idempotency_key = impression.key OFFSET 0)
        THEN false
      ELSE NOT EXISTS (SELECT FROM ad_events e WHERE e.idempotency_key = impression.key OFFSET 0)
    END
)
SELECT (SELECT count(*) FROM inserted)::integer AS inserted,
       (SELECT count(*) FROM hourly)::integer AS buckets,
       (SELECT count(*) FROM inserted WHERE type = 'impression')::integer AS impressions,
       (SELECT count(*) FROM inserted WHERE type = 'click')::integer AS clicks,
       (SELECT count(*) FROM inserted WHERE type = 'conversion')::integer AS conversions,
       (SELECT count(*) FROM orphaned WHERE type = 'click')::integer AS orphan_clicks,
       (SELECT count(*) FROM orphaned WHERE type = 'conversion')::integer AS orphan_conversions
