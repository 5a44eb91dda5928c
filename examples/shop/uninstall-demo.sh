#!/bin/bash
# uninstall-demo.sh PREFIX — stop the demo's supervisord (and so shopd) and remove PREFIX.
#
# Stops only the supervisord whose PID is in PREFIX/supervisord.pid, after checking that this PID
# really is that PREFIX's supervisord; waits for it to exit. Refuses to delete a directory that
# install-demo.sh did not create (no PREFIX/.shop-demo marker).
set -euo pipefail

STOP_TIMEOUT_S=20

die() { echo "uninstall-demo: $*" >&2; exit 1; }

[[ $# -eq 1 && -n $1 ]] || die "usage: $0 PREFIX"
PREFIX=$(realpath -m -- "$1")
[[ $PREFIX != / ]] || die "refusing PREFIX /"
[[ -e $PREFIX ]] || { echo "uninstall-demo: $PREFIX does not exist, nothing to do"; exit 0; }
[[ -f $PREFIX/.shop-demo ]] || die "$PREFIX has no .shop-demo marker: not a demo install, refusing to remove it"

alive() { # PID -> running (a zombie counts as gone)
    local state
    state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
    [[ -n $state && $state != Z ]]
}
cmdline_has() { # PID TEXT
    tr '\0' ' ' < "/proc/$1/cmdline" 2>/dev/null | grep -qF -- "$2"
}
stop_pid() { # PID WHAT — TERM, wait, then KILL
    local pid=$1 what=$2 i
    kill -TERM "$pid" 2>/dev/null || return 0
    for ((i = 0; i < STOP_TIMEOUT_S * 10; i++)); do alive "$pid" || return 0; sleep 0.1; done
    echo "uninstall-demo: $what (PID $pid) did not stop in ${STOP_TIMEOUT_S}s, sending KILL" >&2
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do alive "$pid" || return 0; sleep 0.1; done
    die "$what (PID $pid) is still running"
}

PIDFILE=$PREFIX/supervisord.pid
if [[ -f $PIDFILE ]]; then
    pid=$(cat "$PIDFILE")
    if [[ $pid =~ ^[0-9]+$ ]] && alive "$pid" && cmdline_has "$pid" supervisord \
        && cmdline_has "$pid" "$PREFIX/supervisord.conf"; then
        # Remember shopd's PID: if supervisord has to be killed, its child must not outlive it.
        shopd_pid=$(supervisorctl -c "$PREFIX/supervisord.conf" pid shopd 2>/dev/null || true)
        stop_pid "$pid" supervisord
        if [[ $shopd_pid =~ ^[1-9][0-9]*$ ]] && alive "$shopd_pid" \
            && cmdline_has "$shopd_pid" "$PREFIX/etc/shopd.conf"; then
            stop_pid "$shopd_pid" shopd
        fi
        echo "uninstall-demo: stopped supervisord (PID $pid)"
    else
        echo "uninstall-demo: no running supervisord for $PREFIX (stale pidfile)"
    fi
fi

rm -rf -- "$PREFIX"
echo "uninstall-demo: removed $PREFIX"
