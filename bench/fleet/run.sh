#!/usr/bin/env bash
# bench/fleet/run.sh [ROUNDS] — the fleet benchmark (issue 3). On a 20-host lab, 10 hosts at a time:
# stop shopd, apt-downgrade it 2.3.0 -> 2.1.0, start it, check /health — three ways, per round in a
# rotating order (D A R, A R D, R D A, ...), ROUNDS (default 3) rounds:
#   D  Downshift: `downshift run bench/fleet/plan.yaml` (staging, journal, rollback: product defaults)
#   A  Ansible:   `ansible-playbook bench/fleet/downgrade.yml` (forks 10, pipelining, ControlPersist)
#   R  raw ssh:   `bench/fleet/raw-downgrade.sh` (xargs -P 10 ssh), the floor
# Each is preceded by examples/shop/fleet/setup.sh --pristine (2.3.0, pristine conffile, running) and followed by a check from the
# controller that all 20 hosts answer 2.1.0. Measured: wall time around the command, and per host the
# downtime seen by an outside prober polling /health every 20 ms (bench/fleet/prober).
# Writes bench/results/fleet.md. Run from anywhere, as root, after ./test.sh has run once.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
root=$PWD
rounds=${1:-3}
name=bfl
hosts=${HOSTS:-20}
results=${OUT:-bench/results/fleet.md}
work=$(mktemp -d /tmp/downshift-bench-fleet.XXXXXX)
cleanup() {
    exec 3>&- 2>/dev/null || true
    ./downshift lab down --name "$name" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }

# What it needs: Ansible from Debian; the rest comes with ./test.sh's packages.
if ! command -v ansible-playbook >/dev/null || [[ ! -x /usr/bin/time ]]; then
    log "installing ansible and time"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q ansible time >/dev/null
fi

log "building the CLI, the prober and the shopd packages"
./downshift --version >/dev/null
# Measure one fixed build: a copy of the CLI, so a source change during the run (./downshift rebuilds
# on its next call) neither lands inside a measurement nor mixes versions between rounds.
cp -r .build/cli "$work/cli"
downshift() { DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 dotnet "$work/cli/downshift.dll" "$@"; }
dotnet build bench/fleet/prober -c Release -o .build/prober -nologo -v quiet >"$work/prober-build.log" 2>&1 \
    || { cat "$work/prober-build.log" >&2; exit 1; }
examples/shop/packaging/build.sh "$work/repo" >"$work/packages.log" 2>&1 || { cat "$work/packages.log" >&2; exit 1; }
# Ansible's apt module needs python3-apt on the hosts, whose apt reads only the lab repository:
# add it (and the two packages it depends on) from this machine's mirror.
(cd "$work/repo/deb" && apt-get download python3-apt python-apt-common distro-info-data >/dev/null 2>&1 \
    && dpkg-scanpackages --multiversion . /dev/null 2>/dev/null >Packages && gzip -n -9 -c Packages >Packages.gz) \
    || { echo "could not add python3-apt to the lab repository" >&2; exit 1; }

log "lab up: $hosts hosts ($name)"
./downshift lab down --name "$name" >/dev/null 2>&1 || true
./downshift lab up "$hosts" --name "$name" --repo "$work/repo" >"$work/lab-up.log" 2>&1 \
    || { cat "$work/lab-up.log" >&2; exit 1; }
./downshift lab status --name "$name" --json >"$work/lab.json"
field() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$work/lab.json" "$1"; }
ssh_config=$(field sshConfig); inventory=$(field inventory); known_hosts=$(field knownHosts); key=$(field privateKey)
mapfile -t names < <(python3 -c "import json,sys; [print(h['name']) for h in json.load(open(sys.argv[1]))['hosts']]" "$work/lab.json")
mapfile -t inits < <(python3 -c "import json,sys; [print(h['initPid']) for h in json.load(open(sys.argv[1]))['hosts']]" "$work/lab.json")
mapfile -t urls < <(python3 -c "import json,sys; [print(f\"http://{h['address']}:8080/health\") for h in json.load(open(sys.argv[1]))['hosts']]" "$work/lab.json")
export DOWNSHIFT_JOURNAL="$work/journal.db"
log "installing python3-apt on the hosts (for Ansible's apt module; not measured)"
pids=()
for host in "${names[@]}"; do
    timeout 180 ssh -F "$ssh_config" "$host" 'apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive
        apt-get install -y -q --no-install-recommends python3-apt >/tmp/python3-apt.log 2>&1 || { tail -5 /tmp/python3-apt.log >&2; exit 1; }' &
    pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done

# quiet: wait (at most 30 min) while a test run is going, then note the load.
quiet() {
    local waited=0
    while pgrep -f Downshift.IntegrationTests >/dev/null && ((waited < 1800)); do
        ((waited % 60 == 0)) && log "a test run is going; waiting"
        sleep 5; waited=$((waited + 5))
    done
    sleep 3
}

run_method() { # METHOD -> runs it, output in $work/out
    case $1 in
        D) downshift run bench/fleet/plan.yaml --inventory "$inventory" --known-hosts "$known_hosts" --ssh-key "$key" ;;
        A) ANSIBLE_CONFIG="$root/bench/fleet/ansible.cfg" \
           ANSIBLE_SSH_ARGS="-F $ssh_config -o ControlMaster=auto -o ControlPersist=60s" \
           ANSIBLE_SSH_CONTROL_PATH_DIR="$work/cp-$(date +%s%N)" \
           ansible-playbook -i "$inventory" bench/fleet/downgrade.yml ;;
        R) bench/fleet/raw-downgrade.sh "$ssh_config" "${names[@]}" ;;
    esac
}

measure() { # ROUND POSITION METHOD
    local round=$1 pos=$2 method=$3 tag="r$1-$3"
    log "round $round: $method (reset first)"
    local attempt
    for attempt in 1 2; do
        timeout 300 examples/shop/fleet/setup.sh --pristine "$ssh_config" "${names[@]}" >"$work/$tag.reset.log" 2>&1 && break
        [[ $attempt == 2 ]] && { cat "$work/$tag.reset.log" >&2; exit 1; }
    done
    quiet
    local load tests_before tests_after=no
    load=$(cut -d' ' -f1 /proc/loadavg)
    mkfifo "$work/$tag.fifo"
    .build/prober/Prober "${urls[@]}" <"$work/$tag.fifo" >"$work/$tag.probe.json" 2>"$work/$tag.probe.err" &
    local prober=$!
    exec 3>"$work/$tag.fifo"
    local i
    for i in $(seq 100); do grep -q ready "$work/$tag.probe.err" && break; sleep 0.1; done
    grep -q ready "$work/$tag.probe.err" || { log "prober not ready"; cat "$work/$tag.probe.err" >&2; exit 1; }
    sleep 0.5
    local start end rc=0 hosts_cpu0 hosts_cpu1 controller_cpu
    hosts_cpu0=$(python3 bench/fleet/hostcpu.py "${inits[@]}")
    start=$(date +%s.%N)
    /usr/bin/time -f "%U %S" -o "$work/$tag.time" \
        timeout 900 bash -c "$(declare -f run_method downshift); $(declare -p inventory known_hosts key root ssh_config work names); run_method $method" \
        >"$work/$tag.out" 2>&1 || rc=$?
    end=$(date +%s.%N)
    hosts_cpu1=$(python3 bench/fleet/hostcpu.py "${inits[@]}")
    controller_cpu=$(awk 'END { print $1 + $2 }' "$work/$tag.time")
    pgrep -f Downshift.IntegrationTests >/dev/null && tests_after=yes
    sleep 0.5
    exec 3>&-
    wait "$prober"
    local ok=0 url
    for url in "${urls[@]}"; do
        curl -fsS --max-time 2 "$url" 2>/dev/null | grep -q '"version": *"2.1.0"' && ok=$((ok + 1))
    done
    local runid=-
    [[ $method == D ]] && runid=$(grep -o 'run [0-9]\{8\}-[0-9]\{6\}-[0-9a-f]*' "$work/$tag.out" | head -1 | cut -d' ' -f2)
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$pos" "$method" "$start" "$end" "$rc" "$ok" "$load" "$tests_after" "${runid:-?}" \
        "$controller_cpu" "$(python3 -c "print(round($hosts_cpu1 - $hosts_cpu0, 2))")" >>"$work/rows.tsv"
    log "round $round: $method $(python3 -c "print(f'{$end-$start:.1f}')") s, exit $rc, $ok/$hosts hosts on 2.1.0"
    mkdir -p "$work/keep"; cp "$work/$tag.out" "$work/$tag.probe.json" "$work/keep/"
}

orders=("D A R" "A R D" "R D A")
machine_load=$(cut -d' ' -f1-3 /proc/loadavg)
for round in $(seq "$rounds"); do
    pos=0
    for method in ${orders[$(((round - 1) % 3))]}; do
        pos=$((pos + 1))
        measure "$round" "$pos" "$method"
    done
done

versions_downshift=$(downshift --version)
versions_ansible=$(ansible-playbook --version | head -1)
versions_ssh=$(ssh -V 2>&1)
python3 bench/fleet/report.py "$work" "$rounds" "$hosts" "$machine_load" "$versions_downshift" "$versions_ansible" \
    "$versions_ssh" >"$results"
log "wrote $results"
if [[ -n "${BENCH_KEEP:-}" ]]; then mkdir -p "$BENCH_KEEP"; cp -r "$work/keep" "$work/rows.tsv" "$work/journal.db" "$BENCH_KEEP/"; fi
