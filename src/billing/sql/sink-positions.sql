-- The sink's position per partition of the ingest topic: the offset of the
-- first message it has not written yet. Written in the same transaction as
-- the rows (src/store/sql/record-offsets.sql), so every message below it is
-- in billing_hourly (or was a duplicate or a dead letter) and every one at
-- or above it is not: the fact the watermark starts from, whatever Kafka's
-- committed offset says (that one may lag behind after a crash).
SELECT partition, next_offset::text AS next_offset
FROM sink_offsets
WHERE group_id = $1 AND topic = $2
