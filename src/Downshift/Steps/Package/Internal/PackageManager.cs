using Downshift.Hosts;
using Downshift.Steps.Internal;

namespace Downshift.Steps.Package.Internal;

/// <summary>
/// One package manager as bash. The protocol — stage, inspect (check + prepare), execute, undo — is
/// written once here over a few primitives each manager defines in <see cref="Primitives"/>. Every
/// script gets the variables <c>P</c> (package), <c>V</c> (target version), <c>W</c> (the step's work
/// directory), <c>C</c> (<c>old</c> or <c>new</c> conffile policy), <c>H</c>, <c>PV</c>, <c>HELD</c>,
/// <c>LEFT</c>, and reports on stdout as <c>key=value</c> lines; a reason for failing goes to stderr.
/// </summary>
internal abstract class PackageManager
{
    public abstract string Kind { get; }

    /// <summary>
    /// The manager's bash functions: <c>pkgfile VERSION</c> (where that version's file is saved),
    /// <c>ident FILE</c> (NAME|VERSION of a package file), <c>is_version INSTALLED WANTED</c>,
    /// <c>query</c> (VERSION|STATUS, empty when not installed), <c>is_ok VERSION</c> (installed and
    /// configured), <c>held</c>/<c>hold</c>/<c>unhold</c>, <c>conffiles</c> (of the installed package and
    /// of the staged target), <c>download DIR VERSION…</c>, <c>simulate</c>, <c>install_target FILE</c>
    /// (the change, log in $W/.install.log), <c>after_install</c>, <c>reinstall FILE</c> (the undo's, never
    /// taking the package's conffiles over the admin's), <c>remove_pkg</c> (keeps config files),
    /// <c>errors LOG</c>.
    /// </summary>
    protected abstract string Primitives { get; }

    /// <summary>The package file extension (deb, rpm).</summary>
    protected abstract string Extension { get; }

    /// <summary>What a simulated transaction in the stage output would change.</summary>
    public abstract IReadOnlyList<PackageChange> ParseSimulation(string simulation);

    /// <summary>Every function a script can use: the manager's primitives and the shared ones below.</summary>
    public string Functions => Primitives + "\n" + $"EXT={Extension}; SUFFIXES=({Leftover.BashWords})\n" + Shared;

    /// <summary>
    /// Saves the target and the installed package under <c>W</c> (what is missing, with one
    /// <c>download</c> call) and simulates the change; prints <c>installed=</c>, <c>saved=</c>, <c>simulation=</c>.
    /// </summary>
    public static string Stage => """
        mkdir -p "$W"
        cur=$(query); echo "installed=${cur%%|*}"
        want=("$V"); if [ -n "$cur" ] && ! is_version "${cur%%|*}" "$V"; then want+=("${cur%%|*}"); fi
        need=()
        for v in "${want[@]}"; do f=$(pkgfile "$v"); if verify "$f" "$v"; then echo "saved=$f (kept from an earlier staging)"; else need+=("$v"); fi; done
        if [ ${#need[@]} -gt 0 ]; then
          rm -rf "$W/.download"; mkdir -p "$W/.download"
          download "$W/.download" "${need[@]}" || { echo "(the rollback needs the installed version's package too): nothing was changed" >&2; exit 3; }
          for v in "${need[@]}"; do
            got=; for g in "$W/.download"/*."$EXT"; do if [ -f "$g" ] && verify "$g" "$v"; then got=$g; break; fi; done
            [ -n "$got" ] || { echo "the download of $P $v is not that package ($(ls "$W/.download" | tr '\n' ' '))" >&2; exit 3; }
            mv -f "$got" "$(pkgfile "$v")"; echo "saved=$(pkgfile "$v") (downloaded)"
          done
          rm -rf "$W/.download" "$W/.download.log"
        fi
        simulate || exit 4
        """;

    /// <summary>
    /// The check and, when the target is not in place (or <c>PREPARE=1</c>), what the undo needs:
    /// <c>held=</c>, <c>leftover=</c>, and a copy of every conffile in <c>$W/conffiles</c> (the first copy
    /// is kept: a prepare after a partial change must not save the changed files).
    /// </summary>
    public static string Inspect => """
        cur=$(query); echo "installed=${cur%%|*}"
        # Done only when the version is there and, with H=1, held too (a run killed between dpkg and the hold is not done).
        h=$(held)
        if is_ok "$V" && { [ "$H" != 1 ] || [ "$h" = true ]; }; then done=true; echo "done=true"; else done=false; fi
        if [ "$PREPARE" = 1 ] || [ "$done" = false ]; then echo "held=$h"; save_conffiles || { echo "cannot copy the conffiles to $SAVED" >&2; exit 3; }; leftovers | sed 's/^/leftover=/'; echo "prepared=true"; fi
        """;

    /// <summary>Installs <c>pkgfile $V</c> (verified again), holds when <c>H=1</c>; prints <c>after=</c>, <c>leftover=</c>, <c>note=</c>.</summary>
    public static string Execute => """
        f=$(pkgfile "$V")
        verify "$f" "$V" || { echo "the staged package $f is missing or is not $P $V (staging saves it before the run changes anything)" >&2; exit 3; }
        cur=$(query)
        if is_ok "$V"; then rc=0; echo "note=$P $V was installed already: only the hold was missing"; else install_target "$f"; rc=$?; installed=1; fi
        cur=$(query); echo "after=$cur"
        if [ "${installed:-0}" = 1 ]; then after_install; fi
        leftovers | sed 's/^/leftover=/'
        if [ "$rc" -ne 0 ] || ! is_ok "$V"; then echo "installing $f exited $rc, $P is now '${cur:-not installed}': $(errors "$W/.install.log")" >&2; exit 5; fi
        if [ "$H" = 1 ]; then hold; fi
        """;

    /// <summary>
    /// Reinstalls <c>PV</c> from <c>pkgfile $PV</c> (or removes the package, keeping its config files,
    /// when <c>PV</c> is empty), puts the saved conffiles back, restores <c>HELD</c>, removes leftovers not in <c>LEFT</c>.
    /// </summary>
    public static string Undo => """
        cur=$(query)
        if [ "$(held)" = true ]; then unhold; fi
        if [ -z "$PV" ]; then
          if [ -n "$cur" ]; then remove_pkg >"$W/.undo.log" 2>&1 || { echo "cannot remove $P: $(errors "$W/.undo.log")" >&2; exit 5; }; echo "note=removed $P, keeping its config files (it was not installed before)"; fi
        elif is_ok "$PV"; then
          echo "note=$P $PV is installed already"
        else
          f=$(pkgfile "$PV")
          verify "$f" "$PV" || { echo "the saved package of $P $PV is missing ($f); $P is '${cur:-not installed}'" >&2; exit 3; }
          reinstall "$f" || { echo "cannot reinstall $P $PV from $f: $(errors "$W/.undo.log")" >&2; exit 5; }
        fi
        restore_conffiles || exit 5
        if [ "$HELD" = true ]; then hold >/dev/null; fi
        leftovers | while read -r f; do printf '%s\n' "$LEFT" | grep -qxF "$f" || { rm -f -- "$f"; echo "removed=$f"; }; done
        cur=$(query); echo "after=$cur"
        if [ -n "$PV" ] && ! is_ok "$PV"; then echo "$P is '${cur:-not installed}' after the undo, not $PV" >&2; exit 6; fi
        """;

    private const string Shared = """
        verify() { local s; [ -f "$1" ] && s=$(ident "$1") && [ "${s%%|*}" = "$P" ] && is_version "${s#*|}" "$2"; }
        leftovers() { conffiles | while read -r f; do for s in "${SUFFIXES[@]}"; do [ -e "$f$s" ] && echo "$f$s"; done; done | sort -u; }
        SAVED="$W/conffiles"
        save_conffiles() {
          [ -d "$SAVED" ] && return 0
          rm -rf "$SAVED.new"; mkdir -p "$SAVED.new"
          conffiles | while read -r f; do if [ -f "$f" ] && ! [ -L "$f" ]; then mkdir -p -- "$SAVED.new${f%/*}" && cp -a -- "$f" "$SAVED.new$f" || exit 1; fi; done || return 1
          mv -T -- "$SAVED.new" "$SAVED"
        }
        # Every saved conffile that differs now (content, mode, owner) goes back: the admin's file, not the package's.
        restore_conffiles() {
          [ -d "$SAVED" ] || return 0
          local r f s bad=
          while IFS= read -r r; do
            f="/$r"; s="$SAVED/$r"
            if cmp -s -- "$s" "$f" && [ "$(stat -c '%a %u %g' -- "$s")" = "$(stat -c '%a %u %g' -- "$f")" ]; then continue; fi
            # The file being replaced may hold edits made since the change: it is kept, never just overwritten.
            if [ -f "$f" ]; then mkdir -p -- "$SAVED.replaced/$(dirname -- "$r")" && cp -a -- "$f" "$SAVED.replaced/$r" || { echo "cannot keep a copy of $f before putting the saved one back" >&2; bad=1; continue; }; echo "kept=$f as $SAVED.replaced/$r"; fi
            if mkdir -p -- "$(dirname -- "$f")" && cp -a -- "$s" "$f.downshift-restore" && mv -f -- "$f.downshift-restore" "$f"; then echo "restored=$f"
            else echo "cannot put the saved $f back from $s" >&2; bad=1; fi
          done < <(cd "$SAVED" && find . -type f -printf '%P\n')
          [ -z "$bad" ]
        }
        """;

    public static async Task<PackageManager> ResolveAsync(PackageOptions options, IHostTransport host, CancellationToken cancellationToken)
    {
        var kind = options.Manager;
        if (kind == "auto")
        {
            var probe = await host.RunAsync(
                new HostCommand("if command -v dpkg-query >/dev/null; then echo apt; elif command -v dnf >/dev/null; then echo dnf; else echo none; fi")
                { Journaled = false },
                cancellationToken);
            kind = probe.StdoutText.Trim();
        }

        return kind switch
        {
            "apt" => new AptManager(),
            "dnf" => new DnfManager(),
            _ => throw DownshiftException.InvalidState(
                $"no package manager found on '{host.HostName}' for '{options.Name}' (neither dpkg-query nor dnf)"),
        };
    }
}
