#!/usr/bin/env bash
# Starts the gateway on the local stack with no configuration: installs the
# npm dependencies, brings up Kafka (KRaft), PostgreSQL and Redis, builds,
# applies the migrations and serves on http://127.0.0.1:8080 (ADGATE_* to change).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/ensure-deps.sh
bash scripts/stack.sh up
npm run --silent build
exec node dist/src/cli/main.js serve "$@"
