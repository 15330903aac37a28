-- GREATEST: a slower writer of an older batch must never move a partition back.
INSERT INTO sink_offsets (group_id, topic, partition, next_offset)
SELECT $1, $2, p, o FROM unnest($3::integer[], $4::bigint[]) AS t(p, o)
ORDER BY p
ON CONFLICT (group_id, topic, partition) DO UPDATE SET
  next_offset = GREATEST(sink_offsets.next_offset, excluded.next_offset),
  updated_at = now()
