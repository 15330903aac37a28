#!/usr/bin/env bash
# The benchmarks from a fresh clone: dependencies, the local stack (Kafka,
# PostgreSQL, Redis), a build, then one run.
#   scripts/bench.sh quick [options]     npm run bench          (about 2 minutes in total)
#   scripts/bench.sh full [options]      npm run bench:full     (about 8 minutes)
#   scripts/bench.sh rolling [options]   npm run bench:rolling  (a rolling restart at
#                                        steady load, loadtest/rolling/rolling-restart.ts; under 4 minutes)
# quick and full run loadtest/bench/run-bench.ts. Extra options go to the benchmark:
# scripts/bench.sh quick --help (or rolling --help) lists them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mode="${1:-quick}"
case "$mode" in
  quick | full | rolling) shift || true ;;
  *) mode=quick ;;
esac
# `scripts/bench.sh quick -- --rate 5000`: the -- only separates the mode from the options.
if [[ "${1:-}" == "--" ]]; then shift; fi
if [[ "$mode" == rolling ]]; then
  entry=dist/loadtest/rolling/rolling-restart.js
  mode_args=()
else
  entry=dist/loadtest/bench/run-bench.js
  mode_args=(--mode "$mode")
fi
for arg in "$@"; do
  if [[ "$arg" == "--help" || "$arg" == "-h" ]]; then
    if [[ -f "$entry" ]]; then exec node "$entry" --help; fi
  fi
done
bash scripts/ensure-deps.sh
bash scripts/stack.sh up
npm run --silent build
exec node "$entry" "${mode_args[@]}" "$@"
