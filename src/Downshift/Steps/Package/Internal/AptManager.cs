namespace Downshift.Steps.Package.Internal;

/// <summary>
/// apt/dpkg. Packages are fetched with <c>apt-get download</c> into the work directory (the apt
/// cache may be cleaned after every run, and a mirror may drop the old version) and installed from
/// there with <c>apt-get install ./file.deb</c>, never interactively (conffile answers given).
/// </summary>
internal sealed class AptManager : PackageManager
{
    public override string Kind => "apt";

    public override string Functions => """
        export DEBIAN_FRONTEND=noninteractive
        pkgfile() { printf '%s/%s_%s.deb' "$W" "$P" "${1//:/%3a}"; }
        verify() { [ -f "$1" ] && [ "$(dpkg-deb -f "$1" Package 2>/dev/null)" = "$P" ] && [ "$(dpkg-deb -f "$1" Version 2>/dev/null)" = "$2" ]; }
        # VERSION|STATUS, or nothing when the package is not installed (rc: only its config files are left).
        query() { local s; s=$(dpkg-query -W -f '${Version}|${db:Status-Abbrev}' "$P" 2>/dev/null) || return 0; case "${s#*|}" in ?n*|?c*) ;; *) printf '%s' "$s" ;; esac; }
        held() { if apt-mark showhold "$P" 2>/dev/null | grep -qxF "$P"; then echo true; else echo false; fi; }
        leftovers() { dpkg-query -W -f '${Conffiles}\n' "$P" 2>/dev/null | while read -r f _; do for s in .dpkg-dist .dpkg-old .dpkg-new; do [ -n "$f" ] && [ -e "$f$s" ] && echo "$f$s"; done; done | sort -u; }
        # keep: confdef+confold. new: confnew alone (with confdef, dpkg's default — keep the edited file — would win).
        if [ "$C" = new ]; then DPKG_CONF=(--force-confnew); else DPKG_CONF=(--force-confdef --force-confold); fi
        APT_CONF=(); for o in "${DPKG_CONF[@]}"; do APT_CONF+=(-o "Dpkg::Options::=$o"); done
        install_file() { apt-get install -y -q --allow-downgrades --allow-change-held-packages "${APT_CONF[@]}" "$1"; }
        # VERSION installed and configured ("ii", or "hi" when held).
        is_ok() { [[ $cur == "$1|"?"i " ]]; }
        half_done() { case "$1" in *'|'?[UFHWt]*) return 0 ;; *) return 1 ;; esac; }
        """;

    public override string Stage => """
        mkdir -p "$W"
        updated=
        fetch() {
          local v=$1 f; f=$(pkgfile "$1")
          if verify "$f" "$v"; then echo "saved=$f (kept from an earlier staging)"; return 0; fi
          rm -rf "$W/.download"; mkdir -p "$W/.download"
          if ! (cd "$W/.download" && apt-get download -q "$P=$v") >"$W/.download.log" 2>&1; then
            if [ -z "$updated" ]; then updated=1; apt-get update -q >"$W/.update.log" 2>&1 || true; echo "note=ran apt-get update (the index did not have $P=$v)"; fi
            rm -rf "$W/.download"; mkdir -p "$W/.download"
            (cd "$W/.download" && apt-get download -q "$P=$v") >"$W/.download.log" 2>&1 \
              || { echo "cannot download $P=$v: $(grep -E '^(E|W):' "$W/.download.log" | tr '\n' ' ')" >&2; return 1; }
          fi
          local got; got=$(ls "$W/.download"/*.deb 2>/dev/null | head -n 1)
          if [ -z "$got" ] || ! verify "$got" "$v"; then echo "the download of $P=$v is not that package (${got:-no .deb})" >&2; return 1; fi
          mv -f "$got" "$f"; rm -rf "$W/.download" "$W/.download.log"; echo "saved=$f (downloaded)"
        }
        cur=$(query); echo "installed=${cur%%|*}"
        fetch "$V" || exit 3
        if [ -n "$cur" ] && [ "${cur%%|*}" != "$V" ]; then
          fetch "${cur%%|*}" || { echo "the rollback needs the installed version's package and none can be had: nothing was changed" >&2; exit 3; }
        fi
        sim=$(apt-get -s -q install --allow-downgrades --allow-change-held-packages "$(pkgfile "$V")" 2>&1) \
          || { echo "apt cannot make this change: $(printf '%s' "$sim" | grep -E '^(E:| )' | tr '\n' ' ')" >&2; exit 4; }
        printf '%s\n' "$sim" | grep -E '^(Inst|Remv|Purg) ' | sed 's/^/simulation=/'
        """;

    public override string Prepare => """
        cur=$(query); echo "installed=${cur%%|*}"; echo "status=${cur#*|}"
        [ -z "$cur" ] || echo "file=$(pkgfile "${cur%%|*}")"
        if verify "$(pkgfile "$V")" "$V" && { [ -z "$cur" ] || verify "$(pkgfile "${cur%%|*}")" "${cur%%|*}"; }; then echo "staged=true"; else echo "staged=false"; fi
        echo "held=$(held)"
        dpkg-query -W -f '${Conffiles}\n' "$P" 2>/dev/null | while read -r f _; do
          [ -n "$f" ] && echo "conffile=$f $(md5sum < "$f" 2>/dev/null | cut -d' ' -f1)"
        done
        leftovers | sed 's/^/leftover=/'
        """;

    public override string Execute => """
        f=$(pkgfile "$V")
        verify "$f" "$V" || { echo "the staged package $f is missing or is not $P $V (staging saves it before the run changes anything)" >&2; exit 3; }
        cur=$(query)
        if half_done "$cur"; then echo "note=$P was half-configured (${cur#*|}) before the change: ran dpkg --configure -a"; dpkg --configure -a >"$W/.configure.log" 2>&1 || true; fi
        install_file "$f" >"$W/.install.log" 2>&1; rc=$?
        cur=$(query)
        if [ "$rc" -ne 0 ] && half_done "$cur" && [[ ${cur#*|} != ?F* ]]; then
          echo "note=$P was left ${cur#*|}: ran dpkg --configure -a"; dpkg --configure -a >>"$W/.install.log" 2>&1 && rc=0; cur=$(query)
        fi
        echo "after=$cur"
        leftovers | sed 's/^/leftover=/'
        if [ "$rc" -ne 0 ] || ! is_ok "$V"; then echo "apt-get install of $f exited $rc, $P is now '${cur:-not installed}': $(tail -n 4 "$W/.install.log" | tr '\n' ' ')" >&2; exit 5; fi
        if [ "$H" = 1 ]; then apt-mark hold "$P" >/dev/null && echo "note=held $P at $V (apt-mark hold)"; fi
        """;

    public override string Undo => """
        cur=$(query)
        if [ -z "$PV" ]; then
          if [ -n "$cur" ]; then dpkg --purge --force-remove-reinstreq "$P" >"$W/.undo.log" 2>&1 || { echo "cannot remove $P: $(tail -n 3 "$W/.undo.log" | tr '\n' ' ')" >&2; exit 5; }; echo "note=removed $P (it was not installed before)"; fi
        elif is_ok "$PV"; then
          echo "note=$P $PV is installed already"
        else
          f=$(pkgfile "$PV")
          verify "$f" "$PV" || { echo "the saved package of $P $PV is missing ($f); $P is '${cur:-not installed}'" >&2; exit 3; }
          apt-mark unhold "$P" >/dev/null 2>&1 || true
          if install_file "$f" >"$W/.undo.log" 2>&1; then echo "note=reinstalled $P $PV from $f (was '${cur:-not installed}')"
          elif dpkg -i --force-downgrade "${DPKG_CONF[@]}" "$f" >>"$W/.undo.log" 2>&1; then echo "note=reinstalled $P $PV from $f with dpkg -i (apt-get install failed; was '${cur:-not installed}')"
          else echo "cannot reinstall $P $PV from $f: $(tail -n 4 "$W/.undo.log" | tr '\n' ' ')" >&2; exit 5; fi
        fi
        if [ "$HELD" = true ]; then apt-mark hold "$P" >/dev/null; elif [ "$(held)" = true ]; then apt-mark unhold "$P" >/dev/null; fi
        leftovers | while read -r f; do printf '%s\n' "$LEFT" | grep -qxF "$f" || { rm -f -- "$f"; echo "removed=$f"; }; done
        cur=$(query); echo "after=$cur"
        if [ -n "$PV" ] && ! is_ok "$PV"; then echo "$P is '${cur:-not installed}' after the undo, not $PV" >&2; exit 6; fi
        """;

    public override IReadOnlyList<PackageChange> ParseSimulation(string simulation) => PackageChanges.ParseApt(simulation);

    public override bool IsVersion(string installed, string wanted) => installed == wanted;
}
