#!/bin/bash
# setup.sh [--pristine] [--postgres] SSH_CONFIG HOST... — put every HOST where case C1 starts: shopd 2.3.0
# installed from the lab's apt repository and running under the host's supervisord, answering on :8080.
#
#   --postgres   orders in the host's own PostgreSQL (the lab's `postgresql` program, started here): a
#                fresh database `shop` (role `shop`) at schema 2.3 — ../db/migrations V2_1 and V2_3
#                applied, with their rows in flyway_schema_history — `db=postgresql:…` in the conffile,
#                two coupons, and three orders placed through shopd 2.3.0 (the third is the one its
#                middleware rejects, so two are stored). Without it, orders go to SQLite as before.
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

pristine=0 postgres=0
while [[ ${1:-} == --* ]]; do
  case $1 in
    --pristine) pristine=1 ;;
    --postgres) postgres=1 ;;
    *) echo "$0: unknown option $1" >&2; exit 64 ;;
  esac
  shift
done
[[ $# -ge 2 ]] || { echo "usage: $0 [--pristine] [--postgres] SSH_CONFIG HOST..." >&2; exit 64; }
CONFIG=$1; shift
MIGRATIONS="$(cd "$(dirname "${BASH_SOURCE[0]}")/../db/migrations" && pwd)"
# The schema at 2.3 as Flyway would have left it: the V scripts, each with its history row.
SCHEMA_SQL="$(
  cat <<'SQL'
CREATE TABLE flyway_schema_history (
    installed_rank integer      NOT NULL PRIMARY KEY,
    version        varchar(50),
    description    varchar(200) NOT NULL,
    type           varchar(20)  NOT NULL,
    script         varchar(1000) NOT NULL,
    checksum       integer,
    installed_by   varchar(100) NOT NULL,
    installed_on   timestamp    NOT NULL DEFAULT now(),
    execution_time integer      NOT NULL,
    success        boolean      NOT NULL
);
SQL
  rank=0
  for v in V2_1__orders.sql V2_3__coupons_and_quantity.sql; do
    rank=$((rank + 1))
    version=${v#V}; version=${version%%__*}; version=${version//_/.}
    description=${v#*__}; description=${description%.sql}; description=${description//_/ }
    cat "$MIGRATIONS/$v"
    echo "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success) VALUES ($rank, '$version', '$description', 'SQL', '$v', NULL, 'setup.sh', 0, true);"
  done
  echo "INSERT INTO coupons (code, percent) VALUES ('NIGHT10', 10), ('WEEKEND25', 25);"
)"

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
if [ "$POSTGRES" = 1 ]; then
  cd /  # runuser -u postgres cannot read root's home
  export PGOPTIONS='-c client_min_messages=warning'
  supervisorctl start postgresql >/dev/null 2>&1 || true
  for _ in $(seq 1 100); do runuser -u postgres -- pg_isready -q 2>/dev/null && break; sleep 0.1; done
  runuser -u postgres -- pg_isready -q || { echo "$(hostname): PostgreSQL did not start" >&2; tail -n 5 /var/log/postgresql.log >&2; exit 1; }
  supervisorctl stop shopd >/dev/null 2>&1 || true
  runuser -u postgres -- psql -Xq -v ON_ERROR_STOP=1 \
    -c "DROP DATABASE IF EXISTS shop WITH (FORCE)" -c "DROP ROLE IF EXISTS shop" \
    -c "CREATE ROLE shop LOGIN PASSWORD 'shop'" -c "CREATE DATABASE shop OWNER shop" >/dev/null
  printf '%s\n' "$SCHEMA_SQL" | runuser -u postgres -- psql -Xq -v ON_ERROR_STOP=1 -d shop \
    -c "SET ROLE shop" -f - >/dev/null
  sed -i 's|^db=.*|db=postgresql:dbname=shop user=shop password=shop host=127.0.0.1|' /etc/shopd/shopd.conf
fi
supervisorctl reread >/dev/null
supervisorctl update shopd >/dev/null
supervisorctl restart shopd >/dev/null
for _ in $(seq 1 100); do
  if curl -fsS http://127.0.0.1:8080/health 2>/dev/null | grep -q '"version": *"2.3.0"'; then
    if [ "$POSTGRES" = 1 ]; then
      for i in 1 2 3; do
        curl -sS -o /dev/null -X POST -H 'Content-Type: application/json' -d "{\"item\":\"before-$i\",\"qty\":$i}" http://127.0.0.1:8080/orders
      done
      stored=$(runuser -u postgres -- psql -XAt -d shop -c "SELECT count(*) FROM orders")
      echo "$(hostname): shopd 2.3.0 running on PostgreSQL (schema 2.3, $stored orders, 2 coupons)"
    else
      echo "$(hostname): shopd 2.3.0 running"
    fi
    exit 0
  fi
  sleep 0.1
done
echo "$(hostname): shopd 2.3.0 did not answer on :8080 within 10 s" >&2
supervisorctl status shopd >&2 || true
tail -n 5 /var/log/shopd.log >&2 || true
exit 1
EOS

pids=()
for host in "$@"; do
  timeout 120 ssh -F "$CONFIG" "$host" "PRISTINE=$pristine POSTGRES=$postgres SCHEMA_SQL=$(printf '%q' "$SCHEMA_SQL") bash -c $(printf '%q' "$ON_HOST")" &
  pids+=($!)
done
failed=0
for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
exit $failed
