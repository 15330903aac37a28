-- Restatements and the read-only billing role (SPEC §3 GET
-- /v1/billing/changes, SPEC §5 billing_hourly.updated_at, adgate_billing).
-- Append-only: never edit a file that has shipped; add the next number.

-- When a row's sums last changed, and by which transaction. The sink's
-- upsert (src/store/sql/insert-from-staging.sql) sets both in the statement
-- that changes the sums. updated_at is for people ("restated at");
-- updated_xid is what the change feed pages by, because timestamps are
-- taken before COMMIT and so do not arrive in commit order, while a
-- transaction id below the snapshot's xmin is known to be finished (the
-- full argument is in src/billing/sql/changes.sql).
--
-- Rows that exist before this migration: we do not know when their sums
-- last changed, only that it was no later than now. Stamping them with the
-- migration's time (now() is stable, so PostgreSQL stores it once as the
-- column's missing value: no table rewrite) means a feed asked for changes
-- since any earlier instant returns them: a billing job may re-check rows it
-- already has, but never misses a restatement that happened before the
-- upgrade. An old timestamp ('-infinity', the epoch) would hide those.
ALTER TABLE billing_hourly ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();

-- The same for the transaction id: the existing rows get this migration's
-- id as a constant (a volatile default would rewrite the table under its
-- exclusive lock), then new rows default to their own transaction's id.
DO $$
BEGIN
  EXECUTE format(
    'ALTER TABLE billing_hourly ADD COLUMN updated_xid xid8 NOT NULL DEFAULT %L',
    pg_current_xact_id()
  );
END;
$$;
ALTER TABLE billing_hourly ALTER COLUMN updated_xid SET DEFAULT pg_current_xact_id();
-- Transaction ids are the cluster's: a dump restored into another cluster
-- carries ids that mean nothing there (the README says what to run then).

-- The change feed's pages: one campaign, in (updated_xid, key) order from a
-- cursor, as one index range scan that stops at the page's LIMIT. One
-- index only: each one costs every billing row that a batch writes one more
-- index insert, and an update that changes an indexed column is never HOT.
-- The feed's first call turns `since` into a starting transaction id by
-- reading this index's entries of the campaign (updated_at is INCLUDEd so
-- that no row need be read): linear in the campaign's rows, once per run,
-- where an index of its own on updated_at would cost every write.
CREATE INDEX billing_hourly_changes
  ON billing_hourly (campaign_id, updated_xid, hour, ad_id, publisher_id, currency)
  INCLUDE (updated_at);

-- The role that billing jobs' login roles are granted (SPEC §5). Roles
-- belong to the cluster, grants to a database: another database of the
-- cluster may have created the role already, possibly at this very moment
-- (our migration lock is an advisory lock, which is per database), so a
-- concurrent creation is caught rather than failing the migration. An
-- existing role is left as it is. If the migrating role may not create
-- roles, a superuser runs `CREATE ROLE adgate_billing NOLOGIN` once and the
-- migration then only grants.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'adgate_billing') THEN
    CREATE ROLE adgate_billing NOLOGIN;
  END IF;
EXCEPTION
  WHEN duplicate_object OR unique_violation THEN
    NULL; -- created by a concurrent migration of another database
END;
$$;

-- Read the billing tables and views, nothing else: no ad_events, no
-- event_keys, no sink_offsets, no writes. A later billing view is granted in
-- the migration that creates it. (Creating objects in the schema is already
-- refused: PostgreSQL 15 no longer grants CREATE on public to PUBLIC.)
DO $$
BEGIN
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO adgate_billing', current_schema());
END;
$$;
GRANT SELECT ON billing_hourly, billing_daily TO adgate_billing;
