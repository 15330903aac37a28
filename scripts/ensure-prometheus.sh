#!/usr/bin/env bash
# Installs Debian's `prometheus` package (it ships `prometheus` and
# `promtool`) when either binary is missing, as stack.sh does for PostgreSQL
# and Redis: the alert rules' unit tests (promtool test rules) and the
# real-Prometheus integration test need both. The tests start their own
# Prometheus on a free loopback port; the package's service is never used,
# so it is kept from starting, and stopped and disabled if it did start
# (it would hold :9090 and scrape nothing of ours).
set -euo pipefail

have_both() {
  command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1
}

as_root() {
  if [[ $EUID -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo -n "$@"
  else
    echo "prometheus: need root for: $*" >&2
    exit 1
  fi
}

# The package's own service: stopped and disabled whichever init runs here.
stop_package_service() {
  if command -v systemctl >/dev/null 2>&1 && [[ -d /run/systemd/system ]]; then
    as_root systemctl disable --now prometheus >/dev/null 2>&1 || true
  fi
  if [[ -x /etc/init.d/prometheus ]]; then
    as_root /etc/init.d/prometheus stop >/dev/null 2>&1 || true
    as_root update-rc.d prometheus disable >/dev/null 2>&1 || true
  fi
}

if ! have_both; then
  echo "prometheus: installing Debian's prometheus package with apt-get"
  log="$(mktemp)"
  # Recommends would add prometheus-node-exporter, a second service we do not want.
  if ! { as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus; } \
    </dev/null >"$log" 2>&1; then
    tail -n 20 "$log" >&2
    echo "prometheus: apt-get install prometheus failed" >&2
    exit 1
  fi
  rm -f "$log"
  stop_package_service
fi
have_both || {
  echo "prometheus: prometheus or promtool still not on PATH after install" >&2
  exit 1
}
