-- One staging table per connection. Temporary tables are not WAL-logged,
-- and ON COMMIT DELETE ROWS empties it at the end of every transaction.
CREATE TEMPORARY TABLE IF NOT EXISTS adgate_staging (
  idempotency_key bytea NOT NULL,
  type text NOT NULL,
  impression_id text NOT NULL,
  occurred_at timestamptz NOT NULL,
  campaign_id text NOT NULL,
  ad_id text NOT NULL,
  publisher_id text NOT NULL,
  conversion_id text,
  cost_micros bigint NOT NULL,
  revenue_micros bigint NOT NULL,
  currency char(3) NOT NULL,
  attributes jsonb,
  source text NOT NULL,
  received_at timestamptz NOT NULL,
  kafka_partition integer NOT NULL,
  kafka_offset bigint NOT NULL
) ON COMMIT DELETE ROWS
