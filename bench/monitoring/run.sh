#!/usr/bin/env bash
# bench/monitoring/run.sh [ROUNDS] — fault → rollback (issue 5). On a 1-host lab running shopd 2.3.0:
# `downshift run bench/monitoring/plan.yaml` restarts shopd, then bakes for 40 s with a 1 s probe
# interval and the rule "http.health.error_rate > 50%". Ten seconds into the bake the benchmark
# breaks shopd (supervisorctl stop inside the host; from then on /health is refused), and measures:
#   detect   the fault → the journal's RollbackStarted record            (goal ≤ 2 s)
#   healthy  the fault → the first /health 200 from the original after the rollback (polled every 20 ms)
# per round (default 3). The host's sampling cost is measured separately by the Monitoring
# integration tests (src/Downshift/Monitoring/README.md). Writes bench/results/monitoring.md.
# Run from anywhere, as root, after ./test.sh has run once.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
rounds=${1:-3}
name=bmo
work=$(mktemp -d /tmp/downshift-bench-monitoring.XXXXXX)
cleanup() { ./downshift lab down --name "$name" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }
now_ms() { date +%s%3N; }

log "building the CLI and the shopd packages"
./downshift --version >/dev/null
cp -r .build/cli "$work/cli"
downshift() { DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 dotnet "$work/cli/downshift.dll" "$@"; }
examples/shop/packaging/build.sh "$work/repo" >"$work/packages.log" 2>&1 || { cat "$work/packages.log" >&2; exit 1; }
./downshift lab down --name "$name" >/dev/null 2>&1 || true
./downshift lab up 1 --name "$name" --repo "$work/repo" >"$work/lab-up.log" 2>&1 || { cat "$work/lab-up.log" >&2; exit 1; }
./downshift lab status --name "$name" --json >"$work/lab.json"
field() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$work/lab.json" "$1"; }
address=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['hosts'][0]['address'])" "$work/lab.json")
examples/shop/fleet/setup.sh "$(field sshConfig)" h1 >"$work/setup.log" 2>&1 || { cat "$work/setup.log" >&2; exit 1; }
export DOWNSHIFT_JOURNAL="$work/journal.db"
opts=(--inventory "$(field inventory)" --known-hosts "$(field knownHosts)" --ssh-key "$(field privateKey)")
load_start=$(cut -d' ' -f1-3 /proc/loadavg)

results="$work/results.tsv"
for round in $(seq 1 "$rounds"); do
    out="$work/run-$round.log"
    downshift run bench/monitoring/plan.yaml "${opts[@]}" --json >"$out.json" 2>"$out" &
    pid=$!
    for _ in $(seq 1 600); do grep -q "bake: watching" "$out" && break; sleep 0.1; done
    grep -q "bake: watching" "$out" || { log "round $round: the bake did not start"; cat "$out" >&2; exit 1; }
    sleep 10
    fault=$(now_ms)
    ./downshift lab exec h1 --name "$name" -- supervisorctl stop shopd >/dev/null
    fault_done=$(now_ms)
    # The original is healthy again when /health answers 200 after the fault (the rollback started it).
    healthy=""
    for _ in $(seq 1 3000); do
        if curl -fsS -m 1 -o /dev/null "http://$address:8080/health" 2>/dev/null; then healthy=$(now_ms); break; fi
        sleep 0.02
    done
    code=0; wait "$pid" || code=$?
    run=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['run'])" "$out.json")
    started=$(sqlite3 "$DOWNSHIFT_JOURNAL" "SELECT time FROM records WHERE run_id = '$run' AND event = 'RollbackStarted' ORDER BY sequence LIMIT 1")
    started_ms=$(python3 -c "import sys,datetime; print(int(datetime.datetime.fromisoformat(sys.argv[1]).timestamp()*1000))" "$started")
    rule=$(sqlite3 "$DOWNSHIFT_JOURNAL" "SELECT result FROM records WHERE run_id = '$run' AND event = 'Note' AND result LIKE 'trigger %' LIMIT 1")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$code" "$fault" "$fault_done" "$started_ms" "${healthy:-}" "$rule" >>"$results"
    log "round $round: exit $code, detect $(( started_ms - fault )) ms, healthy $(( ${healthy:-0} - fault )) ms"
done

python3 - "$results" "$load_start" "$(cut -d' ' -f1-3 /proc/loadavg)" "$(./downshift --version 2>/dev/null | head -1)" "$rounds" >bench/results/monitoring.md <<'PY'
import statistics, sys, datetime, os
path, load_start, load_end, version, rounds = sys.argv[1:6]
rows = [line.rstrip('\n').split('\t') for line in open(path)]
def med(xs): return statistics.median(xs) if xs else float('nan')
detect = [int(r[4]) - int(r[2]) for r in rows]
healthy = [int(r[5]) - int(r[2]) for r in rows if r[5]]
print("# Fault → rollback: how fast the monitor acts (issue 5)\n")
print(f"Measured {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC by `bench/monitoring/run.sh {rounds}` on {os.uname().nodename}: "
      f"{os.cpu_count()} cores, load at the start {load_start}, at the end {load_end}. Downshift `{version}`.\n")
print("One lab host running shopd 2.3.0. `downshift run bench/monitoring/plan.yaml` restarts shopd, then bakes 40 s with "
      "`interval: 1s`, a `/health` probe (two requests per second, 900 ms timeout) and the rule `http.health.error_rate > 50%` "
      "(one sample). Ten seconds into the bake the benchmark stops shopd inside the host (`supervisorctl stop`, via nsenter). "
      "**detect** = the fault's start → the journal's `RollbackStarted` record; **healthy** = the fault's start → the first "
      "`/health` 200 seen by a controller-side poller (every 20 ms) after the rollback started shopd again.\n")
print("| round | exit | detect (ms) | healthy (ms) | the rule, as journaled |")
print("|---|---|---|---|---|")
for r in rows:
    h = str(int(r[5]) - int(r[2])) if r[5] else "never"
    print(f"| {r[0]} | {r[1]} | {int(r[4]) - int(r[2])} | {h} | {r[6]} |")
print()
print("| | median | min | max | goal |")
print("|---|---|---|---|---|")
print(f"| detect (ms) | {med(detect):.0f} | {min(detect)} | {max(detect)} | ≤ 2000 with a 1 s probe interval: **{'met' if med(detect) <= 2000 else 'missed'}** |")
if healthy:
    print(f"| healthy (ms) | {med(healthy):.0f} | {min(healthy)} | {max(healthy)} | |")
print("\n**Monitoring overhead on a host** (from the Monitoring integration tests, `src/Downshift/Monitoring/README.md`): "
      "one /proc reading costs 6.1–7.3 ms of host CPU (sshd channel, the transport's wrapper and `cat`), "
      "0.61–0.73 % of one core at a 1 s interval (goal < 1 %: met).\n")
print("Where the detect time goes: up to one probe period (500 ms) until a request fails, the sampling window closing "
      "at the next 1 s tick, the rule judged on that batch, then the undo's journal record. With `for 2s` it is 2 s more.")
PY
log "wrote bench/results/monitoring.md"
