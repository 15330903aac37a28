-- The hourly billing answer's text of whole settled days, kept so that GET
-- /v1/billing/hourly need not format the same rows again at every call
-- (src/billing/sql/hourly.sql builds, checks and uses it). A cache: every
-- row can be rebuilt from billing_hourly, and a stale one is never served,
-- whatever happened since it was written. Append-only: never edit a file
-- that has shipped.
--
-- built_xmin is the xmin of the snapshot the body was formatted under:
-- every transaction below it had finished, so its changes are in the body;
-- any change the body may lack (a late event, a DLQ replay restating the
-- day) has an updated_xid at or above it. Like updated_xid, it is the
-- cluster's: after restoring a dump into another cluster, empty this table
-- (README, For billing jobs).
CREATE TABLE IF NOT EXISTS billing_day_bodies (
  campaign_id text NOT NULL,
  day timestamptz NOT NULL,
  built_xmin xid8 NOT NULL,
  -- The day's hourly rows as JSON objects joined by commas, in answer order.
  body text NOT NULL,
  PRIMARY KEY (campaign_id, day)
);
-- Stored out of line but not compressed: a day's text is read at every
-- call and written once, and pglz took longer than the rest of the write
-- (300 ms for a month of one campaign) and of the read.
ALTER TABLE billing_day_bodies ALTER COLUMN body SET STORAGE EXTERNAL;
