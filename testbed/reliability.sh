#!/usr/bin/env bash
# testbed/reliability.sh — the reliability suites of issue 5 §6, printed as two Markdown tables into
# docs/reliability.md. Run from anywhere, as root, after ./test.sh has run once.
#
# On a 1-host lab (`downshift lab up 1 --name rel`) with shopd 2.3.0 on PostgreSQL
# (examples/shop/fleet/setup.sh --postgres), with copies of the fleet data plans restricted to h1:
#
#   Crash table   a clean run counts its journal records N and gives the target fingerprint; then for
#                 K = 1, 1+STEP, … ≤ N: reset h1, run with DOWNSHIFT_TEST_KILL_AT_RECORD=K (SIGKILL
#                 after the K-th record, exit 137), `downshift resume RUN`, fingerprint h1 and diff it
#                 against the target and against the original (`downshift diff --plan`, exit 0 = equal
#                 up to the declared differences), and check that every order placed before is still
#                 there, by id. A row is green when the kill happened, resume ended 0 or 3, the host
#                 equals the target or the original, and no order was lost.
#   Fault table   one fault per step kind, each run expected to end rolled back (exit 3) with h1's
#                 fingerprint equal to the original: package install fails, health fails after the
#                 change (monitor), migration fails midway, config makes shopd fail to start, the SSH
#                 link is cut mid-step, the backup store fills (at staging, before any change: exit 1,
#                 nothing to undo — see docs/exit-codes.md).
#
# Environment: STEP (default 1: every record), ONLY (crash | faults; default both), RUN_TIMEOUT
# (seconds per CLI run, default 300). Every command runs under `timeout`; the lab is torn down and the
# tmpfs unmounted on exit. Prints how long the crash suite will take before starting it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo_root=$(pwd)
step=${STEP:-1}
only=${ONLY:-}
run_timeout=${RUN_TIMEOUT:-300}
name=rel
command_line="testbed/reliability.sh${STEP:+ (STEP=$STEP)}${ONLY:+ (ONLY=$ONLY)}"
work=$(mktemp -d /tmp/downshift-reliability.XXXXXX)
tiny="$work/tiny-store"
cleanup() {
    timeout 60 ./downshift lab down --name "$name" >/dev/null 2>&1 || true
    mountpoint -q "$tiny" 2>/dev/null && umount "$tiny" || true
    [[ -n ${KEEP:-} ]] && echo "kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT
log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }
started=$(date +%s)

log "building the CLI and the shopd packages"
timeout 600 ./downshift --version >/dev/null
cp -r .build/cli "$work/cli"
downshift() { DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 timeout "$run_timeout" dotnet "$work/cli/downshift.dll" "$@"; }
timeout 600 examples/shop/packaging/build.sh "$work/repo" >"$work/packages.log" 2>&1 || { cat "$work/packages.log" >&2; exit 1; }
timeout 60 ./downshift lab down --name "$name" >/dev/null 2>&1 || true
timeout 300 ./downshift lab up 1 --name "$name" --repo "$work/repo" >"$work/lab-up.log" 2>&1 || { cat "$work/lab-up.log" >&2; exit 1; }
timeout 60 ./downshift lab status --name "$name" --json >"$work/lab.json"
field() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$work/lab.json" "$1"; }
ssh_config=$(field sshConfig)
export DOWNSHIFT_JOURNAL="$work/journal.db"
opts=(--inventory "$(field inventory)" --known-hosts "$(field knownHosts)" --ssh-key "$(field privateKey)")
store="$work/store"; mkdir -p "$store"

reset_h1() { timeout 180 examples/shop/fleet/setup.sh --postgres "$ssh_config" h1 >>"$work/setup.log" 2>&1; }
on_h1() { timeout 60 ./downshift lab exec h1 --name "$name" -- "$1"; }
order_ids() { on_h1 'cd / && runuser -u postgres -- psql -XAt -d shop -c "select id from orders order by id"' 2>/dev/null | tr '\n' ' '; }
# 0 when every id in $1 is in $2
orders_kept() { local id; for id in $1; do [[ " $2 " == *" $id "* ]] || return 1; done; return 0; }
last_run() { sqlite3 "$DOWNSHIFT_JOURNAL" "select run_id from runs order by started_at desc, rowid desc limit 1"; }
fingerprint() { downshift fingerprint "$1" "${opts[@]}" -o "$2" >>"$work/fingerprint.log" 2>&1; }
# equal A B PLAN LOG: 0 when diff says equal up to the declared differences
equal() { downshift diff "$1" "$2" --plan "$3" "${opts[@]}" >"$4" 2>&1; }

# ---- the plan copies (h1 only, no strategy, scripts by absolute path, a fingerprint section) ----
migrations="$repo_root/examples/shop/db/migrations"
broken="$work/migrations-broken"
cp -r "$migrations" "$broken"
# U2_3 fails at its second statement (the first, the rename, ran inside the transaction).
printf '%s\n' "ALTER TABLE orders RENAME COLUMN quantity TO qty;" "DROP TABLE no_such_table_reliability;" "DROP TABLE coupons;" \
    >"$broken/U2_3__coupons_and_quantity.sql"
make_plan() { # SOURCE OUT VARIANT
    python3 - "$1" "$2" "$3" "$migrations" "$broken" <<'PY'
import sys, yaml
src, out, variant, migrations, broken = sys.argv[1:6]
plan = yaml.safe_load(open(src))
plan["hosts"] = ["h1"]
plan.pop("strategy", None)
for phase in plan["phases"]:
    for step in phase["steps"]:
        if step.get("kind") == "migrate":
            step["scripts"] = broken if variant == "migrate-fails" else migrations
        if variant == "config-fails" and step.get("id") == "migrate-config":
            step["set"] = {"reliability_unknown_key": "1"}
    if variant == "link-cut" and phase["name"] == "change":
        phase["steps"].insert(1, {"id": "long-step", "kind": "shell", "description": "A long step the SSH link is cut in.",
                                  "command": "sleep 30", "timeout": "10s", "undo": "none", "undo-reason": "sleeping changes nothing"})
plan["fingerprint"] = {
    "paths": ["/etc/shopd"],
    "databases": [{"engine": "postgresql", "name": "shop", "run-as": "postgres"}],
    "expect-differences": [
        {"what": "databases:shop/public.orders", "reason": "setup.sh and the verify steps place orders (their ids are checked apart)"},
        {"what": "databases:shop/public.flyway_schema_history", "reason": "installed_on is the time setup.sh ran"},
        {"what": "files:/var/log/**", "reason": "logs grow"},
    ],
}
yaml.safe_dump(plan, open(out, "w"), sort_keys=False, width=200)
PY
}
fleet=examples/shop/fleet
make_plan $fleet/plan-data.yaml "$work/data.yaml" data
make_plan $fleet/plan-data-failing.yaml "$work/package-fails.yaml" package-fails
make_plan $fleet/plan-monitor-failing.yaml "$work/monitor-fails.yaml" monitor-fails
make_plan $fleet/plan-data.yaml "$work/migrate-fails.yaml" migrate-fails
make_plan $fleet/plan-data.yaml "$work/config-fails.yaml" config-fails
make_plan $fleet/plan-data.yaml "$work/link-cut.yaml" link-cut
for p in "$work"/*.yaml; do downshift validate "$p" "${opts[@]}" >/dev/null || { log "invalid plan copy $p"; downshift validate "$p" "${opts[@]}" >&2 || true; exit 1; }; done
fp="$work/fp"; mkdir -p "$fp"
crash_rows="$work/crash.md"; fault_rows="$work/fault.md"; : >"$crash_rows"; : >"$fault_rows"
crash_green=0 crash_red=0 fault_green=0 fault_red=0 fault_not_run=0 n=0 clean_seconds=0

# ---- crash suite ----
if [[ $only != faults ]]; then
    log "clean run: original and target fingerprints, N"
    reset_h1
    fingerprint "$work/data.yaml" "$fp/original.json"
    t0=$(date +%s)
    code=0; downshift run "$work/data.yaml" "${opts[@]}" --backup-store "$store" >"$work/clean.log" 2>&1 || code=$?
    clean_seconds=$(( $(date +%s) - t0 ))
    [[ $code == 0 ]] || { log "the clean run ended $code"; cat "$work/clean.log" >&2; exit 1; }
    clean_run=$(last_run)
    n=$(sqlite3 "$DOWNSHIFT_JOURNAL" "select count(*) from records where run_id='$clean_run'")
    fingerprint "$work/data.yaml" "$fp/target.json"
    equal "$fp/original.json" "$fp/target.json" "$work/data.yaml" "$work/clean-diff.log" \
        && { log "the clean run changed nothing the fingerprint sees"; exit 1; } || true
    count=$(( (n + step - 1) / step ))
    log "N=$n records, clean run ${clean_seconds}s; $count kill points (STEP=$step) will take about $(( count * (clean_seconds + 6) / 60 + 1 )) min"
    crash_started=$(date +%s)
    for k in $(seq 1 "$step" "$n"); do
        reset_h1
        fingerprint "$work/data.yaml" "$fp/before-$k.json"
        before=$(order_ids)
        kill_code=0; DOWNSHIFT_TEST_KILL_AT_RECORD=$k downshift run "$work/data.yaml" "${opts[@]}" --backup-store "$store" >"$work/kill-$k.log" 2>&1 || kill_code=$?
        run=$(last_run)
        event=$(sqlite3 -separator ' ' "$DOWNSHIFT_JOURNAL" "select event, coalesce(step_id,'') from records where run_id='$run' order by sequence desc limit 1")
        resume_code=0; downshift resume "$run" "${opts[@]}" --backup-store "$store" >"$work/resume-$k.log" 2>&1 || resume_code=$?
        downshift unlock "$run" "${opts[@]}" >/dev/null 2>&1 || true
        fingerprint "$work/data.yaml" "$fp/after-$k.json"
        state=neither
        if equal "$fp/target.json" "$fp/after-$k.json" "$work/data.yaml" "$work/diff-target-$k.log"; then state="target"
        elif equal "$fp/before-$k.json" "$fp/after-$k.json" "$work/data.yaml" "$work/diff-original-$k.log"; then state="original"; fi
        after=$(order_ids)
        kept=no; [[ -n $before ]] && orders_kept "$before" "$after" && kept=yes
        verdict=green
        [[ $kill_code == 137 && ( $resume_code == 0 || $resume_code == 3 ) && $state != neither && $kept == yes ]] || verdict=red
        [[ $verdict == green ]] && crash_green=$((crash_green + 1)) || crash_red=$((crash_red + 1))
        note=""
        [[ $state == neither ]] && note=$(grep -h '^unexpected' "$work/diff-target-$k.log" | head -3 | tr '|' '/' | paste -sd ';' - || true)
        [[ $kill_code == 137 ]] || note="run ended $kill_code, not killed. $note"
        printf '| %s | `%s` | %s | %s | %s | %s | %s | %s |\n' "$k" "$event" "$kill_code" "$resume_code" "$state" "$kept (${before% } → ${after% })" \
            "$([[ $verdict == green ]] && echo '**green**' || echo '**RED**')" "$note" >>"$crash_rows"
        per_kill=$(( ($(date +%s) - crash_started) / ( (k - 1) / step + 1 ) ))
        log "K=$k $event: kill $kill_code, resume $resume_code, $state, orders kept $kept: $verdict"
    done
fi

# ---- fault suite ----
fault() { # LABEL PLAN NOTE [STORE] [link] [EXPECTED-EXIT]
    local label=$1 plan=$2 note=$3 st=${4:-$store} mode=${5:-} expect=${6:-3} code=0 eq=no
    reset_h1
    fingerprint "$plan" "$fp/fault-before.json"
    if [[ $mode == link ]]; then
        downshift run "$plan" "${opts[@]}" --backup-store "$st" >"$work/fault-$label.log" 2>&1 &
        local pid=$! i
        for i in $(seq 1 1200); do
            [[ $(sqlite3 "$DOWNSHIFT_JOURNAL" "select count(*) from records r join runs u using(run_id) where u.plan_path like '%link-cut.yaml' and r.step_id='long-step'" 2>/dev/null || echo 0) -gt 0 ]] && break
            sleep 0.1
        done
        sleep 2
        timeout 30 ./downshift lab link h1 down --name "$name" >/dev/null
        log "link h1 down"
        sleep 15
        timeout 30 ./downshift lab link h1 up --name "$name" >/dev/null
        log "link h1 up"
        wait "$pid" || code=$?
        if [[ $code != 3 && $code != 0 ]]; then
            local rb=0; downshift rollback "$(last_run)" "${opts[@]}" --backup-store "$st" >>"$work/fault-$label.log" 2>&1 || rb=$?
            note="$note; the run ended $code, then \`downshift rollback\` (link back up) ended $rb"
        fi
    else
        downshift run "$plan" "${opts[@]}" --backup-store "$st" >"$work/fault-$label.log" 2>&1 || code=$?
    fi
    downshift unlock "$(last_run)" "${opts[@]}" >/dev/null 2>&1 || true
    fingerprint "$plan" "$fp/fault-after.json"
    equal "$fp/fault-before.json" "$fp/fault-after.json" "$plan" "$work/fault-diff-$label.log" && eq=yes
    local why
    why=$(sqlite3 "$DOWNSHIFT_JOURNAL" "select coalesce(step_id,'') || ': ' || substr(replace(coalesce(result,''), '|', '/'), 1, 140) from records where run_id='$(last_run)' and event in ('StepFailed','Note') and (result like '%fail%' or result like 'trigger%' or event='StepFailed') order by sequence limit 1" 2>/dev/null || true)
    if [[ $code == "$expect" && $eq == yes ]]; then fault_green=$((fault_green + 1)); v='**green**'; else fault_red=$((fault_red + 1)); v='**RED**'; fi
    [[ $eq == yes ]] || note="$note; unexpected: $(grep -h '^unexpected' "$work/fault-diff-$label.log" | head -3 | tr '|' '/' | paste -sd ';' - || true)"
    printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$label" "$expect" "$code" "$eq" "$v" "$note" "${why:+\`$why\`}" >>"$fault_rows"
    log "fault $label: exit $code, equal to original $eq"
}
if [[ $only != crash ]]; then
    fault "package install fails" "$work/package-fails.yaml" "plan-data-failing.yaml on h1: 2.2.0's postinst exits 1 after the migration"
    fault "health fails after the change" "$work/monitor-fails.yaml" "plan-monitor-failing.yaml on h1: no migration, orders fail, the monitor rule trips in the bake"
    fault "migration fails midway" "$work/migrate-fails.yaml" "scripts dir whose U2_3 fails at its 2nd statement"
    fault "config: service fails to start" "$work/config-fails.yaml" "config step sets reliability_unknown_key; shopd exits 78"
    fault "SSH link cut mid-step" "$work/link-cut.yaml" "lab link h1 down 2 s into a shell step (sleep 30, timeout 10s), up 15 s later" "$store" link
    mkdir -p "$tiny"
    # A backup of h1 takes ~28 KiB: a 1 MiB tmpfs, filled but for 12 KiB, cannot hold it.
    if timeout 30 mount -t tmpfs -o size=1m tmpfs "$tiny" && { timeout 30 dd if=/dev/zero of="$tiny/filler" bs=4k count=253 status=none || true; }; then
        fault "disk fills during backup" "$work/data.yaml" "--backup-store on a 1 MiB tmpfs with $(df -k --output=avail "$tiny" | tail -1 | tr -d ' ') KiB free: the backup fails at staging" "$tiny" "" 1
    else
        printf '| %s | 1 | — | — | not run | could not mount a tmpfs |  |\n' "disk fills during backup" >>"$fault_rows"; fault_not_run=$((fault_not_run + 1))
    fi
fi

# ---- the document ----
elapsed=$(( $(date +%s) - started ))
{
    echo "# Reliability suites (issue 5 §6)"
    echo
    echo "Generated $(date -u '+%Y-%m-%d %H:%M') UTC by \`$command_line\` on $(uname -n) ($(nproc) cores, $(uname -sr), load $(cut -d' ' -f1-3 /proc/loadavg)), Downshift \`$(downshift --version 2>/dev/null | head -1)\`, in $((elapsed / 60)) min $((elapsed % 60)) s."
    echo "Regenerate with \`testbed/reliability.sh\` (root, after \`./test.sh\` ran once); \`STEP=S\` kills at every S-th record only, \`ONLY=crash|faults\` runs one table."
    echo
    echo "Setup: a 1-host lab (\`downshift lab up 1 --name rel\`), shopd 2.3.0 on PostgreSQL (\`examples/shop/fleet/setup.sh --postgres\`, reset before every row),"
    echo "copies of the fleet plans with \`hosts: [h1]\`, no \`strategy\`, the migrations by absolute path and a \`fingerprint:\` section"
    echo "(\`/etc/shopd\`, the \`shop\` database; declared differences: \`databases:shop/public.orders\` — orders are placed by setup and by the"
    echo "verify steps, so they are checked by id instead — and \`databases:shop/public.flyway_schema_history\` — its \`installed_on\` is setup's time)."
    echo "\"Equal\" means \`downshift diff A B --plan PLAN\` exited 0: no unexpected difference."
    echo
    if [[ $only != faults ]]; then
        echo "## Crash: SIGKILL at journal record K, then \`downshift resume\`"
        echo
        echo "The clean run of the data plan on h1 writes **N = $n** journal records in ${clean_seconds} s."
        if [[ $step == 1 ]]; then echo "Every record was a kill point."
        else echo "**Sampled:** K = 1, 1+$step, 1+2·$step, … ≤ N (STEP=$step), to fit the run in about 15 minutes; the records in between were not killed at in this run. One kill point took ${per_kill:-?} s here, so every record (STEP=1) takes about $(( n * ${per_kill:-0} / 60 + 1 )) min."; fi
        echo "Kill: \`DOWNSHIFT_TEST_KILL_AT_RECORD=K downshift run\` (137 = killed). The state column compares h1 after the resume with the clean run's target fingerprint, then with the fingerprint taken just before this row's run; orders: the ids present before the run (all must remain)."
        echo
        echo "| K | record K (event, step) | run exit | resume exit | h1 equals | orders kept (ids before → after) | verdict | note |"
        echo "|---:|---|---:|---:|---|---|---|---|"
        cat "$crash_rows"
        echo
        echo "**$crash_green green, $crash_red red** of $((crash_green + crash_red)) kill points."
        echo
    fi
    if [[ $only != crash ]]; then
        echo "## Faults: one per step kind, each expected to end rolled back (exit 3) with h1 equal to the original"
        echo
        echo "Expected exit: 3 (rolled back) wherever a step changed the host before the fault. The full backup is taken at staging, before"
        echo "any step changes anything, so a backup store that fills there ends the run \`failed\` with nothing to undo: exit 1, as"
        echo "[exit-codes.md](exit-codes.md) documents (\"the engine ends a run as failed only when it stopped before any host changed"
        echo "anything\"). Issue 5 asks for \"rolled back\" there too; there is nothing to roll back, and h1 must still equal the original."
        echo
        echo "| fault | expected exit | exit | fingerprint equals original | verdict | how | first failure in the journal |"
        echo "|---|---:|---:|---|---|---|---|"
        cat "$fault_rows"
        echo
        echo "**$fault_green green, $fault_red red, $fault_not_run not run** of 6 faults."
        echo
    fi
} >docs/reliability.md
log "wrote docs/reliability.md: crash $crash_green green / $crash_red red, faults $fault_green green / $fault_red red / $fault_not_run not run, ${elapsed}s"
