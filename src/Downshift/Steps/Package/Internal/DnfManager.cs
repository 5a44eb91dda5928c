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

    protected override string Extension => "rpm";

    protected override string Primitives => """
        DNF=(dnf -y --disableexcludes=all)
        CONF=/etc/dnf/dnf.conf
        pkgfile() { printf '%s/%s-%s.rpm' "$W" "$P" "$1"; }
        ident() { rpm -qp --qf '%{NAME}|%{VERSION}-%{RELEASE}' "$1" 2>/dev/null; }
        # rpm's VERSION-RELEASE is the plan's VERSION-RELEASE, or its VERSION with any release.
        is_version() { [ "$1" = "$2" ] || [ "${1%-*}" = "$2" ]; }
        query() { local s; s=$(rpm -q --qf '%{VERSION}-%{RELEASE}|installed' "$P" 2>/dev/null) && printf '%s' "$s"; }
        is_ok() { [ -n "$cur" ] && is_version "${cur%%|*}" "$1"; }
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
        # The installed package's config files and the staged target's.
        conffiles() { { rpm -q "$P" >/dev/null 2>&1 && rpm -qc "$P"; [ -f "$(pkgfile "$V")" ] && rpm -qcp "$(pkgfile "$V")" 2>/dev/null; } | grep '^/' | sort -u; }
        download() { # DIR VERSION...: dnf's reinstall verb for the installed version
          local d=$1 v verb; shift
          for v in "$@"; do
            verb=install; case "${cur%%|*}" in "$v"|"$v"-*) verb=reinstall ;; esac
            "${DNF[@]}" -q "$verb" --downloadonly --downloaddir "$d" "$P-$v" >"$W/.download.log" 2>&1 \
              || { echo "cannot download $P-$v: $(grep -v '^Unable to detect' "$W/.download.log" | tail -n 3 | tr '\n' ' ')" >&2; return 1; }
          done
        }
        simulate() {
          local sim; sim=$(dnf install --assumeno --disableexcludes=all "$(pkgfile "$V")" 2>&1)
          case "$sim" in *"Operation aborted."*|*"Nothing to do."*) ;; *) echo "dnf cannot make this change: $(printf '%s' "$sim" | grep -v '^Unable to detect' | tail -n 5 | tr '\n' ' ')" >&2; return 1 ;; esac
          printf '%s\n' "$sim" | sed -n '/^Dependencies resolved/,/^Transaction Summary/p' | sed 's/^/simulation=/'
        }
        # The lines of a dnf log that say what went wrong (scriptlet errors come before the summary).
        errors() { grep -iE '^(error|Error|Problem|  - )|scriptlet|conflict|nothing provides' "$1" | grep -v 'Running scriptlet' | tail -n 6 | tr '\n' ' '; }
        history() { dnf history list 2>/dev/null | awk -F'|' '$1+0>0 {print $1+0; exit}'; }
        install_target() { "${DNF[@]}" install "$1" >"$W/.install.log" 2>&1; }
        after_install() { # history; with conffiles: new the package's file in place, the admin's as .rpmsave
          echo "history=$(history)"
          [ "$C" = new ] || return 0
          rpm -qc "$P" | while read -r f; do if [ -e "$f.rpmnew" ]; then mv -f -- "$f" "$f.rpmsave"; mv -f -- "$f.rpmnew" "$f"; echo "note=took the package's $f (the edited one is $f.rpmsave)"; fi; done
        }
        # rpm has no conffile answer: an unchanged file takes the package's, an edited one stays; the saved conffiles are put back after it.
        reinstall() {
          if "${DNF[@]}" install "$1" >"$W/.undo.log" 2>&1 && [ "$(query)" = "$PV|installed" ]; then echo "note=reinstalled $P $PV from $1 with dnf (was '${cur:-not installed}')"
          elif rpm -U --oldpackage --replacepkgs "$1" >>"$W/.undo.log" 2>&1; then echo "note=reinstalled $P $PV from $1 with rpm -U --oldpackage (dnf failed; was '${cur:-not installed}')"
          else return 1; fi
          echo "history=$(history)"
        }
        # rpm -e keeps an edited config file as .rpmsave; the saved conffiles are put back after it.
        remove_pkg() { rpm -e "$P"; }
        """;

    public override IReadOnlyList<PackageChange> ParseSimulation(string simulation) => PackageChanges.ParseDnf(simulation);
}
