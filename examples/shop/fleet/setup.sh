#!/bin/bash
# setup.sh [--pristine] SSH_CONFIG HOST... — put every HOST where case C1 starts: shopd 2.3.0
# installed from the lab's apt repository and running under the host's supervisord, answering on :8080.
#
#   --pristine   leave the conffile exactly as the package ships it (bench/fleet uses this: only an
#                unmodified conffile is replaced by 2.1.0's on a downgrade with --force-confdef, so
#                every method it compares starts 2.1.0 cleanly)
#   SSH_CONFIG   an ssh_config naming the hosts (`downshift lab up` writes one: LAB_DIR/ssh_config)
#   HOST...      host names in it (h1 h2 …); all are set up at once, each within 120 s
#
# On each host: unhold and install shopd=2.3.0 (a downgrade or a reinstall is fine, conffile answers
# given). Without --pristine, set middleware_compat=lenient in /etc/shopd/shopd.conf (the admin's
# tuning that did not help — it also makes the conffile "edited", so a downgrade keeps it and leaves
# .dpkg-dist); with it, delete the conffile and reinstall with --force-confmiss (the package's bytes
# come back). Then `supervisorctl reread` + `update` (the package ships the program file; its postinst
# starts nothing) and `restart`, and wait up to 10 s for /health to say 2.3.0. Safe to run again.
set -euo pipefail

pristine=0
if [[ ${1:-} == --pristine ]]; then pristine=1; shift; fi
[[ $# -ge 2 ]] || { echo "usage: $0 [--pristine] SSH_CONFIG HOST..." >&2; exit 64; }
CONFIG=$1; shift

read -r -d '' ON_HOST <<'EOS' || true
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-mark unhold shopd >/dev/null 2>&1 || true
apt-get install -y -q --allow-downgrades --allow-change-held-packages \
  -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold shopd=2.3.0 >/tmp/setup.log 2>&1 \
  || { cat /tmp/setup.log >&2; exit 1; }
if [ "$PRISTINE" = 1 ]; then
  rm -f /etc/shopd/shopd.conf /etc/shopd/shopd.conf.dpkg-*
  apt-get install -y -q --reinstall -o Dpkg::Options::=--force-confmiss shopd=2.3.0 >/tmp/setup.log 2>&1 \
    || { cat /tmp/setup.log >&2; exit 1; }
  grep -q '^middleware_compat=strict$' /etc/shopd/shopd.conf
else
  sed -i 's/^middleware_compat=.*/middleware_compat=lenient/' /etc/shopd/shopd.conf
  rm -f /etc/shopd/shopd.conf.dpkg-*
fi
supervisorctl reread >/dev/null
supervisorctl update shopd >/dev/null
supervisorctl restart shopd >/dev/null
for _ in $(seq 1 100); do
  if curl -fsS http://127.0.0.1:8080/health 2>/dev/null | grep -q '"version": *"2.3.0"'; then echo "$(hostname): shopd 2.3.0 running"; exit 0; fi
  sleep 0.1
done
echo "$(hostname): shopd 2.3.0 did not answer on :8080 within 10 s" >&2
supervisorctl status shopd >&2 || true
tail -n 5 /var/log/shopd.log >&2 || true
exit 1
EOS

pids=()
for host in "$@"; do
  timeout 120 ssh -F "$CONFIG" "$host" "PRISTINE=$pristine bash -c $(printf '%q' "$ON_HOST")" &
  pids+=($!)
done
failed=0
for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
exit $failed
