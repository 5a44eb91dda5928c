namespace Downshift.Steps.Package.Internal;

/// <summary>
/// dnf/rpm. Packages are fetched with <c>dnf install|reinstall --downloadonly --downloaddir</c> (no
/// plugin needed) into the work directory and installed from there. rpm decides edited conffiles by
/// the package's <c>%config(noreplace)</c>; with <c>conffiles: new</c> an <c>.rpmnew</c> the change
/// left is moved into place and the admin's file kept as <c>.rpmsave</c>. Hold: <c>dnf versionlock</c>
/// when the plugin is there, else the package's name on the <c>exclude=</c> line of /etc/dnf/dnf.conf.
/// </summary>
internal sealed class DnfManager : PackageManager
{
    public override string Kind => "dnf";

    public override string Functions => """
        DNF=(dnf -y --disableexcludes=all)
        CONF=/etc/dnf/dnf.conf
        pkgfile() { printf '%s/%s-%s.rpm' "$W" "$P" "$1"; }
        verify() { local s; [ -f "$1" ] && s=$(rpm -qp --qf '%{NAME}|%{VERSION}-%{RELEASE}' "$1" 2>/dev/null) && [ "${s%%|*}" = "$P" ] && { [ "${s#*|}" = "$2" ] || [ "${s#*|}" = "$2-${s##*-}" ]; }; }
        query() { local s; s=$(rpm -q --qf '%{VERSION}-%{RELEASE}|installed' "$P" 2>/dev/null) && printf '%s' "$s"; }
        has_versionlock() { dnf versionlock --help >/dev/null 2>&1; }
        held() {
          if has_versionlock; then dnf -q versionlock list 2>/dev/null | grep -q "^$P-[0-9]" && { echo true; return; }; fi
          if grep -Eq "^exclude=(.*[ ,])?$P([ ,]|$)" "$CONF" 2>/dev/null; then echo true; else echo false; fi
        }
        hold() {
          if has_versionlock; then dnf -q versionlock add "$P" >/dev/null && echo "note=held $P (dnf versionlock add)"; return; fi
          if grep -q '^exclude=' "$CONF"; then grep -Eq "^exclude=(.*[ ,])?$P([ ,]|$)" "$CONF" || sed -i "s/^exclude=.*/& $P/" "$CONF"
          else printf 'exclude=%s\n' "$P" >> "$CONF"; fi
          echo "note=held $P with exclude= in $CONF (no dnf versionlock plugin)"
        }
        unhold() {
          if has_versionlock; then dnf -q versionlock delete "$P" >/dev/null 2>&1 || true; fi
          sed -i -E "/^exclude=/{s/(=|[ ,])$P([ ,]|$)/\1\2/; s/[ ,]+$//; s/=[ ,]+/=/; s/  +/ /g}; /^exclude=$/d" "$CONF"
        }
        leftovers() { rpm -qc "$P" 2>/dev/null | while read -r f; do for s in .rpmnew .rpmsave .rpmorig; do [ -e "$f$s" ] && echo "$f$s"; done; done | sort -u; }
        # The lines of a dnf log that say what went wrong (scriptlet errors come before the summary).
        errors() { grep -iE '^(error|Error|Problem|  - )|scriptlet|conflict|nothing provides' "$1" | grep -v 'Running scriptlet' | tail -n 6 | tr '\n' ' '; }
        history() { dnf history list 2>/dev/null | awk -F'|' '$1+0>0 {print $1+0; exit}'; }
        take_new() { # conffiles: new — the package's file in place, the admin's as .rpmsave
          [ "$C" = new ] || return 0
          rpm -qc "$P" | while read -r f; do if [ -e "$f.rpmnew" ]; then mv -f -- "$f" "$f.rpmsave"; mv -f -- "$f.rpmnew" "$f"; echo "note=took the package's $f (the edited one is $f.rpmsave)"; fi; done
        }
        """;

    public override string Stage => """
        mkdir -p "$W"
        cur=$(query); echo "installed=${cur%%|*}"
        fetch() { # VERSION VERB
          local v=$1 f; f=$(pkgfile "$1")
          if verify "$f" "$v"; then echo "saved=$f (kept from an earlier staging)"; return 0; fi
          rm -rf "$W/.download"; mkdir -p "$W/.download"
          "${DNF[@]}" -q "$2" --downloadonly --downloaddir "$W/.download" "$P-$v" >"$W/.download.log" 2>&1 \
            || { echo "cannot download $P-$v: $(grep -v '^Unable to detect' "$W/.download.log" | tail -n 3 | tr '\n' ' ')" >&2; return 1; }
          local got; got=$(ls "$W/.download"/*.rpm 2>/dev/null | head -n 1)
          if [ -z "$got" ] || ! verify "$got" "$v"; then echo "the download of $P-$v is not that package (${got:-no .rpm})" >&2; return 1; fi
          mv -f "$got" "$f"; rm -rf "$W/.download" "$W/.download.log"; echo "saved=$f (downloaded)"
        }
        case "${cur%%|*}" in "$V"|"$V"-*) fetch "$V" reinstall || exit 3 ;; *) fetch "$V" install || exit 3 ;; esac
        case "${cur%%|*}" in ""|"$V"|"$V"-*) ;; *) fetch "${cur%%|*}" reinstall || { echo "the rollback needs the installed version's package and none can be had: nothing was changed" >&2; exit 3; } ;; esac
        sim=$(dnf install --assumeno --disableexcludes=all "$(pkgfile "$V")" 2>&1)
        case "$sim" in *"Operation aborted."*|*"Nothing to do."*) ;; *) echo "dnf cannot make this change: $(printf '%s' "$sim" | grep -v '^Unable to detect' | tail -n 5 | tr '\n' ' ')" >&2; exit 4 ;; esac
        printf '%s\n' "$sim" | sed -n '/^Dependencies resolved/,/^Transaction Summary/p' | sed 's/^/simulation=/'
        """;

    public override string Prepare => """
        cur=$(query); echo "installed=${cur%%|*}"; echo "status=${cur#*|}"
        [ -z "$cur" ] || echo "file=$(pkgfile "${cur%%|*}")"
        if verify "$(pkgfile "$V")" "$V" && { [ -z "$cur" ] || verify "$(pkgfile "${cur%%|*}")" "${cur%%|*}"; }; then echo "staged=true"; else echo "staged=false"; fi
        echo "held=$(held)"
        rpm -qc "$P" 2>/dev/null | while read -r f; do echo "conffile=$f $(md5sum < "$f" 2>/dev/null | cut -d' ' -f1)"; done
        leftovers | sed 's/^/leftover=/'
        """;

    public override string Execute => """
        f=$(pkgfile "$V")
        verify "$f" "$V" || { echo "the staged package $f is missing or is not $P $V (staging saves it before the run changes anything)" >&2; exit 3; }
        "${DNF[@]}" install "$f" >"$W/.install.log" 2>&1; rc=$?
        cur=$(query); echo "after=$cur"; echo "history=$(history)"
        take_new
        leftovers | sed 's/^/leftover=/'
        case "${cur%%|*}" in "$V"|"$V"-*) ok=1 ;; *) ok= ;; esac
        if [ "$rc" -ne 0 ] || [ -z "$ok" ]; then echo "dnf install of $f exited $rc, $P is now '${cur:-not installed}': $(errors "$W/.install.log")" >&2; exit 5; fi
        if [ "$H" = 1 ]; then hold; fi
        """;

    public override string Undo => """
        cur=$(query)
        if [ "$(held)" = true ]; then unhold; fi
        if [ -z "$PV" ]; then
          if [ -n "$cur" ]; then rpm -e "$P" >"$W/.undo.log" 2>&1 || { echo "cannot remove $P: $(tail -n 3 "$W/.undo.log" | tr '\n' ' ')" >&2; exit 5; }; echo "note=removed $P (it was not installed before)"; fi
        elif [ "${cur%%|*}" = "$PV" ]; then
          echo "note=$P $PV is installed already"
        else
          f=$(pkgfile "$PV")
          verify "$f" "$PV" || { echo "the saved package of $P $PV is missing ($f); $P is '${cur:-not installed}'" >&2; exit 3; }
          if "${DNF[@]}" install "$f" >"$W/.undo.log" 2>&1 && [ "$(query)" = "$PV|installed" ]; then echo "note=reinstalled $P $PV from $f with dnf (was '${cur:-not installed}')"
          elif rpm -U --oldpackage --replacepkgs "$f" >>"$W/.undo.log" 2>&1; then echo "note=reinstalled $P $PV from $f with rpm -U --oldpackage (dnf failed; was '${cur:-not installed}')"
          else echo "cannot reinstall $P $PV from $f: $(errors "$W/.undo.log")" >&2; exit 5; fi
          echo "history=$(history)"
        fi
        if [ "$HELD" = true ]; then hold >/dev/null; fi
        leftovers | while read -r f; do printf '%s\n' "$LEFT" | grep -qxF "$f" || { rm -f -- "$f"; echo "removed=$f"; }; done
        cur=$(query); echo "after=$cur"
        if [ -n "$PV" ] && [ "$cur" != "$PV|installed" ]; then echo "$P is '${cur:-not installed}' after the undo, not $PV" >&2; exit 6; fi
        """;

    public override IReadOnlyList<PackageChange> ParseSimulation(string simulation) => PackageChanges.ParseDnf(simulation);

    public override bool IsVersion(string installed, string wanted) =>
        installed == wanted || (!wanted.Contains('-', StringComparison.Ordinal) && installed.StartsWith(wanted + "-", StringComparison.Ordinal));
}
