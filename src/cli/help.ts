export const MAIN_HELP = `adgate — exactly-once ingestion gateway for ad events

Usage: adgate <command> [options]

Commands:
  serve     Start the gateway (HTTP ingress, Kafka sink, DLQ consumer, per ADGATE_ROLES)
  migrate   Apply the SQL migrations in migrations/ to ADGATE_DATABASE_URL
  drain     Ask a running instance to drain (POST /admin/drain)
  dlq       Inspect, replay and purge dead letters (stats | list | show | replay | purge)
  offsets   The sink's positions: show | rewind | reset
  stack     Manage the local Kafka, PostgreSQL and Redis (up | down | status)

Run 'adgate <command> --help' for a command's options.
Configuration is read from ADGATE_* environment variables (see README.md).
`;

export const SERVE_HELP = `Usage: adgate serve

Starts the gateway. Roles come from ADGATE_ROLES (default "ingress,sink,dlq";
dlq is the consumer that retries write_failed dead letters).
Migrations are applied first unless ADGATE_MIGRATE_ON_START=false.

The HTTP ingress and the sink run in worker processes under a supervisor:
ADGATE_INGRESS_WORKERS HTTP workers share the port, ADGATE_SINK_WORKERS
sink workers share the consumer group (default: half the cores each, at
least 1; 0 turns a role off). One role with one worker runs as one process;
ADGATE_SINGLE_PROCESS=true runs every role in one (the least memory).
--worker and --worker-index are how the supervisor starts its workers.

The first SIGTERM or SIGINT drains: /readyz turns 503, HTTP requests in
flight finish, fetching stops, the batch in hand is written and its offsets
committed, the instance leaves its consumer group, the producer is flushed,
then the process exits 0. Past ADGATE_DRAIN_TIMEOUT_MS (default 25000) it
exits 1; a second signal forces the exit at once.

An instance that can no longer do its work is failed: its Kafka consumer
stopped for good, or messages wait and no partition's position moved for
ADGATE_SINK_STALL_MS (default 60000). /readyz and /healthz then answer 503,
the failure is logged once with its reason (adgate_failures_total), and the
process drains what it can and exits 1, for its supervisor to restart it.
A worker process that dies (worker_exited) or fails takes the instance to
failed the same way.

Exit codes: 0 drained cleanly, 1 bad configuration, failed start, failed
instance, or drain past its deadline.
`;

export const MIGRATE_HELP = `Usage: adgate migrate

Applies migrations/NNNN_*.sql in order, each in its own transaction, under
a PostgreSQL advisory lock, and records them in schema_migrations. Safe to
run from several instances at once. Uses ADGATE_DATABASE_URL.
`;

export const DRAIN_HELP = `Usage: adgate drain [--url URL] --key KEY

Starts the drain of a running instance without a signal, through its
authenticated admin endpoint. KEY must have the "admin" scope in that
instance's ADGATE_API_KEYS (e.g. "ops:admin:<secret>").

Options:
  --url URL   the instance's base URL (default http://127.0.0.1:8080)
  --key KEY   an API key with the admin scope
  -h, --help  this text

An option's value follows it (--key KEY) or is joined to it (--key=KEY).
`;

export const STACK_HELP = `Usage: adgate stack up|down|status

Runs scripts/stack.sh: a single-node Apache Kafka in KRaft mode (jars
fetched from Maven Central), and the local PostgreSQL and Redis (started,
or installed with apt-get, when missing). See 'scripts/stack.sh --help'.
`;
