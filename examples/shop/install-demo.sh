#!/bin/bash
# install-demo.sh PREFIX — a running shopd 2.3.0 under PREFIX, managed by its own supervisord.
#
#   SHOP_PORT=18123 examples/shop/install-demo.sh /tmp/shop-a      (SHOP_PORT defaults to 18080)
#
# Layout:  PREFIX/dist/shopd-{2.1.0,2.3.0}.tar.gz   release archives (build.sh)
#          PREFIX/releases/2.3.0/                   unpacked release
#          PREFIX/current -> releases/2.3.0         what supervisord runs
#          PREFIX/etc/shopd.conf                    live config (2.3.0, middleware_compat=strict)
#          PREFIX/data/orders.db                    SQLite
#          PREFIX/supervisord.conf, supervisor.sock, supervisord.pid, log/
#          PREFIX/env                               SHOP_PREFIX=, SHOP_PORT=, ... (for scripts/tests)
# Installs with different PREFIX and SHOP_PORT run side by side. Undo with uninstall-demo.sh.
# Installs Debian's `supervisor` package only when supervisord is missing.
set -euo pipefail

HEALTH_TIMEOUT_S=10
FROM_VERSION=2.3.0

die() { echo "install-demo: $*" >&2; exit 1; }
alive() { # PID -> running (a zombie counts as gone)
    local state
    state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
    [[ -n $state && $state != Z ]]
}

[[ $# -eq 1 && -n $1 ]] || die "usage: [SHOP_PORT=18080] $0 PREFIX"
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PREFIX=$(realpath -m -- "$1")
PORT=${SHOP_PORT:-18080}

[[ $PREFIX != / && $PREFIX =~ ^/[A-Za-z0-9._/+-]+$ ]] \
    || die "PREFIX must be a path of letters, digits and ._/+- (no spaces): $PREFIX"
[[ $PORT =~ ^[0-9]+$ ]] && ((PORT >= 1 && PORT <= 65535)) || die "SHOP_PORT must be 1-65535: $PORT"
((${#PREFIX} <= 90)) || die "PREFIX too long for a unix socket path (max 90 chars): $PREFIX"

PIDFILE=$PREFIX/supervisord.pid
if [[ -f $PIDFILE ]] && alive "$(cat "$PIDFILE")"; then
    die "a supervisord (PID $(cat "$PIDFILE")) already runs for $PREFIX; run uninstall-demo.sh $PREFIX first"
fi
if [[ -e $PREFIX && ! -f $PREFIX/.shop-demo ]] && [[ -n $(ls -A "$PREFIX") ]]; then
    die "$PREFIX exists, is not empty and is not a shop demo install; refusing to write into it"
fi

# The port must be free: otherwise the health wait below could be answered by someone else.
/usr/bin/python3 - "$PORT" <<'PY' || die "port $PORT is already in use on 127.0.0.1 (set SHOP_PORT)"
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try: s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError: sys.exit(1)
PY

if ! command -v supervisord >/dev/null || ! command -v supervisorctl >/dev/null; then
    echo "install-demo: supervisord not found, installing Debian package 'supervisor'" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq supervisor >&2
fi

mkdir -p "$PREFIX"/{dist,releases,etc,data,log}
touch "$PREFIX/.shop-demo"
"$HERE/build.sh" "$PREFIX/dist" >/dev/null

rel=$PREFIX/releases/$FROM_VERSION
rm -rf "$rel"
mkdir -p "$rel"
tar -xzf "$PREFIX/dist/shopd-$FROM_VERSION.tar.gz" -C "$rel"
ln -sfn "releases/$FROM_VERSION" "$PREFIX/current"

cat > "$PREFIX/etc/shopd.conf" <<EOF
# shopd configuration of the demo install at $PREFIX (written for $FROM_VERSION by install-demo.sh)
port=$PORT
db=$PREFIX/data/orders.db
# 2.3 only: 2.1.0 does not know this key and refuses to start while it is here.
middleware_compat=strict
EOF

cat > "$PREFIX/supervisord.conf" <<EOF
; supervisord for the shop demo at $PREFIX (install-demo.sh). Control it with:
;   supervisorctl -c $PREFIX/supervisord.conf status|stop|start|restart shopd
[unix_http_server]
file=$PREFIX/supervisor.sock
chmod=0700

[supervisord]
pidfile=$PIDFILE
logfile=$PREFIX/log/supervisord.log
logfile_maxbytes=1MB
logfile_backups=1
childlogdir=$PREFIX/log
directory=$PREFIX
identifier=shop-demo:$PREFIX
nodaemon=false

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix://$PREFIX/supervisor.sock

[program:shopd]
command=$PREFIX/current/bin/shopd --config $PREFIX/etc/shopd.conf
directory=$PREFIX
autostart=true
autorestart=false
startsecs=1
startretries=0
stopsignal=TERM
stopwaitsecs=10
redirect_stderr=true
stdout_logfile=$PREFIX/log/shopd.log
stdout_logfile_maxbytes=1MB
stdout_logfile_backups=1
EOF

cat > "$PREFIX/env" <<EOF
SHOP_PREFIX=$PREFIX
SHOP_PORT=$PORT
SHOP_DIST=$PREFIX/dist
SHOP_SUPERVISOR_CONFIG=$PREFIX/supervisord.conf
EOF

rm -f "$PIDFILE"
# supervisord daemonizes; keep it off our stdout/stderr so a caller reading them sees EOF.
supervisord -c "$PREFIX/supervisord.conf" </dev/null >>"$PREFIX/log/supervisord.out" 2>&1

deadline=$((SECONDS + HEALTH_TIMEOUT_S))
health=""
while ((SECONDS < deadline)); do
    health=$(curl -fsS --max-time 1 "http://127.0.0.1:$PORT/health" 2>/dev/null) && break
    health=""
    sleep 0.1
done

if [[ $health != *"\"version\": \"$FROM_VERSION\""* ]]; then
    echo "install-demo: shopd did not answer /health with version $FROM_VERSION within ${HEALTH_TIMEOUT_S}s (got: ${health:-nothing})" >&2
    supervisorctl -c "$PREFIX/supervisord.conf" status >&2 || true
    tail -n 20 "$PREFIX/log/shopd.log" "$PREFIX/log/supervisord.log" >&2 || true
    # Do not leave a daemon behind: stop the supervisord we started (files stay for inspection).
    if [[ -f $PIDFILE ]]; then
        pid=$(cat "$PIDFILE")
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 100); do alive "$pid" || break; sleep 0.1; done
    fi
    exit 1
fi

echo "install-demo: shopd $FROM_VERSION up at http://127.0.0.1:$PORT (prefix $PREFIX, supervisord PID $(cat "$PIDFILE"))"
