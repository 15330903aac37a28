-- The change feed (SPEC §3 GET /v1/billing/changes): the hourly rows of one
-- campaign whose sums changed, in the order of the transactions that
-- changed them, one page from a position.
--
-- Why not page by updated_at: a write stamps its rows before it commits, so
-- a reader could see rows stamped t2, hand out a cursor at t2, and only then
-- see a write stamped t1 < t2 commit: paged by updated_at, that restatement
-- would be skipped for good, and a safety margin ("only rows older than
-- now() - 1 min") only makes it rarer (a stalled COMMIT, a synchronous
-- standby, a paused VM outlast any margin).
-- So the feed pages by (updated_xid, hour, ad_id, publisher_id, currency)
-- and returns only rows whose updated_xid is below `settled`, the xmin of
-- this statement's own snapshot: every transaction with an id below it has
-- finished, so those rows are final and visible to this very snapshot, and
-- every write still running or yet to come has an id at or above it. A
-- cursor below `settled` therefore never passes a change it did not return;
-- a row changed again moves to its new transaction's place and comes once
-- more. The price: a long-running writing transaction anywhere in the
-- cluster holds the feed back (it stalls, it never skips).
--
-- $1 campaign_id; $2 since: on the first call, the instant after which
-- changes are wanted; $3..$7 the cursor's position, or NULL on the first
-- call; $8 the page size.
-- `since` becomes a starting transaction id: the least updated_xid among
-- the rows changed after it, and never above `settled`, because a write
-- still running may stamp a time after `since`. That least id comes from
-- the entries of billing_hourly_changes, which INCLUDE updated_at: a walk
-- of the campaign's entries in xid order up to the first one changed after
-- `since`. Rows past the start are returned even when stamped a little
-- before `since`: at least every change after `since` comes, never fewer.
WITH settled AS (
  SELECT pg_snapshot_xmin(pg_current_snapshot()) AS below
),
start AS (
  SELECT
    coalesce(
      $3::xid8,
      least(
        settled.below,
        (SELECT min(updated_xid) FROM billing_hourly
         WHERE campaign_id = $1 AND updated_at > $2::timestamptz)
      )
    ) AS xid,
    coalesce($4::timestamptz, '-infinity') AS hour,
    coalesce($5::text, '') AS ad_id,
    coalesce($6::text, '') AS publisher_id,
    coalesce($7::bpchar, '') AS currency
  FROM settled
)
SELECT settled.below::text AS settled, page.*
FROM settled
CROSS JOIN start
LEFT JOIN LATERAL (
  SELECT b.hour, b.campaign_id, b.ad_id, b.publisher_id, b.currency,
         b.impressions, b.clicks, b.conversions,
         b.cost_micros::text AS cost_micros, b.revenue_micros::text AS revenue_micros,
         b.updated_at, b.updated_xid::text AS updated_xid
  FROM billing_hourly b
  WHERE b.campaign_id = $1
    AND (b.updated_xid, b.hour, b.ad_id, b.publisher_id, b.currency)
      > (start.xid, start.hour, start.ad_id, start.publisher_id, start.currency)
    AND b.updated_xid < settled.below
  ORDER BY b.updated_xid, b.hour, b.ad_id, b.publisher_id, b.currency
  LIMIT $8
) page ON true
ORDER BY page.updated_xid::xid8, page.hour, page.ad_id, page.publisher_id, page.currency
