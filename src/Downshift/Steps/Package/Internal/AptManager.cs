namespace Downshift.Steps.Package.Internal;

/// <summary>
/// apt/dpkg. Packages are fetched with <c>apt-get download</c> into the work directory (the apt
/// cache may be cleaned after every run, and a mirror may drop the old version) and installed from
/// there — with <c>dpkg -i</c> when staging's simulation showed no other package changing, else with
/// <c>apt-get install ./file.deb</c> — never interactively (conffile answers given).
/// </summary>
internal sealed class AptManager : PackageManager
{
    public override string Kind => "apt";

    protected override string Extension => "deb";

    protected override string Primitives => """
        export DEBIAN_FRONTEND=noninteractive
        pkgfile() { printf '%s/%s_%s.deb' "$W" "$P" "${1//:/%3a}"; }
        ident() { local c l p= v=; c=$(dpkg-deb -f "$1" Package Version 2>/dev/null) || return 1; while IFS= read -r l; do case $l in "Package: "*) p=${l#Package: } ;; "Version: "*) v=${l#Version: } ;; esac; done <<< "$c"; printf '%s|%s' "$p" "$v"; }
        is_version() { [ "$1" = "$2" ]; }
        # VERSION|STATUS, or nothing when the package is not installed (rc: only its config files are left).
        query() { local s; s=$(dpkg-query -W -f '${Version}|${db:Status-Abbrev}' "$P" 2>/dev/null) || return 0; case "${s#*|}" in ?n*|?c*) ;; *) printf '%s' "$s" ;; esac; }
        # VERSION installed and configured ("ii", or "hi" when held).
        is_ok() { [[ $cur == "$1|"?"i " ]]; }
        half_done() { case "$1" in *'|'?[UFHWt]*) return 0 ;; *) return 1 ;; esac; }
        # apt-mark's hold is dpkg's selection "hold": set and read it with dpkg, without loading apt's cache.
        held() { if [ "$(dpkg-query -W -f '${db:Status-Want}' "$P" 2>/dev/null)" = hold ]; then echo true; else echo false; fi; }
        hold() { echo "$P hold" | dpkg --set-selections && echo "note=held $P at $V (dpkg selection hold, as apt-mark hold)"; }
        unhold() { echo "$P install" | dpkg --set-selections 2>/dev/null || true; }
        # The installed (or removed, "rc") package's conffiles and the staged target's.
        conffiles() {
          { dpkg-query -W -f '${Conffiles}\n' "$P" 2>/dev/null | while read -r f _; do [ -n "$f" ] && echo "$f"; done
            [ -f "$(pkgfile "$V")" ] && dpkg-deb --info "$(pkgfile "$V")" conffiles 2>/dev/null | awk '$NF ~ /^\// {print $NF}'; } | sort -u
        }
        # Every version with one apt-get download; apt-get update once when the index lacks one.
        download() {
          local d=$1; shift; local specs=("${@/#/$P=}")
          (cd "$d" && apt-get download -q "${specs[@]}") >"$W/.download.log" 2>&1 && return 0
          apt-get update -q >"$W/.update.log" 2>&1 || true; echo "note=ran apt-get update (the index did not have ${specs[*]})"
          (cd "$d" && apt-get download -q "${specs[@]}") >"$W/.download.log" 2>&1 \
            || { echo "cannot download ${specs[*]}: $(grep -E '^(E|W):' "$W/.download.log" | tr '\n' ' ')" >&2; return 1; }
        }
        simulate() {
          local sim; sim=$(apt-get -s -q install "${APT_FRESH[@]}" --allow-downgrades --allow-change-held-packages "$(pkgfile "$V")" 2>&1) \
            || { echo "apt cannot make this change: $(printf '%s' "$sim" | grep -E '^(E:| )' | tr '\n' ' ')" >&2; return 1; }
          printf '%s\n' "$sim" | grep -E '^(Inst|Remv|Purg) ' | sed 's/^/simulation=/'
        }
        # The change: keep = confdef+confold; new = confnew alone (with confdef, dpkg's default — keep the edited file — would win).
        if [ "$C" = new ]; then DPKG_CONF=(--force-confnew); else DPKG_CONF=(--force-confdef --force-confold); fi
        # The undo always keeps the file in place: the admin's saved conffiles are put back after it.
        DPKG_KEEP=(--force-confdef --force-confold)
        # Dir::Cache::pkgcache= : apt builds its view of the installed packages afresh instead of trusting
        # pkgcache.bin. A dpkg -i in the same second that leaves /var/lib/dpkg/status the same size
        # (2.3.0 -> 2.1.0) passes apt's size+mtime check, and apt would then see the old version as
        # installed ("already the newest version") and do nothing.
        APT_FRESH=(-o Dir::Cache::pkgcache=)
        apt_install() { local o a=(); for o in "${@:2}"; do a+=(-o "Dpkg::Options::=$o"); done; apt-get install -y -q "${APT_FRESH[@]}" --allow-downgrades --allow-change-held-packages "${APT_EXTRA[@]}" "${a[@]}" "$1"; }
        # Staging refuses every removal (allow-changes never allows one): apt may not remove anything either.
        APT_EXTRA=(--no-remove)
        # Installed packages (other than P) that name P in Depends, Pre-Depends or Breaks: dpkg alone would not weigh them.
        rdeps() {
          dpkg-query -W -f '${db:Status-Abbrev}\t${Package}\t${Depends}, ${Pre-Depends}, ${Breaks}\n' 2>/dev/null |
            awk -F'\t' -v p="$P" '$1 ~ /^.i/ && $2 != p { n = split($3, a, /[,|]/); for (i = 1; i <= n; i++) { d = a[i]; sub(/^ +/, "", d); sub(/[ :(].*$/, "", d); if (d == p) { print $2; break } } }'
        }
        install_target() {
          if half_done "$cur"; then echo "note=$P was half-configured (${cur#*|}) before the change: ran dpkg --configure -a"; dpkg --configure -a >"$W/.configure.log" 2>&1 || true; fi
          local rc=0
          if [ "$ALONE" = 1 ] && [ -z "$(rdeps)" ]; then
            # Staging simulated this exact change, nothing else moves and no installed package depends on P:
            # dpkg does it without loading apt's cache (a third of the CPU). A dependency dpkg refuses goes to
            # apt; a failing maintainer script would fail under apt the same way, so it is reported as it is.
            dpkg -i --force-downgrade "${DPKG_CONF[@]}" "$1" >"$W/.install.log" 2>&1 || rc=$?
            if [ "$rc" -ne 0 ] && grep -q 'dependency problems' "$W/.install.log"; then
              echo "note=dpkg -i refused ($(errors "$W/.install.log")): apt-get install does the change"; rc=0
              apt_install "$1" "${DPKG_CONF[@]}" >>"$W/.install.log" 2>&1 || rc=$?
            fi
          else
            apt_install "$1" "${DPKG_CONF[@]}" >"$W/.install.log" 2>&1 || rc=$?
          fi
          cur=$(query)
          if [ "$rc" -ne 0 ] && half_done "$cur" && [[ ${cur#*|} != ?F* ]]; then
            echo "note=$P was left ${cur#*|}: ran dpkg --configure -a"; dpkg --configure -a >>"$W/.install.log" 2>&1 && rc=0
          fi
          return "$rc"
        }
        after_install() { :; }
        reinstall() {
          local was=${cur:-not installed}
          # apt's exit code alone is not enough: it also exits 0 when it believes nothing needs doing.
          if apt_install "$1" "${DPKG_KEEP[@]}" >"$W/.undo.log" 2>&1 && cur=$(query) && is_ok "$PV"; then echo "note=reinstalled $P $PV from $1 (was '$was')"
          elif dpkg -i --force-downgrade "${DPKG_KEEP[@]}" "$1" >>"$W/.undo.log" 2>&1; then echo "note=reinstalled $P $PV from $1 with dpkg -i (apt-get install did not; was '$was')"
          else return 1; fi
          cur=$(query)
        }
        # --remove, never --purge: the package's config files (the admin's) stay.
        remove_pkg() { dpkg --remove --force-remove-reinstreq "$P"; }
        errors() { tail -n 4 "$1" | tr '\n' ' '; }
        """;

    public override IReadOnlyList<PackageChange> ParseSimulation(string simulation) => PackageChanges.ParseApt(simulation);
}
