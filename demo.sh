#!/usr/bin/env bash
# ./demo.sh — the runbook's case (C1) end to end on this machine:
#   shopd 2.3.0 (whose middleware breaks every 3rd order) runs under supervisor in a temporary
#   prefix; Downshift downgrades it to 2.1.0 (stop, switch release, migrate config, start, check
#   health and orders), rolls that back on request, then runs the failing variant, which rolls
#   back by itself. Reports and the journal are kept in .demo/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
root=$PWD

step() { printf '\n\033[1;36m== %s\033[0m\n' "$*"; }
need() { command -v "$1" >/dev/null 2>&1; }

missing=()
for tool in python3 curl supervisord tar gzip flock; do need "$tool" || missing+=("$tool"); done
if ((${#missing[@]})); then
    step "installing what the demo needs (${missing[*]})"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        python3 curl supervisor tar gzip util-linux >/dev/null
fi
need dotnet || { echo "demo: the .NET 10 SDK (dotnet) is required: https://dotnet.microsoft.com/download" >&2; exit 1; }

out="$root/.demo"
mkdir -p "$out/reports"
prefix=$(mktemp -d /tmp/downshift-demo.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export DOWNSHIFT_JOURNAL="$out/journal.db" DOWNSHIFT_STATE_DIR="$prefix/state"
cleanup() { "$root/examples/shop/uninstall-demo.sh" "$prefix" >/dev/null 2>&1 || true; }
trap cleanup EXIT

vars=(--var "prefix=$prefix" --var "port=$port" --var "dist=$prefix/dist")
run_id() { python3 -c 'import json,sys; print(json.load(sys.stdin)["run"])'; }
orders() { # N -> POST N orders, print the status codes
    local codes=()
    for _ in $(seq "$1"); do
        codes+=("$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
            -d '{"item":"demo","qty":1}' "http://127.0.0.1:$port/orders")")
    done
    echo "POST /orders x$1 -> ${codes[*]}"
}

step "1. shopd 2.3.0 in $prefix (port $port), under its own supervisord"
SHOP_PORT=$port examples/shop/install-demo.sh "$prefix"
echo "GET /health -> $(curl -s "http://127.0.0.1:$port/health")"
orders 3

step "2. building the CLI and checking the plan"
./downshift validate examples/shop/plan.yaml "${vars[@]}"
./downshift plan examples/shop/plan.yaml "${vars[@]}"

step "3. the downgrade 2.3.0 -> 2.1.0"
first=$(./downshift run examples/shop/plan.yaml "${vars[@]}" --json | run_id)
echo "GET /health -> $(curl -s "http://127.0.0.1:$port/health")"
orders 3
./downshift report "$first" -o "$out/reports/$first.md"

step "4. rolling that run back on request (downshift rollback)"
./downshift rollback "$first" --json >/dev/null || [[ $? -eq 3 ]]
echo "GET /health -> $(curl -s "http://127.0.0.1:$port/health")"
./downshift report "$first" -o "$out/reports/$first.md"

step "5. the failing variant: the config migration forgets middleware_compat, 2.1.0 refuses to start"
set +e
second=$(./downshift run examples/shop/plan-failing.yaml "${vars[@]}" --json | run_id)
code=${PIPESTATUS[0]}
set -e
echo "exit code: $code (3 = rolled back cleanly)"
echo "GET /health -> $(curl -s "http://127.0.0.1:$port/health")"
./downshift report "$second" -o "$out/reports/$second.md"

step "6. the record"
./downshift runs
echo
echo "reports: $out/reports/$first.md"
echo "         $out/reports/$second.md"
echo "journal: $DOWNSHIFT_JOURNAL  (./downshift log $second)"
[[ $code -eq 3 ]]
