#!/usr/bin/env bash
# bench/fleet/raw-downgrade.sh SSH_CONFIG HOST... — the raw floor of the fleet benchmark: plain ssh,
# 10 hosts at once (xargs -P 10), one connection per host doing the same four things as plan.yaml
# and downgrade.yml: stop shopd, apt-downgrade it to 2.1.0, start it, wait for /health to report
# 2.1.0 (every 100 ms, up to 15 s). No staging, no journal, no rollback. Exit 0 when every host did.
set -euo pipefail

[[ $# -ge 2 ]] || { echo "usage: $0 SSH_CONFIG HOST..." >&2; exit 64; }
config=$1; shift

read -r -d '' on_host <<'EOS' || true
set -e
export DEBIAN_FRONTEND=noninteractive
supervisorctl stop shopd >/dev/null
apt-get install -y -q --allow-downgrades -o Dpkg::Options::=--force-confdef \
  -o Dpkg::Options::=--force-confold shopd=2.1.0 </dev/null >/tmp/downgrade.log 2>&1
supervisorctl start shopd >/dev/null
for _ in $(seq 150); do
  curl -fsS http://127.0.0.1:8080/health 2>/dev/null | grep -q '"version": *"2.1.0"' && exit 0
  sleep 0.1
done
echo "$(hostname): /health did not report 2.1.0 within 15 s" >&2
exit 1
EOS

printf '%s\n' "$@" | xargs -P 10 -I{} timeout 120 ssh -F "$config" {} "bash -c $(printf '%q' "$on_host")"
