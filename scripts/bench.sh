#!/usr/bin/env bash
# The benchmark from a fresh clone: dependencies, the local stack (Kafka,
# PostgreSQL, Redis), a build, then one run of loadtest/run-bench.ts.
#   scripts/bench.sh quick [options]   npm run bench       (90 s or less in total)
#   scripts/bench.sh full [options]    npm run bench:full  (about 8 minutes)
# Extra options go to the benchmark: scripts/bench.sh quick --help lists them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mode="${1:-quick}"
case "$mode" in
  quick | full) shift || true ;;
  *) mode=quick ;;
esac
for arg in "$@"; do
  if [[ "$arg" == "--help" || "$arg" == "-h" ]]; then
    if [[ -f dist/loadtest/run-bench.js ]]; then exec node dist/loadtest/run-bench.js --help; fi
  fi
done
bash scripts/ensure-deps.sh
bash scripts/stack.sh up
npm run --silent build
exec node dist/loadtest/run-bench.js --mode "$mode" "$@"
