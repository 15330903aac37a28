-- adgate schema v1 (SPEC §5). Append-only: never edit a file that has
-- shipped; add the next number instead.

-- The dedup arbiter. ad_events is partitioned by day of occurred_at, and a
-- unique index on a partitioned table must contain the partition key; the
-- impression and conversion rules of SPEC §2 do not contain occurred_at, so
-- two copies of one impression can fall on different days. Global
-- uniqueness therefore lives here, in one unpartitioned table keyed by the
-- idempotency key alone. A key is kept for the dedup window after it was
-- written (ADGATE_DEDUP_WINDOW_MS, default 8 days = the 7-day acceptance
-- window plus a day of margin) and then pruned; written_at only grows, so a
-- BRIN index makes the pruning scan cheap and costs almost nothing to keep.
CREATE TABLE event_keys (
  idempotency_key bytea PRIMARY KEY CHECK (octet_length(idempotency_key) = 16),
  written_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX event_keys_written_at_brin ON event_keys USING brin (written_at);

CREATE TABLE ad_events (
  idempotency_key bytea NOT NULL CHECK (octet_length(idempotency_key) = 16),
  type text NOT NULL CHECK (type IN ('impression', 'click', 'conversion')),
  impression_id text NOT NULL,
  occurred_at timestamptz NOT NULL,
  campaign_id text NOT NULL,
  ad_id text NOT NULL,
  publisher_id text NOT NULL,
  conversion_id text,
  cost_micros bigint NOT NULL DEFAULT 0 CHECK (cost_micros BETWEEN 0 AND 1000000000000000),
  revenue_micros bigint NOT NULL DEFAULT 0 CHECK (revenue_micros BETWEEN 0 AND 1000000000000000),
  currency char(3) NOT NULL DEFAULT 'USD',
  attributes jsonb,
  source text NOT NULL,
  received_at timestamptz NOT NULL,
  kafka_partition integer NOT NULL,
  kafka_offset bigint NOT NULL,
  -- Per-partition uniqueness as a second guard behind event_keys.
  PRIMARY KEY (idempotency_key, occurred_at)
) PARTITION BY RANGE (occurred_at);

-- Sums are numeric: 10^15 per event overflows bigint after ~9,000 events
-- in one bucket, and an overflow would refuse a healthy batch.
CREATE TABLE billing_hourly (
  hour timestamptz NOT NULL,
  campaign_id text NOT NULL,
  ad_id text NOT NULL,
  publisher_id text NOT NULL,
  currency char(3) NOT NULL,
  impressions bigint NOT NULL DEFAULT 0,
  clicks bigint NOT NULL DEFAULT 0,
  conversions bigint NOT NULL DEFAULT 0,
  cost_micros numeric(38, 0) NOT NULL DEFAULT 0,
  revenue_micros numeric(38, 0) NOT NULL DEFAULT 0,
  -- campaign first: every billing query names one campaign and a time range.
  PRIMARY KEY (campaign_id, hour, ad_id, publisher_id, currency)
);

-- A view, so that daily can never disagree with hourly.
CREATE VIEW billing_daily AS
SELECT
  date_trunc('day', hour, 'UTC') AS day,
  campaign_id,
  ad_id,
  publisher_id,
  currency,
  sum(impressions)::bigint AS impressions,
  sum(clicks)::bigint AS clicks,
  sum(conversions)::bigint AS conversions,
  sum(cost_micros) AS cost_micros,
  sum(revenue_micros) AS revenue_micros
FROM billing_hourly
GROUP BY 1, 2, 3, 4, 5;

-- The next offset to read, per consumer group and partition, written in the
-- same transaction as the events. When Kafka's committed offset is behind
-- (a crash between COMMIT and the Kafka commit), the sink skips to here.
CREATE TABLE sink_offsets (
  group_id text NOT NULL,
  topic text NOT NULL,
  partition integer NOT NULL,
  next_offset bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (group_id, topic, partition)
);

-- Creates the day partition of ad_events that holds `day` (UTC) when it is
-- missing. Serialised by a transaction-level advisory lock because two
-- sinks creating the same partition at once would otherwise race on the
-- catalog.
CREATE FUNCTION adgate_ensure_day_partition(day date) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  part text := 'ad_events_' || to_char(day, 'YYYYMMDD');
BEGIN
  IF to_regclass(part) IS NOT NULL THEN
    RETURN;
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('adgate.ad_events.partitions'));
  IF to_regclass(part) IS NULL THEN
    EXECUTE format(
      'CREATE TABLE %I PARTITION OF ad_events FOR VALUES FROM (%L) TO (%L)',
      part,
      (day::timestamp AT TIME ZONE 'UTC'),
      ((day + 1)::timestamp AT TIME ZONE 'UTC')
    );
  END IF;
END;
$$;
