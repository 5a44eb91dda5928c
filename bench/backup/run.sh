#!/usr/bin/env bash
# bench/backup/run.sh [ROUNDS] — backup + restore-verification of a ~1 GiB data set (issue 4):
# Downshift against restic, on the same data, the same disk, in the same run, ROUNDS (default 3) rounds.
#
# The data set, generated once per run (bench/backup/dataset.py, seeded): ~0.96 GB of files (20,000
# config files, 150 logs, 2 compressible and 2 incompressible 128 MiB binaries) and a PostgreSQL 15
# database `shop` with a 1M-row table, on a private server started for the run (initdb into the run's
# temp dir as the postgres user, a free port, its socket in the temp dir; PostgreSQL's defaults).
#
# Per round, each tool on a fresh store/repository, in a rotating order (D R, R D, ...):
#   full         D  downshift backup local --path DATA --postgres shop --pg-host SOCK --pg-port PORT
#                   --pg-run-as postgres --backup-store STORE --backup-key KEY --source bench --json
#                   (one command: backup, then the verification by a restore to scratch)
#                R  restic backup DATA; pg_dump -Fc shop | restic backup --stdin --stdin-filename shop.dump;
#                   restic check --read-data (restic init before, not measured)
#   then 1% of the files change (dataset.py change: 200 configs rewritten, 2 logs appended to), and
#   incremental  D  the same command with --incremental
#                R  the same three restic commands again
# Measured per command: wall time (date), peak RSS and CPU (/usr/bin/time -v), the store's size on
# disk (du), PostgreSQL server CPU (the postmaster's reaped children), and Downshift's timeline from
# its --json and the server's connection log. Page caches are dropped for neither tool.
# Writes bench/results/backup.md. Run from anywhere, as root, after ./test.sh has run once.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
root=$PWD
rounds=${1:-3}
limit=900 # seconds, around every tool call
pgbin=/usr/lib/postgresql/15/bin
work=$(mktemp -d /tmp/downshift-bench-backup.XXXXXX)
chmod 711 "$work" # the postgres user reaches its socket directory below
pgpid=
cleanup() {
    if [[ -n "$pgpid" ]] && kill -0 "$pgpid" 2>/dev/null; then
        kill -INT "$pgpid" 2>/dev/null || true # fast shutdown
        local i
        for i in $(seq 100); do kill -0 "$pgpid" 2>/dev/null || break; sleep 0.2; done
        kill -0 "$pgpid" 2>/dev/null && kill -KILL "$pgpid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }
now() { date +%s.%N; }

# What it needs: restic from Debian; PostgreSQL 15 and the rest come with ./test.sh's packages.
if ! command -v restic >/dev/null; then
    log "installing restic"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q restic >/dev/null
fi
[[ -x $pgbin/initdb ]] || { echo "no PostgreSQL 15 in $pgbin: run ./test.sh once (it installs postgresql)" >&2; exit 1; }

log "building the CLI"
./downshift --version >/dev/null
# Measure one fixed build: a copy of the CLI, so a source change during the run (./downshift rebuilds
# on its next call) neither lands inside a measurement nor mixes versions between rounds.
cp -r .build/cli "$work/cli"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOWNSHIFT_JOURNAL="$work/journal.db"
downshift=(dotnet "$work/cli/downshift.dll")
python3 -c 'import secrets; print(secrets.token_hex(32))' >"$work/backup.key"

log "PostgreSQL 15: a private server in $work/pg"
mkdir "$work/pg"
chown postgres:postgres "$work/pg"
runuser -u postgres -- "$pgbin/initdb" -D "$work/pg/data" -U postgres --auth-local=trust --auth-host=reject \
    -E UTF8 --locale=C.UTF-8 >"$work/initdb.log" 2>&1 || { cat "$work/initdb.log" >&2; exit 1; }
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >>"$work/pg/data/postgresql.conf" <<EOF
port = $port
listen_addresses = ''
unix_socket_directories = '$work/pg'
log_connections = on
log_disconnections = on
log_timezone = 'UTC'
log_line_prefix = '%m [%p] db=%d app=%a '
EOF
runuser -u postgres -- "$pgbin/pg_ctl" -D "$work/pg/data" -l "$work/pg/server.log" -w -t 60 start >/dev/null
pgpid=$(head -1 "$work/pg/data/postmaster.pid")
psql() { timeout "$limit" runuser -u postgres -- "$pgbin/psql" -X -q -v ON_ERROR_STOP=1 -h "$work/pg" -p "$port" "$@"; }
psql -d postgres -c 'CREATE DATABASE shop'

log "the data set: files (dataset.py generate) and shop.orders (1M rows)"
data="$work/data"
timeout "$limit" python3 bench/backup/dataset.py generate "$data"
python3 bench/backup/dataset.py shop-sql | psql -d shop -f -
psql -d shop -A -t -c 'CHECKPOINT'
files_bytes=$(python3 bench/backup/dataset.py size "$data")
files_count=$(find "$data" -type f | wc -l)
db_bytes=$(psql -d shop -A -t -c "SELECT pg_database_size('shop')")
log "data set: $files_count files, $files_bytes bytes; shop: $db_bytes bytes"

# quiet: wait (at most 3 min) while an integration test run is going, as the fleet benchmark does.
quiet() {
    local waited=0
    while pgrep -f Downshift.IntegrationTests >/dev/null && ((waited < 180)); do
        ((waited % 60 == 0)) && log "a test run is going; waiting"
        sleep 5; waited=$((waited + 5))
    done
    sync
    sleep 2
}

server_cpu() { # the CPU seconds (user + system) of the server's ended sessions, in clock ticks
    awk '{print $16 + $17}' "/proc/$pgpid/stat"
}

timed() { # TAG COMMAND...: runs it under /usr/bin/time -v (into $work/TAG.time) and timeout; stdout to $work/TAG.out
    local tag=$1; shift
    timeout "$limit" /usr/bin/time -v -o "$work/$tag.time" "$@" >"$work/$tag.out" 2>"$work/$tag.err"
}

sampler() { # OUTFILE: every 0.2 s, the find and tar processes alive (what Downshift runs), until killed (at most 30 min)
    local i
    for i in $(seq 9000); do echo "$(now) $(pgrep -a -x 'tar|find' | tr '\n' ';')"; sleep 0.2; done >"$1"
}

measure_downshift() { # TAG STORE [--incremental]
    local tag=$1 store=$2 sampling rc=0; shift 2
    sampler "$work/$tag.samples" &
    sampling=$!
    timed "$tag" "${downshift[@]}" backup local --path "$data" --postgres shop --pg-host "$work/pg" --pg-port "$port" \
        --pg-run-as postgres --backup-store "$store" --backup-key "$work/backup.key" --source bench --json "$@" || rc=$?
    kill "$sampling"
    wait "$sampling" 2>/dev/null || true
    return "$rc"
}

measure_restic() { # TAG REPO
    local tag=$1 repo=$2 t
    export RESTIC_REPOSITORY=$repo RESTIC_PASSWORD=downshift-bench RESTIC_CACHE_DIR="$work/restic-cache"
    t=$(now)
    timed "$tag-files" restic backup --json "$data" || return
    echo "files $t $(now)" >"$work/$tag.parts"
    t=$(now)
    timeout "$limit" runuser -u postgres -- pg_dump -h "$work/pg" -p "$port" -Fc shop \
        | timed "$tag-db" restic backup --json --stdin --stdin-filename shop.dump || return
    echo "db $t $(now)" >>"$work/$tag.parts"
    t=$(now)
    timed "$tag-check" restic check --read-data || return
    echo "check $t $(now)" >>"$work/$tag.parts"
}

measure() { # ROUND POSITION TOOL KIND
    local round=$1 pos=$2 tool=$3 kind=$4 tag="r$1-$3-$4" store="$work/store-r$1-$3"
    quiet
    local load procs start end rc=0 cpu0 cpu1 logstart logend bytes
    bytes=$(python3 bench/backup/dataset.py size "$data")
    load=$(cut -d' ' -f1 /proc/loadavg)
    procs=$(pgrep -c -x dotnet || true)
    cpu0=$(server_cpu)
    logstart=$(stat -c %s "$work/pg/server.log")
    log "round $round: $tool $kind"
    start=$(now)
    case $tool in
        D) measure_downshift "$tag" "$store" $([[ $kind == incremental ]] && echo --incremental) || rc=$? ;;
        R) if [[ $kind == full ]]; then
               RESTIC_PASSWORD=downshift-bench timeout "$limit" restic init --repo "$store" >"$work/$tag.init" 2>&1 \
                   || { cat "$work/$tag.init" >&2; exit 1; }
               RESTIC_PASSWORD=downshift-bench restic cat config --repo "$store" >"$work/restic-config.json"
               start=$(now)
           fi
           measure_restic "$tag" "$store" || rc=$? ;;
    esac
    end=$(now)
    cpu1=$(server_cpu)
    logend=$(stat -c %s "$work/pg/server.log")
    local size
    size=$(du -s -B1 "$store" | cut -f1)
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$pos" "$tool" "$kind" "$start" "$end" "$rc" \
        "$size" "$load" "$procs" "$((cpu1 - cpu0))" "$logstart" "$logend" "$bytes" >>"$work/rows.tsv"
    log "round $round: $tool $kind $(python3 -c "print(f'{$end - $start:.1f}')") s, exit $rc, store $((size / 1000000)) MB"
    if ((rc != 0)); then
        cat "$work/$tag"*.err >&2 || true
    fi
}

orders=("D R" "R D")
machine_load=$(cut -d' ' -f1-3 /proc/loadavg)
changed=0
for round in $(seq "$rounds"); do
    order=${orders[$(((round - 1) % 2))]}
    pos=0
    for tool in $order; do pos=$((pos + 1)); measure "$round" "$pos" "$tool" full; done
    changed=$(python3 bench/backup/dataset.py change "$data" "$round")
    pos=0
    for tool in $order; do pos=$((pos + 1)); measure "$round" "$pos" "$tool" incremental; done
    rm -rf "$work/store-r$round-D" "$work/store-r$round-R" # keep the disk as it was for the next round
done
end_load=$(cut -d' ' -f1-3 /proc/loadavg)

# Floors for the reading (not a peer; each once, on the same data): what the pieces of the work cost alone.
reference() { # NAME SCRIPT
    local t rc=0
    quiet
    t=$(now)
    timeout "$limit" bash -c "set -o pipefail; $2" >/dev/null 2>"$work/ref.err" || { rc=$?; cat "$work/ref.err" >&2; }
    printf '%s\t%s\t%s\n' "$1" "$(python3 -c "print(f'{$(now) - $t:.1f}')")" "$rc" >>"$work/reference.tsv"
}
log "reference timings"
pgq="runuser -u postgres -- $pgbin/psql -X -q -h $work/pg -p $port -d shop"
reference "tar -cf - DATA | zstd -3 -T0 (the files, compressed, to /dev/null)" \
    "tar -C / -cf - ${data#/} | zstd -3 -T0 -q -c >/dev/null"
reference "tar -cf - DATA | tar -xpf - -C SCRATCH (a copy of the files written to the same disk), then sync" \
    "mkdir $work/scratch && tar -C / -cf - ${data#/} | tar -xpf - -C $work/scratch && sync"
reference "sha256sum of every file of the copy (2 processes)" \
    "find $work/scratch -type f -print0 | xargs -0 -P 2 -n 2000 sha256sum"
rm -rf "$work/scratch"
reference "pg_dump -Fc shop >/dev/null" "runuser -u postgres -- pg_dump -h $work/pg -p $port -Fc shop"
cat >"$work/fingerprint.sql" <<'SQL'
BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;
SET LOCAL work_mem = '64MB';
SELECT count(*), encode(sha256(string_agg(decode(md5(r), 'hex'), ''::bytea ORDER BY r COLLATE "C")), 'hex')
FROM (SELECT t::text AS r FROM public.orders AS t) AS s;
COMMIT;
SQL
reference "one fingerprint of shop.orders alone (the per-table query Downshift sends: count, SHA-256 over every row's MD5 sorted by its text)" \
    "$pgq -f - <$work/fingerprint.sql"

cp "$work/pg/server.log" "$work/server.log"
python3 bench/backup/report.py "$work" "$rounds" "$files_count" "$files_bytes" "$db_bytes" "$changed" \
    "$machine_load" "$end_load" "$("${downshift[@]}" --version)" "$(restic version)" \
    "$(runuser -u postgres -- "$pgbin/postgres" --version)" >bench/results/backup.md
log "wrote bench/results/backup.md"
if [[ -n "${BENCH_KEEP:-}" ]]; then
    mkdir -p "$BENCH_KEEP"
    cp "$work"/rows.tsv "$work"/server.log "$work"/*.out "$work"/*.err "$work"/*.time "$work"/*.parts "$work"/*.samples \
        "$work"/reference.tsv "$BENCH_KEEP/" 2>/dev/null || true
fi
