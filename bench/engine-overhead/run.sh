#!/usr/bin/env bash
# bench/engine-overhead/run.sh [STEPS] — engine overhead per step, journal included (issue 2).
# Runs a plan of STEPS (default 1000) no-op shell steps (`true`) on the local host, then reads the
# journal: per step, overhead = the step's wall time (StepStarted → StepSucceeded) minus the time
# its command took. Peer in the same run: a plain bash loop that spawns `bash -c true` STEPS times
# (the floor of running one command). Writes bench/results/engine.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
root=$PWD
steps=${1:-1000}
work=$(mktemp -d /tmp/downshift-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

plan="$work/noop.yaml"
{
    printf 'downshift: 1\nname: engine-overhead\nreason: {kind: other, detail: "benchmark"}\nscope: {kind: system}\n'
    printf 'from: "a"\nto: "b"\nhosts: [local]\nphases:\n  - name: noop\n    steps:\n'
    for i in $(seq "$steps"); do
        printf '      - {id: s%d, kind: shell, command: "true", undo: none, undo-reason: "no-op"}\n' "$i"
    done
} >"$plan"

./downshift --version >/dev/null 2>&1 || true   # build once, outside the measurement
export DOWNSHIFT_JOURNAL="$work/journal.db" DOWNSHIFT_STATE_DIR="$work/state"

start=$(date +%s.%N)
./downshift run "$plan" --json >/dev/null 2>"$work/progress.log"
downshift_s=$(echo "$(date +%s.%N) - $start" | bc)

start=$(date +%s.%N)
for _ in $(seq "$steps"); do setsid bash -c true; done
peer_s=$(echo "$(date +%s.%N) - $start" | bc)

python3 - "$work/journal.db" "$steps" "$downshift_s" "$peer_s" "$root/bench/results/engine.md" <<'PY'
import sqlite3, statistics, sys, datetime, platform, os
db, steps, ds, peer, out = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
con = sqlite3.connect(db)
rows = con.execute("select step_index, event, time, duration_ms from records where step_index is not null order by sequence").fetchall()
start, end, cmd = {}, {}, {}
for idx, event, t, dur in rows:
    ts = datetime.datetime.fromisoformat(t).timestamp()
    if event == "StepStarted": start[idx] = ts
    elif event == "StepSucceeded": end[idx] = ts
    elif event == "Command": cmd[idx] = (dur or 0) / 1000.0
wall = [end[i] - start[i] for i in end if i in start]
over = [end[i] - start[i] - cmd.get(i, 0) for i in end if i in start]
med = statistics.median(over) * 1000
p95 = sorted(over)[int(len(over) * 0.95) - 1] * 1000
cmd_med = statistics.median(cmd.values()) * 1000
verdict = "met" if med <= 5 else "NOT met"
text = f"""# Engine overhead per step (issue 2)

Measured {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M UTC} on {platform.node()} ({os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}) by `bench/engine-overhead/run.sh {steps}`.

{steps} no-op `shell` steps (`true`) on the local host, SQLite journal with synchronous=FULL (every record durable before the next action).

| measure | value |
|---|---|
| Downshift, whole run (CLI start to exit) | {ds:.2f} s ({ds / steps * 1000:.2f} ms per step) |
| peer: bash loop spawning `bash -c true` {steps}× | {peer:.2f} s ({peer / steps * 1000:.2f} ms per command) |
| ratio Downshift / peer | {ds / peer:.2f}× |
| median command time inside Downshift | {cmd_med:.2f} ms |
| **median engine overhead per step** (step wall time − command time) | **{med:.2f} ms** |
| p95 engine overhead per step | {p95:.2f} ms |

Goal: median overhead ≤ 5 ms per step — **{verdict}**.

Overhead includes the journal writes of every step (StepStarted, StepPrepared, Command, StepSucceeded: four durable
appends), the retry/timeout wrappers and the progress line.
"""
open(out, "w").write(text)
print(text)
PY
