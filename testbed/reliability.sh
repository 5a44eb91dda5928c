#!/usr/bin/env bash
# testbed/reliability.sh — the reliability suites of issue 5 §6, printed as two Markdown tables into
# docs/reliability.md. Run from anywhere, as root, after ./test.sh has run once.
#
# On a lab of HOSTS hosts (default 3: `downshift lab up 3 --name rel`) with shopd 2.3.0 on PostgreSQL
# (examples/shop/fleet/setup.sh --postgres), with copies of the fleet data plans (their strategy kept:
# canary 1, then a batch of 2; whole-fleet rollback):
#
#   Crash tables  for the data plan, and for its failing variant (2.2.0's postinst fails, the fleet
#                 rolls back): a clean run gives the target fingerprints; then for K = 1, 1+STEP, …:
#                 reset the hosts, run with DOWNSHIFT_TEST_KILL_AT_RECORD=K (SIGKILL after the K-th
#                 record, exit 137), `downshift resume RUN`, fingerprint every host and diff it against
#                 the target and against the original (`downshift diff --plan`, exit 0 = equal up to the
#                 declared differences), and check that every order placed before is still there, by
#                 host and id. The loop ends at the first run that was not killed and ended as the clean
#                 run did, having written fewer than K records; a run that ended otherwise is a red row. A row is green when the kill happened, resume ended 0
#                 or 3, every host equals the target or the original (the failing variant: the original
#                 only), and no order was lost.
#   Fault table   one fault per step kind, each run expected to end rolled back (exit 3) with every
#                 host's fingerprint equal to the original: package install fails, health fails after
#                 the change (monitor), migration fails midway, config makes shopd fail to start, the SSH
#                 link is cut mid-step, the backup store fills after the stop (the incremental backup
#                 fails), and the backup store is full at staging (before any change: exit 1, nothing
#                 to undo — see docs/exit-codes.md).
#
# Environment: HOSTS (default 3), STEP (default 1: every record), KS (kill points "K K …" only),
# CRASH (data | failing: one crash table; default both), ONLY (crash | faults; default both), DOC
# (where to write, default docs/reliability.md), NAME (the lab's name, default rel),
# RUN_TIMEOUT (seconds per CLI run, default 300). Every command runs under `timeout`; the lab is torn
# down and the tmpfs unmounted on exit. Prints how long each crash table will take before starting it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo_root=$(pwd)
step=${STEP:-1}
only=${ONLY:-}
host_count=${HOSTS:-3}
run_timeout=${RUN_TIMEOUT:-300}
name=${NAME:-rel}
command_line="testbed/reliability.sh${HOSTS:+ (HOSTS=$HOSTS)}${STEP:+ (STEP=$STEP)}${ONLY:+ (ONLY=$ONLY)}"
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
hosts=(); for i in $(seq 1 "$host_count"); do hosts+=("h$i"); done

log "building the CLI and the shopd packages"
timeout 600 ./downshift --version >/dev/null
cp -r .build/cli "$work/cli"
downshift() { DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 timeout "$run_timeout" dotnet "$work/cli/downshift.dll" "$@"; }
timeout 600 examples/shop/packaging/build.sh "$work/repo" >"$work/packages.log" 2>&1 || { cat "$work/packages.log" >&2; exit 1; }
timeout 60 ./downshift lab down --name "$name" >/dev/null 2>&1 || true
timeout 300 ./downshift lab up "$host_count" --name "$name" --repo "$work/repo" >"$work/lab-up.log" 2>&1 || { cat "$work/lab-up.log" >&2; exit 1; }
timeout 60 ./downshift lab status --name "$name" --json >"$work/lab.json"
field() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$work/lab.json" "$1"; }
ssh_config=$(field sshConfig)
export DOWNSHIFT_JOURNAL="$work/journal.db"
opts=(--inventory "$(field inventory)" --known-hosts "$(field knownHosts)" --ssh-key "$(field privateKey)")
store="$work/store"; mkdir -p "$store"

reset_hosts() { timeout 300 examples/shop/fleet/setup.sh --postgres "$ssh_config" "${hosts[@]}" >>"$work/setup.log" 2>&1; }
on_host() { timeout 60 ssh -F "$ssh_config" "$1" "$2"; }
# every order as HOST:ID, all hosts
order_ids() {
    local h
    for h in "${hosts[@]}"; do
        on_host "$h" 'cd / && runuser -u postgres -- psql -XAt -d shop -c "select id from orders order by id"' 2>/dev/null | sed "s/^/$h:/"
    done | tr '\n' ' '
}
# 0 when every id in $1 is in $2
orders_kept() { local id; for id in $1; do [[ " $2 " == *" $id "* ]] || return 1; done; return 0; }
last_run() { sqlite3 "$DOWNSHIFT_JOURNAL" "select run_id from runs order by started_at desc, rowid desc limit 1"; }
# fingerprint PLAN DIR: DIR/HOST.json for every host of the plan
fingerprint() { rm -rf "$2"; mkdir -p "$2"; downshift fingerprint "$1" "${opts[@]}" -o "$2" >>"$work/fingerprint.log" 2>&1; }
# equal A_DIR B_DIR PLAN LOG: 0 when diff says every host equal up to the declared differences
equal() {
    local h code=0
    : >"$4"
    for h in "${hosts[@]}"; do
        echo "== $h" >>"$4"
        downshift diff "$1/$h.json" "$2/$h.json" --plan "$3" "${opts[@]}" >>"$4" 2>&1 || code=1
    done
    return $code
}
# states TARGET_DIR|- ORIGINAL_DIR AFTER_DIR PLAN TAG: per host "target" / "original" / "neither", space separated
states() {
    local target=$1 original=$2 after=$3 plan=$4 tag=$5 h out=()
    for h in "${hosts[@]}"; do
        if [[ $target != - ]] && downshift diff "$target/$h.json" "$after/$h.json" --plan "$plan" "${opts[@]}" >"$work/diff-$tag-$h-target.log" 2>&1; then out+=("target")
        elif downshift diff "$original/$h.json" "$after/$h.json" --plan "$plan" "${opts[@]}" >"$work/diff-$tag-$h-original.log" 2>&1; then out+=("original")
        else out+=("neither"); fi
    done
    echo "${out[*]}"
}

# ---- the plan copies (scripts by absolute path, a fingerprint section) ----
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
fault_rows="$work/fault.md"; : >"$fault_rows"
crash_green=0 crash_red=0 fault_green=0 fault_red=0 fault_not_run=0
crash_tables=()

# ---- crash suite ----
# crash LABEL PLAN CLEAN_EXIT ACCEPT: ACCEPT is "target original" or "original"
crash() {
    local label=$1 plan=$2 clean_exit=$3 accept=$4 rows="$work/crash-$1.md" code=0 t0 k n="" clean_seconds per_kill=0 green=0 red=0
    : >"$rows"
    log "$label: clean run (original and target fingerprints, N)"
    reset_hosts
    fingerprint "$plan" "$fp/$label-original"
    t0=$(date +%s)
    downshift run "$plan" "${opts[@]}" --backup-store "$store" >"$work/$label-clean.log" 2>&1 || code=$?
    clean_seconds=$(( $(date +%s) - t0 ))
    [[ $code == "$clean_exit" ]] || { log "$label: the clean run ended $code, expected $clean_exit"; tail -30 "$work/$label-clean.log" >&2; exit 1; }
    local clean_run; clean_run=$(last_run)
    local clean_n; clean_n=$(sqlite3 "$DOWNSHIFT_JOURNAL" "select count(*) from records where run_id='$clean_run'")
    local target=-
    if [[ $accept == *target* ]]; then
        target="$fp/$label-target"
        fingerprint "$plan" "$target"
        equal "$fp/$label-original" "$target" "$plan" "$work/$label-clean-diff.log" && { log "$label: the clean run changed nothing the fingerprint sees"; exit 1; } || true
    else
        fingerprint "$plan" "$fp/$label-clean-after"
        equal "$fp/$label-original" "$fp/$label-clean-after" "$plan" "$work/$label-clean-diff.log" \
            || { log "$label: the clean run did not end at the original"; cat "$work/$label-clean-diff.log" >&2; exit 1; }
    fi
    local count=$(( (clean_n + step - 1) / step ))
    log "$label: clean run N=$clean_n records in ${clean_seconds}s; about $count kill points (STEP=$step)"
    local crash_started; crash_started=$(date +%s)
    # KS="K K …" kills at those records only (a re-run of a region of the table); else every STEP-th until the run ends unkilled.
    local picks=(${KS:-}) pick=0
    k=${picks[0]:-1}
    # The next K: KS's next pick, or K + STEP; false when KS has none left.
    next_kill_point() {
        if ((${#picks[@]} == 0)); then k=$((k + step)); return 0; fi
        pick=$((pick + 1)); ((pick < ${#picks[@]})) || return 1
        k=${picks[$pick]}
    }
    while :; do
        reset_hosts
        local before; before=$(order_ids)
        local kill_code=0 resume_code=0
        DOWNSHIFT_TEST_KILL_AT_RECORD=$k downshift run "$plan" "${opts[@]}" --backup-store "$store" >"$work/$label-kill-$k.log" 2>&1 || kill_code=$?
        local run; run=$(last_run)
        if [[ $kill_code != 137 ]]; then
            n=$(sqlite3 "$DOWNSHIFT_JOURNAL" "select count(*) from records where run_id='$run'")
            if [[ $kill_code == "$clean_exit" && $n -lt $k ]]; then
                log "$label: K=$k not reached (the run wrote $n records and ended $kill_code, as the clean run): done"
                break
            fi
            # Ended otherwise (a timeout, a crash, another exit) before record K: a red row, and on to K+STEP.
            red=$((red + 1))
            printf '| %s | — | %s | — | — | — | **RED** | the run ended %s after %s records, not killed and not as the clean run (%s) |\n' \
                "$k" "$kill_code" "$kill_code" "$n" "$clean_exit" >>"$rows"
            log "$label K=$k: the run ended $kill_code after $n records: RED"
            next_kill_point || break
            continue
        fi
        local event; event=$(sqlite3 -separator ' ' "$DOWNSHIFT_JOURNAL" "select event, coalesce(host,''), coalesce(step_id,'') from records where run_id='$run' order by sequence desc limit 1")
        downshift resume "$run" "${opts[@]}" --backup-store "$store" >"$work/$label-resume-$k.log" 2>&1 || resume_code=$?
        downshift unlock "$run" "${opts[@]}" >/dev/null 2>&1 || true
        fingerprint "$plan" "$fp/after"
        local state; state=$(states "$target" "$fp/$label-original" "$fp/after" "$plan" "$label-$k")
        local after; after=$(order_ids)
        local kept=no; [[ -n $before ]] && orders_kept "$before" "$after" && kept=yes
        local verdict=green s
        [[ ( $resume_code == 0 || $resume_code == 3 ) && $kept == yes ]] || verdict=red
        for s in $state; do [[ " $accept " == *" $s "* ]] || verdict=red; done
        [[ $verdict == green ]] && green=$((green + 1)) || red=$((red + 1))
        local note=""
        # The closer of the two diffs: against the target when the target is an accepted end, else the original.
        local against=original; [[ $accept == *target* ]] && against=target
        [[ $state == *neither* ]] && note="vs $against: $(grep -h '^unexpected' "$work"/diff-"$label-$k"-*-"$against".log 2>/dev/null | head -3 | tr '|' '/' | paste -sd ';' - || true)"
        printf '| %s | `%s` | %s | %s | %s | %s | %s | %s |\n' "$k" "$event" "$kill_code" "$resume_code" "$state" \
            "$kept ($(echo "$before" | wc -w) → $(echo "$after" | wc -w))" "$([[ $verdict == green ]] && echo '**green**' || echo '**RED**')" "$note" >>"$rows"
        per_kill=$(( ($(date +%s) - crash_started) / (green + red) ))
        log "$label K=$k $event: resume $resume_code, $state, orders kept $kept: $verdict (${per_kill}s per kill point)"
        next_kill_point || break
    done
    crash_green=$((crash_green + green)); crash_red=$((crash_red + red))
    {
        echo "### $label"
        echo
        if [[ -n ${KS:-} ]]; then
            echo "Plan: $5. The clean run writes **N = $clean_n** journal records in ${clean_seconds} s and ends $clean_exit; killed at the records KS names only. One kill point took ${per_kill} s."
        else
            echo "Plan: $5. The clean run writes **N = $clean_n** journal records in ${clean_seconds} s and ends $clean_exit; the kill loop ended at K = $k, the first run that was not killed (it wrote ${n:-?} records). One kill point took ${per_kill} s."
        fi
        echo "Accepted end states per host: $accept."
        echo
        echo "| K | record K (event, host, step) | run exit | resume exit | hosts equal (${hosts[*]}) | orders kept (count before → after) | verdict | note |"
        echo "|---:|---|---:|---:|---|---|---|---|"
        cat "$rows"
        echo
        echo "**$green green, $red red** of $((green + red)) kill points."
        echo
    } >"$work/crash-table-$label.md"
    crash_tables+=("$work/crash-table-$label.md")
}
if [[ $only != faults ]]; then
    if [[ ${CRASH:-data} == *data* ]]; then
        crash data "$work/data.yaml" 0 "target original" "plan-data.yaml (the downgrade that succeeds)"
    fi
    if [[ ${CRASH:-failing} == *failing* ]]; then
        crash failing "$work/package-fails.yaml" 3 "original" "plan-data-failing.yaml (2.2.0's postinst fails on the canary after its migration; the fleet rolls back, so many kill points fall inside the rollback)"
    fi
fi

# ---- fault suite ----
# wait_for_record PLAN_GLOB STEP EVENT: until a record of the newest run of that plan shows it
wait_for_record() {
    local i
    for i in $(seq 1 1200); do
        [[ $(sqlite3 "$DOWNSHIFT_JOURNAL" "select count(*) from records r join runs u using(run_id) where u.plan_path like '%$1' and r.step_id='$2' and r.event='$3' and u.run_id=(select run_id from runs order by started_at desc, rowid desc limit 1)" 2>/dev/null || echo 0) -gt 0 ]] && return 0
        sleep 0.1
    done
    return 1
}
fault() { # LABEL PLAN NOTE [STORE] [link|fill] [EXPECTED-EXIT]
    local label=$1 plan=$2 note=$3 st=${4:-$store} mode=${5:-} expect=${6:-3} code=0 eq=no
    reset_hosts
    fingerprint "$plan" "$fp/fault-before"
    if [[ $mode == link ]]; then
        downshift run "$plan" "${opts[@]}" --backup-store "$st" >"$work/fault-$label.log" 2>&1 &
        local pid=$!
        wait_for_record link-cut.yaml long-step StepStarted || true
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
    elif [[ $mode == fill ]]; then
        downshift run "$plan" "${opts[@]}" --backup-store "$st" >"$work/fault-$label.log" 2>&1 &
        local pid=$!
        wait_for_record "$(basename "$plan")" stop-shopd StepSucceeded || true
        dd if=/dev/zero of="$st/filler" bs=4k status=none 2>/dev/null || true
        log "store filled: $(df -k --output=avail "$st" | tail -1 | tr -d ' ') KiB free"
        wait "$pid" || code=$?
    else
        downshift run "$plan" "${opts[@]}" --backup-store "$st" >"$work/fault-$label.log" 2>&1 || code=$?
    fi
    downshift unlock "$(last_run)" "${opts[@]}" >/dev/null 2>&1 || true
    fingerprint "$plan" "$fp/fault-after"
    equal "$fp/fault-before" "$fp/fault-after" "$plan" "$work/fault-diff-$label.log" && eq=yes
    local why
    why=$(sqlite3 "$DOWNSHIFT_JOURNAL" "select coalesce(host,'') || ' ' || coalesce(step_id,'') || ': ' || substr(replace(coalesce(result,''), '|', '/'), 1, 140) from records where run_id='$(last_run)' and event in ('StepFailed','Note') and (result like '%fail%' or result like 'trigger%' or event='StepFailed') order by sequence limit 1" 2>/dev/null || true)
    if [[ $code == "$expect" && $eq == yes ]]; then fault_green=$((fault_green + 1)); v='**green**'; else fault_red=$((fault_red + 1)); v='**RED**'; fi
    [[ $eq == yes ]] || note="$note; unexpected: $(grep -h '^unexpected' "$work/fault-diff-$label.log" | head -3 | tr '|' '/' | paste -sd ';' - || true)"
    printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$label" "$expect" "$code" "$eq" "$v" "$note" "${why:+\`$why\`}" >>"$fault_rows"
    log "fault $label: exit $code, equal to original $eq"
}
if [[ $only != crash ]]; then
    fault "package install fails" "$work/package-fails.yaml" "plan-data-failing.yaml: 2.2.0's postinst exits 1 on the canary after its migration"
    fault "health fails after the change" "$work/monitor-fails.yaml" "plan-monitor-failing.yaml: no migration, orders fail, the monitor rule trips in the canary's bake"
    fault "migration fails midway" "$work/migrate-fails.yaml" "scripts dir whose U2_3 fails at its 2nd statement"
    fault "config: service fails to start" "$work/config-fails.yaml" "config step sets reliability_unknown_key; shopd exits 78"
    fault "SSH link cut mid-step" "$work/link-cut.yaml" "lab link h1 (the canary) down 2 s into a shell step (sleep 30, timeout 10s), up 15 s later" "$store" link
    mkdir -p "$tiny"
    if timeout 30 mount -t tmpfs -o size=4m tmpfs "$tiny"; then
        fault "disk fills during backup (after the stop)" "$work/data.yaml" "--backup-store on a 4 MiB tmpfs: the full backups at staging fit; once the canary's shopd is stopped the store is filled, so its incremental backup cannot be written" "$tiny" fill
        rm -f "$tiny/filler"; umount "$tiny"
    else
        printf '| %s | 3 | — | — | not run | could not mount a tmpfs |  |\n' "disk fills during backup (after the stop)" >>"$fault_rows"; fault_not_run=$((fault_not_run + 1))
    fi
    # A backup of one host takes ~28 KiB: a 1 MiB tmpfs, filled but for 12 KiB, cannot hold the fleet's.
    if timeout 30 mount -t tmpfs -o size=1m tmpfs "$tiny" && { timeout 30 dd if=/dev/zero of="$tiny/filler" bs=4k count=253 status=none || true; }; then
        fault "backup store full at staging" "$work/data.yaml" "--backup-store on a 1 MiB tmpfs with $(df -k --output=avail "$tiny" | tail -1 | tr -d ' ') KiB free: the full backup fails before any change" "$tiny" "" 1
    else
        printf '| %s | 1 | — | — | not run | could not mount a tmpfs |  |\n' "backup store full at staging" >>"$fault_rows"; fault_not_run=$((fault_not_run + 1))
    fi
fi

# ---- the document ----
elapsed=$(( $(date +%s) - started ))
{
    echo "# Reliability suites (issue 5 §6)"
    echo
    echo "Generated $(date -u '+%Y-%m-%d %H:%M') UTC by \`$command_line\` on $(uname -n) ($(nproc) cores, $(uname -sr), load $(cut -d' ' -f1-3 /proc/loadavg)), Downshift \`$(downshift --version 2>/dev/null | head -1)\`, in $((elapsed / 60)) min $((elapsed % 60)) s."
    echo "Regenerate with \`testbed/reliability.sh\` (root, after \`./test.sh\` ran once); \`STEP=S\` kills at every S-th record only, \`ONLY=crash|faults\` runs one part, \`HOSTS=N\` sizes the lab."
    echo
    echo "Setup: a ${host_count}-host lab (\`downshift lab up $host_count --name $name\`), shopd 2.3.0 on PostgreSQL on every host (\`examples/shop/fleet/setup.sh --postgres\`, reset before every row),"
    echo "copies of the fleet plans (strategy kept: canary 1, then batches of 2, whole-fleet rollback) with the migrations by absolute path and a \`fingerprint:\` section"
    echo "(\`/etc/shopd\`, the \`shop\` database; declared differences: \`databases:shop/public.orders\` — orders are placed by setup and by the"
    echo "verify steps, so they are checked by host and id instead — and \`databases:shop/public.flyway_schema_history\` — its \`installed_on\` is setup's time)."
    echo "\"Equal\" means \`downshift diff A B --plan PLAN\` exited 0 for the host: no unexpected difference."
    echo
    if [[ $only != faults ]]; then
        echo "## Crash: SIGKILL at journal record K, then \`downshift resume\`"
        echo
        if [[ -n ${KS:-} ]]; then echo "**A region only:** K = ${KS} (KS), a re-run of part of the table."
        elif [[ $step == 1 ]]; then echo "Every record was a kill point."
        else echo "**Sampled:** K = 1, 1+$step, 1+2·$step, … (STEP=$step); the records in between were not killed at in this run."; fi
        echo "Kill: \`DOWNSHIFT_TEST_KILL_AT_RECORD=K downshift run\` (137 = killed). The hosts are reset before each row; the state column compares each host after the resume with the clean run's target fingerprint, then with the original one taken before the clean run (every row starts from the same reset). Orders: every HOST:ID present before the run must remain (the data plan's verify steps add three per host)."
        echo
        cat "${crash_tables[@]}"
        echo "**Crash tables: $crash_green green, $crash_red red** of $((crash_green + crash_red)) kill points."
        echo
    fi
    if [[ $only != crash ]]; then
        echo "## Faults: one per step kind, each expected to end rolled back (exit 3) with every host equal to the original"
        echo
        echo "Expected exit: 3 (rolled back) wherever a step changed a host before the fault. The full backup is taken at staging, before"
        echo "any step changes anything, so a backup store that is full there ends the run \`failed\` with nothing to undo: exit 1, as"
        echo "[exit-codes.md](exit-codes.md) documents (\"the engine ends a run as failed only when it stopped before any host changed"
        echo "anything\"); the hosts must still equal the original. A store that fills after the stop (the incremental backup) is the"
        echo "fault issue 5 names, and it rolls back: exit 3."
        echo
        echo "| fault | expected exit | exit | fingerprints equal original | verdict | how | first failure in the journal |"
        echo "|---|---:|---:|---|---|---|---|"
        cat "$fault_rows"
        echo
        echo "**$fault_green green, $fault_red red, $fault_not_run not run** of 7 faults."
        echo
    fi
} >"${DOC:-docs/reliability.md}"
log "wrote ${DOC:-docs/reliability.md}: crash $crash_green green / $crash_red red, faults $fault_green green / $fault_red red / $fault_not_run not run, ${elapsed}s"
