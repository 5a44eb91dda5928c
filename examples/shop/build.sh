#!/bin/bash
# build.sh [OUTDIR] — build the shopd release archives of case C1.
#
#   OUTDIR/shopd-2.1.0.tar.gz   OUTDIR/shopd-2.3.0.tar.gz   (default OUTDIR: examples/shop/dist)
#
# Each archive holds, at top level: bin/shopd (version stamped), VERSION, shopd.conf.default.
# Archives are byte-for-byte reproducible (sorted names, mtime 0, owner 0:0, gzip -n); an archive
# whose bytes would not change is left untouched, so running this twice is a no-op.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${1:-$HERE/dist}
VERSIONS=(2.1.0 2.3.0)

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT

default_config() { # VERSION -> the release's shopd.conf.default on stdout
    cat <<EOF
# shopd $1 default configuration.
# Format: key=value, one per line; lines starting with '#' are comments.
# shopd refuses to start on a key it does not know (exit 78).
port=8080
bind=127.0.0.1
db=/var/lib/shopd/orders.db
EOF
    if [[ $1 == 2.3.* ]]; then
        cat <<EOF
# 2.3: compatibility mode of the order-pipeline middleware (strict | lenient).
middleware_compat=strict
EOF
    fi
}

for v in "${VERSIONS[@]}"; do
    r=$STAGE/$v
    mkdir -p "$r/bin"
    sed "s/^VERSION = \"@VERSION@\"/VERSION = \"$v\"/" "$HERE/src/shopd" > "$r/bin/shopd"
    grep -q "^VERSION = \"$v\"" "$r/bin/shopd" || { echo "build.sh: could not stamp version $v" >&2; exit 1; }
    echo "$v" > "$r/VERSION"
    default_config "$v" > "$r/shopd.conf.default"
    chmod 755 "$r/bin" "$r/bin/shopd"
    chmod 644 "$r/VERSION" "$r/shopd.conf.default"

    tmp=$OUT/.shopd-$v.tar.gz.tmp
    tar --format=gnu --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
        -C "$r" -cf - bin VERSION shopd.conf.default | gzip -n -9 > "$tmp"
    dest=$OUT/shopd-$v.tar.gz
    if [[ -f $dest ]] && cmp -s "$tmp" "$dest"; then
        rm -f "$tmp"
    else
        mv -f "$tmp" "$dest"
    fi
    echo "$dest"
done
