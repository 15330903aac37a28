export const OFFSETS_HELP = `Usage: adgate offsets <verb> [options]

The sink's positions in ADGATE_TOPIC for its group ADGATE_CONSUMER_GROUP:
Kafka's committed offsets and the positions the sink records in PostgreSQL
(sink_offsets, written with the events). The sink resumes each partition at
the later of the two. Uses ADGATE_KAFKA_BROKERS and ADGATE_DATABASE_URL.
See README "Operating the dead-letter queue" (rewind after a bad deploy).

Verbs:
  show      per partition: committed, recorded, end, lag in messages and seconds
  rewind    move the sink back, to read messages again (--to ...; --dry-run first)
  reset     forget positions recorded for a deleted and re-created topic

Run 'adgate offsets <verb> --help' for a verb's options.
`;

export const OFFSETS_SHOW_HELP = `Usage: adgate offsets show [--json]

Per partition of ADGATE_TOPIC: Kafka's committed offset for the sink's
group, the position recorded in sink_offsets, the partition's start and
end, and the lag from where the sink resumes (the later of the two): in
messages, and in seconds (the age of the oldest message not read yet).

  --json    one JSON object per partition
`;

export const OFFSETS_REWIND_HELP = `Usage: adgate offsets rewind --to <time|earliest|partition:offset,...> [--dry-run]

Moves the sink's group back so that it reads messages again: sets Kafka's
committed offsets and sink_offsets together. Refused while the group has
live members (they are named): drain every sink first, rewind, then start
them. Events already in PostgreSQL count as duplicates there (PostgreSQL is
the arbiter): a rewind never counts an event twice, and billing does not
move; what was refused or lost downstream of a bad deploy is written now.

  --to T          an RFC 3339 time (each partition from its first message at
                  or after T, by Kafka timestamp), earliest (each partition's
                  start), or partition:offset pairs (only those partitions)
  --dry-run       print, per partition, where it would move and how many
                  messages will be read again; change nothing
`;

export const OFFSETS_RESET_HELP = `Usage: adgate offsets reset [--dry-run]

For a topic that was deleted and re-created under the same name: the sink
then refuses to start (reason recorded_offset_beyond_end), because the
positions it recorded belong to the old topic. reset deletes the group's
sink_offsets rows for ADGATE_TOPIC and moves a Kafka commit that lies
beyond the new topic's end to its start, so that the sink reads the new
topic from the beginning. Refused while the group has live members.

  --dry-run       print what it would change; change nothing
`;
