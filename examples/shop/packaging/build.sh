#!/bin/bash
# build.sh OUTDIR — shopd 2.1.0, 2.2.0 and 2.3.0 as real packages, and the repositories that serve them.
#
#   OUTDIR/deb/shopd_VERSION_all.deb  + Packages, Packages.gz  (dpkg-scanpackages --multiversion)
#   OUTDIR/rpm/shopd-VERSION-1.noarch.rpm + repodata/           (createrepo_c)
#
# Serve OUTDIR over HTTP; hosts use `deb [trusted=yes] http://ADDR/deb ./` and a yum repo with
# `baseurl=http://ADDR/rpm`. 2.2.0 is the broken release: its .deb postinst exits 1 (dpkg leaves it
# iF) and its .rpm %pre fails (rpm refuses the install). The rpm scriptlets are Lua, so the
# packages require nothing (not even /bin/sh) and install into an empty rpmdb. No maintainer script starts shopd: the
# plan's service step does (supervisord reads the program file, the same in every version).
# Deterministic: fixed mtimes (SOURCE_DATE_EPOCH), sorted inputs; running it twice gives the same bytes.
set -euo pipefail

[[ $# -eq 1 ]] || { echo "usage: $0 OUTDIR" >&2; exit 64; }
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC=$HERE/../src/shopd
VERSIONS=(2.1.0 2.2.0 2.3.0)
export SOURCE_DATE_EPOCH=1700000000
mkdir -p "$1/deb" "$1/rpm"
OUT=$(cd "$1" && pwd)
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT

config() { # VERSION -> /etc/shopd/shopd.conf of that version
    printf '# shopd %s configuration (key=value; unknown keys stop shopd with exit 78).\n' "$1"
    printf 'port=8080\nbind=0.0.0.0\ndb=/var/lib/shopd/orders.db\n'
    if [[ $1 == 2.3.* ]]; then
        printf '# 2.3: order-pipeline middleware compatibility (strict | lenient).\nmiddleware_compat=strict\n'
    fi
}

program() { # the supervisord program file: identical in every version, so an upgrade or a
            # downgrade never needs `supervisorctl update` (setup.sh runs it once after the first install)
    cat <<'EOF'
[program:shopd]
command=/usr/bin/shopd --config /etc/shopd/shopd.conf
autostart=true
autorestart=false
startsecs=1
startretries=0
stopwaitsecs=5
redirect_stderr=true
stdout_logfile=/var/log/shopd.log
EOF
}

tree() { # VERSION DIR -> the installed files under DIR
    local v=$1 r=$2
    mkdir -p "$r/usr/lib/shopd" "$r/usr/bin" "$r/etc/shopd" "$r/etc/supervisor/conf.d"
    sed "s/^VERSION = \"@VERSION@\"/VERSION = \"$v\"/" "$SRC" > "$r/usr/lib/shopd/shopd"
    grep -q "^VERSION = \"$v\"" "$r/usr/lib/shopd/shopd" || { echo "build.sh: cannot stamp $v" >&2; exit 1; }
    ln -s ../lib/shopd/shopd "$r/usr/bin/shopd"
    config "$v" > "$r/etc/shopd/shopd.conf"
    program > "$r/etc/supervisor/conf.d/shopd.conf"
    chmod 755 "$r/usr/lib/shopd/shopd"
    chmod 644 "$r/etc/shopd/shopd.conf" "$r/etc/supervisor/conf.d/shopd.conf"
}

deb() { # VERSION
    local v=$1 r=$STAGE/deb-$1
    tree "$v" "$r"
    mkdir -p "$r/DEBIAN"
    cat > "$r/DEBIAN/control" <<EOF
Package: shopd
Version: $v
Architecture: all
Maintainer: Downshift examples <shop@example.invalid>
Section: web
Priority: optional
Description: shop order service (case C1 of the Downshift runbook)
 Python 3 stdlib service with SQLite orders; 2.3.0 rejects every 3rd order.
EOF
    printf '/etc/shopd/shopd.conf\n/etc/supervisor/conf.d/shopd.conf\n' > "$r/DEBIAN/conffiles"
    {
        printf '#!/bin/sh\nset -e\nmkdir -p /var/lib/shopd\n'
        [[ $v == 2.2.0 ]] && printf 'echo "shopd 2.2.0 postinst: migration failed (the broken release)" >&2\nexit 1\n'
        printf 'exit 0\n'
    } > "$r/DEBIAN/postinst"
    chmod 755 "$r/DEBIAN" "$r/DEBIAN/postinst"
    find "$r" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
    dpkg-deb --root-owner-group -Zxz --build "$r" "$OUT/deb/shopd_${v}_all.deb" >/dev/null
}

rpm_() { # VERSION
    local v=$1 top=$STAGE/rpm-$1
    mkdir -p "$top/SPECS" "$top/root"
    tree "$v" "$top/root"
    local pre=""
    [[ $v == 2.2.0 ]] && pre=$'%pre -p <lua>\nerror("shopd 2.2.0 %pre: migration failed (the broken release)")\n'
    cat > "$top/SPECS/shopd.spec" <<EOF
Name: shopd
Version: $v
Release: 1
Summary: shop order service (case C1 of the Downshift runbook)
License: MIT
BuildArch: noarch
AutoReqProv: no

%description
Python 3 stdlib service with SQLite orders; 2.3.0 rejects every 3rd order.

%install
cp -a $top/root/. %{buildroot}/

$pre
%post -p <lua>
posix.mkdir("/var/lib/shopd")

%files
/usr/lib/shopd
/usr/bin/shopd
%config(noreplace) /etc/shopd/shopd.conf
%config(noreplace) /etc/supervisor/conf.d/shopd.conf
EOF
    rpmbuild --quiet -bb --define "_topdir $top" --define '_buildhost downshift' \
        --define 'use_source_date_epoch_as_buildtime 1' --define 'clamp_mtime_to_source_date_epoch 1' \
        --define '_binary_payload w9.gzdio' "$top/SPECS/shopd.spec" >/dev/null
    cp "$top/RPMS/noarch/shopd-$v-1.noarch.rpm" "$OUT/rpm/"
}

for v in "${VERSIONS[@]}"; do
    deb "$v"
    rpm_ "$v"
done
(cd "$OUT/deb" && dpkg-scanpackages --multiversion . /dev/null 2>/dev/null > Packages && gzip -n -9 -c Packages > Packages.gz)
createrepo_c --quiet --update "$OUT/rpm" >/dev/null
echo "$OUT"
