#!/usr/bin/env bash
# ./demo.sh — the runbook's case (C1) end to end, on a fleet of three real test hosts:
#   three Debian hosts come up on this machine (network namespaces, own dpkg database, own sshd:
#   `downshift lab`), each runs shopd 2.3.0 from a real .deb (its middleware breaks every 3rd order).
#   The orders live in each host's own PostgreSQL (schema 2.3). Downshift downgrades the fleet to the
#   2.1.0 package over SSH — canary h1 first, then h2 and h3 — with live progress per host: a full
#   backup while shopd serves and an incremental after the stop, each restored to scratch and
#   compared; the schema migrated down (U2_3) with no order lost; rolls that back on request (the
#   database restored from the verified backup, row for row); then runs the failing variant (the
#   broken 2.2.0 package), which stops at the canary and rolls back by itself, its database restored.
#   Everything is torn down at the end. Reports, the journal and the backups are kept in .demo/.
#   The first run on a machine builds the hosts' Debian root with debootstrap (5–10 minutes, cached).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
root=$PWD

step() { printf '\n\033[1;36m== %s\033[0m\n' "$*"; }

packages=(python3 curl supervisor debootstrap dpkg-dev rpm createrepo-c openssh-client iproute2 util-linux tar gzip)
installed="$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${packages[@]}" 2>/dev/null || true)"
missing=()
for package in "${packages[@]}"; do grep -qE "^$package ii" <<<"$installed" || missing+=("$package"); done
if ((${#missing[@]})); then
    step "installing what the demo needs (${missing[*]})"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi
command -v dotnet >/dev/null || { echo "demo: the .NET 10 SDK (dotnet) is required: https://dotnet.microsoft.com/download" >&2; exit 1; }

out="$root/.demo"
rm -rf "$out/repo" "$out/backups" && mkdir -p "$out/reports" "$out/repo"
export DOWNSHIFT_JOURNAL="$out/journal.db" DOWNSHIFT_BACKUP_STORE="$out/backups"
lab=demo
cleanup() { "$root/downshift" lab down --name "$lab" >/dev/null 2>&1 || true; }
trap cleanup EXIT

step "1. building the CLI and the shop's packages (shopd 2.1.0, 2.2.0 broken, 2.3.0 as .deb and .rpm)"
./downshift --version
examples/shop/packaging/build.sh "$out/repo"
ls "$out/repo/deb"

step "2. three test hosts (downshift lab up 3)"
cleanup
./downshift lab up 3 --name "$lab" --repo "$out/repo"
labdir=$(./downshift lab status --name "$lab" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["directory"])')
hosts_opts=(--inventory "$labdir/inventory.ini" --known-hosts "$labdir/known_hosts")
address() { awk -v h="$1" '$1==h {for (i=2;i<=NF;i++) if ($i ~ /^ansible_host=/) {sub("ansible_host=","",$i); print $i}}' "$labdir/inventory.ini"; }
health() { for h in h1 h2 h3; do echo "  $h GET /health -> $(curl -s "http://$(address $h):8080/health")"; done; }
orders() { # HOST N -> POST N orders, print the status codes
    local codes=()
    for _ in $(seq "$2"); do
        codes+=("$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
            -d '{"item":"demo","qty":1}' "http://$(address "$1"):8080/orders")")
    done
    echo "  $1 POST /orders x$2 -> ${codes[*]}"
}
database() { # what each host's PostgreSQL holds, read with psql on the host itself
    local sql="SELECT count(*) || ' orders; columns ' || (SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name = 'orders') || '; coupons table: ' || CASE WHEN to_regclass('public.coupons') IS NULL THEN 'no' ELSE 'yes' END FROM orders"
    for h in h1 h2 h3; do
        echo "  $h shop database: $(./downshift lab exec "$h" --name "$lab" -- "cd / && runuser -u postgres -- psql -XAtq -d shop -c \"$sql\"")"
    done
}

step "3. shopd 2.3.0 from its package on every host, orders in its PostgreSQL (examples/shop/fleet/setup.sh --postgres)"
examples/shop/fleet/setup.sh --postgres "$labdir/ssh_config" h1 h2 h3
health
orders h1 3
database

step "4. the plan: validated, and its dry run (canary h1, then h2 + h3)"
./downshift validate examples/shop/fleet/plan-data.yaml "${hosts_opts[@]}"
./downshift plan examples/shop/fleet/plan-data.yaml "${hosts_opts[@]}"

step "5. the fleet downgrade 2.3.0 -> 2.1.0, over SSH, live per host: backup (verified), schema down, package, config"
first=$(./downshift run examples/shop/fleet/plan-data.yaml "${hosts_opts[@]}" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["run"])')
health
orders h2 3
database
./downshift backups
./downshift report "$first" -o "$out/reports/$first.md"

step "6. rolling that run back on request (downshift rollback): the databases restored from the verified backups"
./downshift rollback "$first" "${hosts_opts[@]}" --json >/dev/null || [[ $? -eq 3 ]]
health
database

step "7. the failing variant: the broken 2.2.0 package fails on the canary after its schema went down; the fleet stops and rolls back"
set +e
second=$(./downshift run examples/shop/fleet/plan-data-failing.yaml "${hosts_opts[@]}" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["run"])')
code=${PIPESTATUS[0]}
set -e
echo "exit code: $code (3 = rolled back cleanly)"
health
database
./downshift report "$second" -o "$out/reports/$second.md"

step "7b. the failure a health check misses: the migration forgotten — /health says 2.1.0, every order fails; the monitor catches it on the canary"
set +e
third=$(./downshift run examples/shop/fleet/plan-monitor-failing.yaml "${hosts_opts[@]}" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["run"])')
code_monitor=${PIPESTATUS[0]}
set -e
echo "exit code: $code_monitor (3 = rolled back by the trigger)"
health
./downshift report "$third" -o "$out/reports/$third.md"
sed -n '/^## Monitoring/,/^### Trigger/p' "$out/reports/$third.md" | head -8

step "8. the record"
./downshift runs
echo
echo "reports: $out/reports/$first.md"
echo "         $out/reports/$second.md"
echo "         $out/reports/$third.md"
echo "journal: $DOWNSHIFT_JOURNAL  (./downshift log $second)"
echo "backups: $DOWNSHIFT_BACKUP_STORE  (./downshift backups)"
step "9. tearing the hosts down"
cleanup
trap - EXIT
[[ $code -eq 3 && $code_monitor -eq 3 ]]
