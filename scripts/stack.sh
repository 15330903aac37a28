#!/usr/bin/env bash
# Local dependency stack for adgate without Docker: a single-node KRaft Kafka
# broker (jars fetched from Maven Central), PostgreSQL and Redis.
#
#   scripts/stack.sh up|down|status|--help
#
# Kafka version: 4.3.1, the newest Apache Kafka whose kafka_2.13 AND kafka-tools
# artifacts are both on Maven Central (kafka_2.13:4.4.0 is there, but not
# kafka-tools:4.4.0). Checked against kafkajs@2.2.4 (the gateway's client):
# admin.createTopics (3 partitions), idempotent producer (idempotent:true,
# acks -1) with keyed messages, a consumer group with eachBatch +
# autoCommit:false + eachBatchAutoResolve:false + consumer.commitOffsets(),
# admin.fetchOffsets, consumer.disconnect (LeaveGroup, group goes Empty), a
# second member joining and resuming from the committed offsets (no
# re-delivery), admin.fetchTopicOffsets -- all pass: kafkajs negotiates only
# protocol versions that 4.x still serves (KIP-896). Only noise: right after
# the broker (re)starts, the first InitProducerId / FindCoordinator may get
# COORDINATOR_LOAD_IN_PROGRESS / COORDINATOR_NOT_AVAILABLE while the internal
# topics are created or loaded; kafkajs logs that at ERROR level and retries.
KAFKA_VERSION=4.3.1
# log4j2 version that kafka-server ${KAFKA_VERSION} depends on (see scripts/kafka/pom.xml)
KAFKA_LOG4J_VERSION=2.25.4

set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$SCRIPT_DIR/.." && pwd)"

STACK_DIR="${STACK_DIR:-$REPO_DIR/.cache/stack}"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_HEAP="${KAFKA_HEAP:-512m}"
PGPORT="${PGPORT:-5432}"
REDIS_PORT="${REDIS_PORT:-6379}"
STACK_DB="${STACK_DB:-adgate}"
KAFKA_START_TIMEOUT_S="${KAFKA_START_TIMEOUT_S:-90}"
KAFKA_STOP_TIMEOUT_S="${KAFKA_STOP_TIMEOUT_S:-60}"

HOST=127.0.0.1
KAFKA_HOME="$STACK_DIR/kafka-$KAFKA_VERSION"
KAFKA_LIBS="$KAFKA_HOME/libs"
KAFKA_LIBS_MARKER="$KAFKA_LIBS/.adgate-complete"
KAFKA_DATA="$STACK_DIR/kafka-data"
KAFKA_CONFIG="$STACK_DIR/server.properties"
KAFKA_LOG4J_CONFIG="$STACK_DIR/log4j2.xml"
KAFKA_PID_FILE="$STACK_DIR/kafka.pid"
KAFKA_VERSION_FILE="$STACK_DIR/kafka.version"
LOG_DIR="$STACK_DIR/logs"
KAFKA_LOG="$LOG_DIR/kafka.log"
KAFKA_CONSOLE_LOG="$LOG_DIR/kafka-console.log"
REDIS_PID_FILE="$STACK_DIR/redis.pid"
PG_STARTED_MARKER="$STACK_DIR/postgres.started"
PROBE="$SCRIPT_DIR/kafka-probe.mjs"
POM="$SCRIPT_DIR/kafka/pom.xml"

log() { printf 'stack: %s\n' "$*"; }
warn() { printf 'stack: WARNING: %s\n' "$*" >&2; }
die() { printf 'stack: ERROR: %s\n' "$*" >&2; exit 1; }

usage() {
  cat <<EOF
usage: scripts/stack.sh up|down|status|--help

  up      start (or reuse) Kafka $KAFKA_VERSION (KRaft, single node), PostgreSQL
          and Redis on $HOST, and create the database "\$STACK_DB". Idempotent.
  down    stop what 'up' started (Kafka; PostgreSQL/Redis only if 'up' started
          them). Never stops services it did not start.
  status  one line per component; exit 0 if all are up, 3 otherwise.

environment (defaults):
  STACK_DIR=$REPO_DIR/.cache/stack
  KAFKA_PORT=9092 KAFKA_CONTROLLER_PORT=9093 KAFKA_HEAP=512m
  KAFKA_START_TIMEOUT_S=90 KAFKA_STOP_TIMEOUT_S=60
  PGPORT=5432 REDIS_PORT=6379 STACK_DB=adgate

files: jars in \$STACK_DIR/kafka-$KAFKA_VERSION/libs, broker log in
\$STACK_DIR/logs/kafka.log, data in \$STACK_DIR/kafka-data.
EOF
}

is_uint() { [[ "$1" =~ ^[0-9]+$ ]]; }

validate_env() {
  local v
  for v in KAFKA_PORT KAFKA_CONTROLLER_PORT PGPORT REDIS_PORT KAFKA_START_TIMEOUT_S KAFKA_STOP_TIMEOUT_S; do
    is_uint "${!v}" || die "$v must be a number (got '${!v}')"
  done
  [[ "$KAFKA_HEAP" =~ ^[0-9]+[kKmMgG]?$ ]] || die "KAFKA_HEAP must look like 512m (got '$KAFKA_HEAP')"
  [[ "$STACK_DB" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || die "STACK_DB must be a plain identifier (got '$STACK_DB')"
  [[ "$KAFKA_PORT" != "$KAFKA_CONTROLLER_PORT" ]] || die "KAFKA_PORT and KAFKA_CONTROLLER_PORT must differ"
}

# Run as root directly, otherwise through sudo (non-interactive) if there is one.
as_root() {
  if [[ $EUID -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo -n "$@"
  else
    die "need root for: $*"
  fi
}

apt_install() {
  log "installing $* with apt-get"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q </dev/null >"$LOG_DIR/apt.log" 2>&1 \
    || { tail -n 20 "$LOG_DIR/apt.log" >&2; die "apt-get update failed"; }
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" </dev/null >>"$LOG_DIR/apt.log" 2>&1 \
    || { tail -n 20 "$LOG_DIR/apt.log" >&2; die "apt-get install $* failed"; }
}

# Pid from a pid file if that process is alive and its command line contains
# every given pattern; empty otherwise.
live_pid() {
  local file="$1" pid cmd pat
  shift
  [[ -s "$file" ]] || return 0
  pid="$(tr -dc '0-9' <"$file")"
  [[ -n "$pid" && -r "/proc/$pid/cmdline" ]] || return 0
  cmd="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)"
  for pat in "$@"; do
    [[ "$cmd" == *"$pat"* ]] || return 0
  done
  printf '%s\n' "$pid"
}

# SIGTERM, wait up to $2 seconds, then SIGKILL.
stop_pid() {
  local pid="$1" timeout="$2" name="$3" waited=0
  kill -TERM "$pid" 2>/dev/null || return 0
  while kill -0 "$pid" 2>/dev/null; do
    if ((waited >= timeout * 10)); then
      warn "$name (pid $pid) still running after ${timeout}s, sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  # wait for the process to disappear after SIGKILL too (bounded)
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
}

# ---------------------------------------------------------------- kafka ----

kafka_pid() { live_pid "$KAFKA_PID_FILE" java kafka.Kafka "$KAFKA_CONFIG"; }

# 0: ready broker; 1: something answers but is not a ready broker; 2: nothing listens
kafka_probe() {
  local rc=0
  node "$PROBE" "$HOST" "$KAFKA_PORT" --timeout-ms "${1:-2000}" --quiet || rc=$?
  return "$rc"
}

require_tools() {
  local t
  for t in "$@"; do
    command -v "$t" >/dev/null 2>&1 || die "'$t' not found on PATH"
  done
}

kafka_fetch_jars() {
  local want have=""
  want="kafka=$KAFKA_VERSION log4j=$KAFKA_LOG4J_VERSION pom=$(cksum <"$POM" | cut -d' ' -f1)"
  [[ -f "$KAFKA_LIBS_MARKER" ]] && have="$(cat "$KAFKA_LIBS_MARKER")"
  if [[ "$have" == "$want" ]]; then
    log "kafka: reusing jars in $KAFKA_LIBS"
    return 0
  fi
  require_tools mvn
  log "kafka: fetching Kafka $KAFKA_VERSION jars with Maven into $KAFKA_LIBS"
  local tmp="$KAFKA_HOME/libs.tmp"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  if ! mvn -B -q -f "$POM" dependency:copy-dependencies \
      -Dkafka.version="$KAFKA_VERSION" -Dlog4j.version="$KAFKA_LOG4J_VERSION" \
      -Dkafka.libs.dir="$tmp" </dev/null >"$LOG_DIR/mvn.log" 2>&1; then
    tail -n 40 "$LOG_DIR/mvn.log" >&2
    die "maven could not fetch the Kafka jars (full output: $LOG_DIR/mvn.log)"
  fi
  ls "$tmp"/kafka_2.13-"$KAFKA_VERSION".jar >/dev/null 2>&1 || die "kafka_2.13-$KAFKA_VERSION.jar missing after maven run"
  rm -rf "$KAFKA_LIBS"
  mv "$tmp" "$KAFKA_LIBS"
  printf '%s\n' "$want" >"$KAFKA_LIBS_MARKER"
  log "kafka: $(find "$KAFKA_LIBS" -name '*.jar' | wc -l) jars ready"
}

# Write $1 from stdin only if the content changed (keeps mtimes stable).
write_if_changed() {
  local dest="$1" tmp
  tmp="$(mktemp "$dest.XXXXXX")"
  cat >"$tmp"
  if [[ -f "$dest" ]] && cmp -s "$tmp" "$dest"; then
    rm -f "$tmp"
  else
    chmod 0644 "$tmp"
    mv -f "$tmp" "$dest"
  fi
}

kafka_write_config() {
  write_if_changed "$KAFKA_CONFIG" <<EOF
# Generated by scripts/stack.sh -- edits are overwritten on the next 'up'.
# Single-node KRaft: this process is both broker and controller.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://$HOST:$KAFKA_PORT,CONTROLLER://$HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$KAFKA_PORT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$KAFKA_DATA
num.partitions=1
auto.create.topics.enable=false
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
# small machine: fewer threads than the defaults
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
log.retention.hours=24
EOF
  write_if_changed "$KAFKA_LOG4J_CONFIG" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<!-- Generated by scripts/stack.sh: broker logs go to $KAFKA_LOG, not stdout. -->
<Configuration status="warn">
  <Appenders>
    <RollingFile name="file" fileName="$KAFKA_LOG" filePattern="$KAFKA_LOG.%i">
      <PatternLayout pattern="[%d] %p %m (%c)%n"/>
      <Policies><SizeBasedTriggeringPolicy size="50 MB"/></Policies>
      <DefaultRolloverStrategy max="3"/>
    </RollingFile>
  </Appenders>
  <Loggers>
    <Root level="INFO"><AppenderRef ref="file"/></Root>
    <Logger name="org.apache.kafka" level="INFO"/>
    <Logger name="kafka" level="INFO"/>
    <Logger name="kafka.request.logger" level="WARN"/>
    <Logger name="state.change.logger" level="WARN"/>
    <Logger name="kafka.authorizer.logger" level="WARN"/>
    <Logger name="org.apache.kafka.coordinator.group" level="INFO"/>
  </Loggers>
</Configuration>
EOF
}

# JVM flags of the broker (heap bounded by KAFKA_HEAP), close to kafka-run-class.sh.
kafka_broker_jvm_args() {
  printf '%s\n' -Xmx"$KAFKA_HEAP" -Xms"$KAFKA_HEAP" \
    -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
    -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$KAFKA_LOG4J_CONFIG" -Dkafka.logs.dir="$LOG_DIR" \
    -cp "$KAFKA_LIBS/*"
}

# Short-lived Kafka CLI classes (StorageTool): small heap, same logging config.
kafka_tool() {
  java -Xmx256m -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$KAFKA_LOG4J_CONFIG" -Dkafka.logs.dir="$LOG_DIR" \
    -cp "$KAFKA_LIBS/*" "$@"
}

kafka_format_storage() {
  if [[ -f "$KAFKA_DATA/meta.properties" ]]; then
    return 0
  fi
  local cluster_id
  cluster_id="$(kafka_tool kafka.tools.StorageTool random-uuid 2>>"$LOG_DIR/storage-tool.log" | tail -n 1)"
  [[ -n "$cluster_id" ]] || die "could not generate a cluster id (see $LOG_DIR/storage-tool.log)"
  log "kafka: formatting KRaft storage in $KAFKA_DATA (cluster id $cluster_id)"
  mkdir -p "$KAFKA_DATA"
  kafka_tool kafka.tools.StorageTool format -t "$cluster_id" -c "$KAFKA_CONFIG" --ignore-formatted \
    </dev/null >>"$LOG_DIR/storage-tool.log" 2>&1 \
    || { tail -n 20 "$LOG_DIR/storage-tool.log" >&2; die "kafka storage format failed"; }
}

kafka_wait_ready() {
  local pid="$1" deadline rc
  deadline=$((SECONDS + KAFKA_START_TIMEOUT_S))
  while :; do
    rc=0
    kafka_probe 1500 || rc=$?
    if ((rc == 0)); then
      return 0
    fi
    if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then
      warn "kafka process $pid exited during startup"
      kafka_dump_logs
      rm -f "$KAFKA_PID_FILE"
      exit 1
    fi
    if ((SECONDS >= deadline)); then
      warn "kafka did not answer a Metadata request on $HOST:$KAFKA_PORT within ${KAFKA_START_TIMEOUT_S}s"
      if [[ -n "$pid" ]]; then
        kafka_dump_logs
      else
        warn "port $KAFKA_PORT is held by a process this script did not start; free it or set KAFKA_PORT"
      fi
      exit 1
    fi
    sleep 0.5
  done
}

kafka_dump_logs() {
  if [[ -s "$KAFKA_CONSOLE_LOG" ]]; then
    printf 'stack: --- last 20 lines of %s ---\n' "$KAFKA_CONSOLE_LOG" >&2
    tail -n 20 "$KAFKA_CONSOLE_LOG" >&2
  fi
  if [[ -f "$KAFKA_LOG" ]]; then
    printf 'stack: --- last 40 lines of %s ---\n' "$KAFKA_LOG" >&2
    tail -n 40 "$KAFKA_LOG" >&2
  else
    printf 'stack: (no %s)\n' "$KAFKA_LOG" >&2
  fi
}

kafka_up() {
  local pid rc=0 started
  pid="$(kafka_pid)"
  kafka_probe || rc=$?
  if ((rc == 0)); then
    if [[ -n "$pid" ]]; then
      log "kafka: already running (pid $pid) on $HOST:$KAFKA_PORT"
    else
      log "kafka: a broker already answers on $HOST:$KAFKA_PORT, using it (not started by this script)"
    fi
    return 0
  fi
  if [[ -n "$pid" ]]; then
    log "kafka: our broker (pid $pid) is starting, waiting for it"
    kafka_wait_ready "$pid"
    log "kafka: ready on $HOST:$KAFKA_PORT (pid $pid)"
    return 0
  fi
  if ((rc == 1)); then
    # Something listens but is not (yet) a ready broker: maybe somebody
    # else's broker still starting. Wait for it rather than fight over the port.
    log "kafka: something listens on $HOST:$KAFKA_PORT but is not a ready broker yet, waiting"
    kafka_wait_ready ""
    log "kafka: a broker now answers on $HOST:$KAFKA_PORT, using it (not started by this script)"
    return 0
  fi

  require_tools java node
  kafka_fetch_jars
  kafka_write_config
  kafka_format_storage

  log "kafka: starting Kafka $KAFKA_VERSION on $HOST:$KAFKA_PORT (heap $KAFKA_HEAP)"
  rm -f "$KAFKA_PID_FILE"
  {
    printf '\n=== %s start ===\n' "$(date -u +%FT%TZ)"
  } >>"$KAFKA_CONSOLE_LOG"
  # setsid: own session, so a Ctrl-C or CI job-control signal to this script
  # does not reach the broker; nohup: survive the end of the shell.
  local -a jvm_args
  mapfile -t jvm_args < <(kafka_broker_jvm_args)
  (
    cd "$STACK_DIR"
    exec setsid nohup java "${jvm_args[@]}" kafka.Kafka "$KAFKA_CONFIG"
  ) </dev/null >>"$KAFKA_CONSOLE_LOG" 2>&1 &
  started=$!
  printf '%s\n' "$started" >"$KAFKA_PID_FILE"
  printf '%s\n' "$KAFKA_VERSION" >"$KAFKA_VERSION_FILE"
  kafka_wait_ready "$started"
  [[ "$(kafka_pid)" == "$started" ]] || warn "pid $started in $KAFKA_PID_FILE is not the broker's java process"
  log "kafka: ready on $HOST:$KAFKA_PORT (pid $started, $((SECONDS - UP_T0))s since 'up' began)"
}

kafka_down() {
  local pid
  pid="$(kafka_pid)"
  if [[ -z "$pid" ]]; then
    if [[ -f "$KAFKA_PID_FILE" ]]; then
      log "kafka: pid file is stale, removing it"
      rm -f "$KAFKA_PID_FILE"
    else
      log "kafka: not started by this script, leaving it alone"
    fi
    return 0
  fi
  log "kafka: stopping pid $pid (SIGTERM, up to ${KAFKA_STOP_TIMEOUT_S}s)"
  stop_pid "$pid" "$KAFKA_STOP_TIMEOUT_S" kafka
  rm -f "$KAFKA_PID_FILE"
  log "kafka: stopped"
}

kafka_status() {
  local pid rc=0 ver
  pid="$(kafka_pid)"
  kafka_probe || rc=$?
  if [[ -n "$pid" ]]; then
    ver="$(cat "$KAFKA_VERSION_FILE" 2>/dev/null || echo "$KAFKA_VERSION")"
    if ((rc == 0)); then
      echo "kafka    up    $HOST:$KAFKA_PORT pid=$pid version=$ver"
    else
      echo "kafka    down  $HOST:$KAFKA_PORT pid=$pid version=$ver (process alive, broker not answering)"
    fi
  elif ((rc == 0)); then
    echo "kafka    up    $HOST:$KAFKA_PORT pid=- version=unknown (not started by stack.sh)"
  else
    echo "kafka    down  $HOST:$KAFKA_PORT version=$KAFKA_VERSION"
  fi
  return "$rc"
}

# ------------------------------------------------------------- postgres ----

pg_ready() { pg_isready -q -h "$HOST" -p "$PGPORT" -t 2 >/dev/null 2>&1; }

pg_psql() { psql -X -q -w -v ON_ERROR_STOP=1 -h "$HOST" -p "$PGPORT" -U postgres "$@" </dev/null; }

# "version cluster port status" of the cluster serving $PGPORT (or the first one).
pg_cluster() {
  command -v pg_lsclusters >/dev/null 2>&1 || return 0
  local line
  line="$(pg_lsclusters -h 2>/dev/null | awk -v p="$PGPORT" '$3 == p { print $1, $2, $3, $4; exit }')"
  [[ -n "$line" ]] || line="$(pg_lsclusters -h 2>/dev/null | awk 'NR == 1 { print $1, $2, $3, $4 }')"
  printf '%s\n' "$line"
}

pg_ctl_cluster() { as_root pg_ctlcluster --skip-systemctl-redirect "$@" </dev/null; }

pg_up() {
  local ver name port _
  if ! pg_ready; then
    if ! command -v pg_isready >/dev/null 2>&1 || [[ -z "$(pg_cluster)" ]]; then
      apt_install postgresql
    fi
    if ! pg_ready; then
      read -r ver name port _ <<<"$(pg_cluster)"
      [[ -n "${ver:-}" ]] || die "postgresql is installed but has no cluster (pg_lsclusters is empty)"
      [[ "$port" == "$PGPORT" ]] || die "postgres cluster $ver/$name uses port $port, not PGPORT=$PGPORT"
      log "postgres: starting cluster $ver/$name"
      pg_ctl_cluster "$ver" "$name" start || die "pg_ctlcluster $ver $name start failed"
      printf '%s %s\n' "$ver" "$name" >"$PG_STARTED_MARKER"
      for _ in $(seq 1 60); do pg_ready && break; sleep 0.5; done
      pg_ready || die "postgres does not answer on $HOST:$PGPORT after start"
    else
      # apt-get started it during installation: it is ours to stop
      read -r ver name port _ <<<"$(pg_cluster)"
      [[ -n "${ver:-}" ]] && printf '%s %s\n' "$ver" "$name" >"$PG_STARTED_MARKER"
    fi
  else
    if [[ -f "$PG_STARTED_MARKER" ]]; then
      log "postgres: already running on $HOST:$PGPORT (started by this script)"
    else
      log "postgres: already running on $HOST:$PGPORT, using it"
    fi
  fi

  # Trust connections from 127.0.0.1 -- only touch pg_hba.conf if they fail.
  if ! pg_psql -tAc 'select 1' >/dev/null 2>&1; then
    read -r ver name port _ <<<"$(pg_cluster)"
    local hba="/etc/postgresql/${ver:-?}/${name:-?}/pg_hba.conf"
    [[ -f "$hba" ]] || die "cannot connect as postgres@$HOST:$PGPORT and $hba does not exist"
    log "postgres: allowing trust auth from 127.0.0.1/32 in $hba (backup: $hba.adgate.bak)"
    as_root cp -n "$hba" "$hba.adgate.bak"
    as_root sed -i '0,/^[[:space:]]*\(local\|host\)/s//host    all    all    127.0.0.1\/32    trust  # added by adgate scripts\/stack.sh\n&/' "$hba"
    pg_ctl_cluster "$ver" "$name" reload
    for _ in $(seq 1 20); do pg_psql -tAc 'select 1' >/dev/null 2>&1 && break; sleep 0.25; done
    pg_psql -tAc 'select 1' >/dev/null || die "still cannot connect as postgres@$HOST:$PGPORT"
  fi

  # The default ADGATE_DATABASE_URL names no user, so libpq connects as the
  # OS user: make sure that role exists (a fresh apt install has only postgres).
  local me
  me="$(id -un)"
  if [[ "$(pg_psql -tAc "select 1 from pg_roles where rolname = '$me'")" != 1 ]]; then
    log "postgres: creating role $me (superuser, for the local stack only)"
    pg_psql -c "CREATE ROLE \"$me\" LOGIN SUPERUSER"
  fi

  if [[ "$(pg_psql -tAc "select 1 from pg_database where datname = '$STACK_DB'")" != 1 ]]; then
    log "postgres: creating database $STACK_DB"
    pg_psql -c "CREATE DATABASE \"$STACK_DB\""
  fi
  log "postgres: ready on $HOST:$PGPORT (database $STACK_DB)"
}

pg_down() {
  if [[ ! -f "$PG_STARTED_MARKER" ]]; then
    log "postgres: not started by this script, leaving it alone"
    return 0
  fi
  local ver name
  read -r ver name <"$PG_STARTED_MARKER"
  log "postgres: stopping cluster $ver/$name (started by this script)"
  pg_ctl_cluster "$ver" "$name" stop || warn "pg_ctlcluster $ver $name stop failed"
  rm -f "$PG_STARTED_MARKER"
}

pg_status() {
  local ours=""
  [[ -f "$PG_STARTED_MARKER" ]] && ours=" (started by stack.sh)"
  if pg_ready; then
    if pg_psql -tAc 'select 1' >/dev/null 2>&1; then
      local has
      has="$(pg_psql -tAc "select 1 from pg_database where datname = '$STACK_DB'" 2>/dev/null || true)"
      echo "postgres up    $HOST:$PGPORT db=$STACK_DB$([[ "$has" == 1 ]] || echo '(missing)')$ours"
      [[ "$has" == 1 ]]
    else
      echo "postgres up    $HOST:$PGPORT (cannot log in as postgres)$ours"
      return 1
    fi
  else
    echo "postgres down  $HOST:$PGPORT$ours"
    return 1
  fi
}

# ---------------------------------------------------------------- redis ----

redis_ready() { [[ "$(redis-cli -h "$HOST" -p "$REDIS_PORT" ping 2>/dev/null </dev/null)" == PONG ]]; }

redis_pid() { live_pid "$REDIS_PID_FILE" redis-server ":$REDIS_PORT"; }

redis_up() {
  if command -v redis-cli >/dev/null 2>&1 && redis_ready; then
    if [[ -n "$(redis_pid)" ]]; then
      log "redis: already running on $HOST:$REDIS_PORT (pid $(redis_pid), started by this script)"
    else
      log "redis: already running on $HOST:$REDIS_PORT, using it"
    fi
    return 0
  fi
  if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
    apt_install redis-server
  fi
  if redis_ready; then
    log "redis: running on $HOST:$REDIS_PORT after installation, using it"
    return 0
  fi
  log "redis: starting redis-server on $HOST:$REDIS_PORT (no persistence)"
  mkdir -p "$STACK_DIR/redis"
  redis-server --daemonize yes --bind "$HOST" -::1 --port "$REDIS_PORT" \
    --save "" --appendonly no --dir "$STACK_DIR/redis" \
    --pidfile "$REDIS_PID_FILE" --logfile "$LOG_DIR/redis.log" </dev/null \
    || die "redis-server failed to start (see $LOG_DIR/redis.log)"
  for _ in $(seq 1 50); do redis_ready && break; sleep 0.2; done
  redis_ready || { tail -n 20 "$LOG_DIR/redis.log" >&2 || true; die "redis does not answer on $HOST:$REDIS_PORT"; }
  log "redis: ready on $HOST:$REDIS_PORT (pid $(redis_pid))"
}

redis_down() {
  local pid
  pid="$(redis_pid)"
  if [[ -z "$pid" ]]; then
    [[ -f "$REDIS_PID_FILE" ]] && rm -f "$REDIS_PID_FILE"
    log "redis: not started by this script, leaving it alone"
    return 0
  fi
  log "redis: stopping pid $pid (started by this script)"
  stop_pid "$pid" 30 redis
  rm -f "$REDIS_PID_FILE"
}

redis_status() {
  local pid ours=""
  pid="$(redis_pid)"
  [[ -n "$pid" ]] && ours=" pid=$pid (started by stack.sh)"
  if command -v redis-cli >/dev/null 2>&1 && redis_ready; then
    echo "redis    up    $HOST:$REDIS_PORT$ours"
  else
    echo "redis    down  $HOST:$REDIS_PORT$ours"
    return 1
  fi
}

# ----------------------------------------------------------------- main ----

cmd_up() {
  UP_T0=$SECONDS
  require_tools node
  pg_up
  redis_up
  # Even when a broker already answers: the tests' private brokers and the
  # bench's Kafka tools run from these jars (idempotent once fetched).
  kafka_fetch_jars
  kafka_up
  log "up: all components ready in $((SECONDS - UP_T0))s"
}

cmd_down() {
  kafka_down
  redis_down
  pg_down
}

cmd_status() {
  local bad=0
  kafka_status || bad=1
  pg_status || bad=1
  redis_status || bad=1
  return $((bad ? 3 : 0))
}

main() {
  local cmd="${1:-}"
  case "$cmd" in
    -h | --help | help) usage; return 0 ;;
    up | down | status) ;;
    "") usage >&2; return 64 ;;
    *) printf 'stack: unknown command: %s\n' "$cmd" >&2; usage >&2; return 64 ;;
  esac
  [[ $# -le 1 ]] || { printf 'stack: unexpected arguments: %s\n' "${*:2}" >&2; return 64; }
  validate_env
  mkdir -p "$STACK_DIR" "$LOG_DIR"
  case "$cmd" in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
  esac
}

main "$@"
