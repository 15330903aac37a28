-- One staging table per connection. Temporary tables are not WAL-logged,
-- and ON COMMIT DELETE ROWS empties it at the end of every transaction.
-- Its columns are those of ad_events (LIKE works on the partitioned parent
-- and makes a plain table, without its keys, checks or partitions); the
-- COPY names the columns it fills (COPY_COLUMNS, encode-copy-rows.ts), so
-- a column added to ad_events later takes its default here and never
-- shifts the rows.
CREATE TEMPORARY TABLE IF NOT EXISTS adgate_staging (LIKE ad_events INCLUDING DEFAULTS)
ON COMMIT DELETE ROWS
