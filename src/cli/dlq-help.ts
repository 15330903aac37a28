const FILTERS = `Filters (each may be repeated, or given a comma list):
  --reason R       adgate-reason: unparsable, invalid, too_large, write_failed
  --source S       adgate-source (the key's source; "kafka" when absent)
  --since T        failed at or after T (RFC 3339, e.g. 2026-12-01T09:00:00Z)
  --until T        failed before T
  --partition P    only these partitions of the DLQ (or dead) topic
  --match TEXT     adgate-error contains TEXT (case-insensitive)
`;

export const DLQ_HELP = `Usage: adgate dlq <verb> [options]

Inspects and replays the dead letters in ADGATE_DLQ_TOPIC (ad-events.dlq)
and ADGATE_DEAD_TOPIC (ad-events.dead), talking to Kafka directly with the
ADGATE_* configuration (ADGATE_KAFKA_BROKERS, the topic names,
ADGATE_CONSUMER_GROUP). See README "Operating the dead-letter queue".

Verbs:
  stats     letters by topic, reason and source; oldest, newest; per-partition depth
  list      the letters, as a table or NDJSON (--json)
  show      one letter's headers and value: adgate dlq show <partition>:<offset>
  replay    send letters back to ADGATE_TOPIC (resumable; --dry-run first)
  purge     delete letters an operator decided to drop (a prefix of each partition)

Run 'adgate dlq <verb> --help' for a verb's options.
`;

export const DLQ_STATS_HELP = `Usage: adgate dlq stats [filters] [--json]

For each of the DLQ and dead topics: the number of letters, by reason and by
source, the oldest and newest failure time, and per partition the letters
in the log and the depth (DLQ: letters its consumer group
<ADGATE_CONSUMER_GROUP>.dlq has not handled yet; dead: every letter).

${FILTERS}  --json           one JSON object per topic
`;

export const DLQ_LIST_HELP = `Usage: adgate dlq list [--from dlq|dead] [filters] [--json] [--limit N]

Lists letters in offset order per partition: partition:offset, reason,
source, attempts, failure time, key and adgate-error.

  --from dlq|dead  which topic (default dlq)
${FILTERS}  --json           one JSON object per letter (NDJSON), for scripts
  --limit N        at most N letters
`;

export const DLQ_SHOW_HELP = `Usage: adgate dlq show <partition>:<offset> [--from dlq|dead] [--json]

Prints one letter: its timestamp, key, every header, and its value (text, or
base64 when it is not UTF-8). Exit code 1 when no such letter is in the log.

  --from dlq|dead  which topic (default dlq)
  --json           as one JSON object
`;

export const DLQ_REPLAY_HELP = `Usage: adgate dlq replay [--from dlq|dead] [filters] [--dry-run] [--id ID] [--rate N]

Sends the matching letters back to ADGATE_TOPIC with their original key and
headers, adgate-attempts raised by one and adgate-replay-id set; the sink
judges them again, against the time they are sent (README: why). Events
already in PostgreSQL count as duplicates there: a replay never counts an
event twice.

Progress is kept in the consumer group <ADGATE_CONSUMER_GROUP>.replay.<ID>,
committed after each batch Kafka acknowledged: Ctrl-C stops after the batch
in hand, and the same command run again resumes without sending again what
it sent. Killed outright between a send and its commit, the next run finds
what was sent (adgate-replay-id, adgate-replay-of) from the ingest topic's
end recorded with the last commit, and does not send it again.
Letters that reach the topic after a replay started are left for the next
run. A progress line (count, rate, ETA) goes to stderr; a summary at the end.

  --from dlq|dead  which topic (default dlq)
${FILTERS}  --dry-run        print the letters it would send (NDJSON), send nothing
  --id ID          name the replay (default: derived from --from and the filters,
                   so the same command resumes the same replay)
  --rate N         send at most N letters a second
`;

export const DLQ_PURGE_HELP = `Usage: adgate dlq purge --before <time|partition:offset,...> [--from dlq|dead] [--yes]

Deletes letters for good (Kafka DeleteRecords). Kafka deletes only a prefix
of each partition: with a time, each partition is cut at its first letter
that failed at or after it; with partition:offset pairs, each named
partition loses every letter below its offset. Prints what goes and asks
for confirmation unless --yes; then prints the count.

  --before X       RFC 3339 time, or partition:offset[,partition:offset...]
  --from dlq|dead  which topic (default dlq)
  --yes            do not ask
`;
