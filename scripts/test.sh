#!/usr/bin/env bash
# The whole test suite, from a fresh clone: dependencies, Prometheus from
# Debian, the local stack (Kafka, PostgreSQL, Redis), a build, then every test against the real
# servers. Extra arguments are passed to node --test (e.g. a file to run).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/ensure-deps.sh
# promtool for the alert rules' unit tests, prometheus for the real-Prometheus test.
bash scripts/ensure-prometheus.sh
bash scripts/stack.sh up
npm run --silent build
if [[ $# -gt 0 ]]; then
  files=("$@")
else
  # Unit tests first (seconds), then the integration suites.
  mapfile -t files < <(
    find dist/test -name '*.test.js' -not -path '*/integration/*' | sort
    find dist/test -path '*/integration/*' -name '*.test.js' | sort
  )
fi
# One file at a time: the integration suites share two cores with Kafka,
# PostgreSQL and Redis, and some of them restart PostgreSQL or Redis.
exec node --test --test-concurrency=1 --test-timeout=600000 "${files[@]}"
