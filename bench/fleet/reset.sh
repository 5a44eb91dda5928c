#!/usr/bin/env bash
# bench/fleet/reset.sh SSH_CONFIG HOST... — put every HOST where each benchmark round starts:
# shopd 2.3.0 installed from the lab's apt repository with its PRISTINE conffile, not held,
# running under the host's supervisord and answering /health with 2.3.0. All hosts at once.
#
# The conffile must be unmodified (unlike examples/shop/fleet/setup.sh, which edits it for the
# case study): 2.1.0 refuses 2.3.0's middleware_compat key, and only an unmodified conffile is
# replaced by 2.1.0's on the downgrade (dpkg --force-confdef), so every method starts 2.1.0 cleanly.
# Deleting the conffile and reinstalling with --force-confmiss brings back the package's bytes.
set -euo pipefail

[[ $# -ge 2 ]] || { echo "usage: $0 SSH_CONFIG HOST..." >&2; exit 64; }
config=$1; shift

read -r -d '' on_host <<'EOS' || true
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-mark unhold shopd >/dev/null 2>&1 || true
apt-get install -y -q --allow-downgrades --allow-change-held-packages \
  -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold shopd=2.3.0 >/tmp/reset.log 2>&1 \
  || { cat /tmp/reset.log >&2; exit 1; }
rm -f /etc/shopd/shopd.conf /etc/shopd/shopd.conf.dpkg-*
apt-get install -y -q --reinstall -o Dpkg::Options::=--force-confmiss shopd=2.3.0 >/tmp/reset.log 2>&1 \
  || { cat /tmp/reset.log >&2; exit 1; }
grep -q '^middleware_compat=strict$' /etc/shopd/shopd.conf
supervisorctl reread >/dev/null
supervisorctl update shopd >/dev/null
supervisorctl restart shopd >/dev/null
for _ in $(seq 1 100); do
  if curl -fsS http://127.0.0.1:8080/health 2>/dev/null | grep -q '"version": *"2.3.0"'; then exit 0; fi
  sleep 0.1
done
echo "$(hostname): shopd 2.3.0 did not answer on :8080 within 10 s" >&2
supervisorctl status shopd >&2 || true
exit 1
EOS

pids=()
for host in "$@"; do
  timeout 120 ssh -F "$config" "$host" "bash -c $(printf '%q' "$on_host")" &
  pids+=($!)
done
failed=0
for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
exit $failed
