-- Reconciliation (SPEC §3 GET /v1/reconciliation/orphans): the clicks and
-- conversions of one campaign and time range, found without reading the
-- impressions around them. Append-only: never edit a file that has shipped.
--
-- Partial: only clicks and conversions have an entry, so an impression (the
-- bulk of any stream) costs the write path one predicate test and no index
-- insert; a click or conversion costs one index insert more. The orphans are
-- computed when asked (src/billing/sql/orphans.sql), so nothing else on the
-- write path changes. INCLUDE: the query's filters and the impression's id
-- come from the index alone (an index-only scan once the visibility map is
-- set).
--
-- On the partitioned parent this creates the index on every day partition
-- and every future one. It locks each partition against writes while it is
-- built: on a large existing store, build it ahead of the upgrade with
-- CREATE INDEX CONCURRENTLY on each partition and this statement then only
-- attaches them (README, For billing jobs).
CREATE INDEX IF NOT EXISTS ad_events_reconcile
  ON ad_events (campaign_id, occurred_at)
  INCLUDE (impression_id, received_at)
  WHERE type <> 'impression';
