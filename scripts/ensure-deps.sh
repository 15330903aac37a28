#!/usr/bin/env bash
# Installs the npm dependencies when node_modules is missing or older than
# the lock file, so that the README's commands work on a fresh clone.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "deps: npm ci"
  npm ci --no-audit --no-fund
fi
