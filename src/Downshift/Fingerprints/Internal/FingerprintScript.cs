using Downshift.Hosts;
using Downshift.Steps.Service.Internal;

namespace Downshift.Fingerprints.Internal;

/// <summary>
/// The one bash script that reads everything of a fingerprint but databases. Each part runs in the
/// background into its own files, so a slow part (hashing a large directory) does not hold up the
/// others; then every part is printed as <c>@@part NAME EXIT OUT-BYTES ERR-BYTES</c> followed by its
/// stdout and stderr (<see cref="ScriptParts"/>). A part that cannot run says why on stderr and exits
/// <see cref="UnavailableExit"/>; the script itself always exits 0.
/// </summary>
internal static class FingerprintScript
{
    /// <summary>The exit code of a part whose tool or file is not there: its stderr is the reason.</summary>
    public const int UnavailableExit = 90;

    public const string Dpkg = "dpkg";
    public const string Rpm = "rpm";
    public const string Files = "files";
    public const string FilesSha256 = "files-sha256";
    public const string Suid = "suid";
    public const string SuidSha256 = "suid-sha256";
    public const string Sudoers = "sudoers";
    public const string SudoersSha256 = "sudoers-sha256";
    public const string Passwd = "passwd";
    public const string Group = "group";
    public const string Supervisor = "supervisor";
    public const string Systemd = "systemd";
    public const string Lsb = "lsb";
    public const string Ports = "ports";

    public static string For(FingerprintSpec spec)
    {
        var parts = new List<(string Name, string Function)>
        {
            (Dpkg, "packages_dpkg"), (Rpm, "packages_rpm"),
            (Sudoers, "sudoers"), (SudoersSha256, "sudoers_sha256"),
            (Passwd, "cat /etc/passwd"), (Group, "cat /etc/group"),
            (Supervisor, "supervisor"), (Systemd, "systemd"), (Ports, "ports"),
        };
        if (spec.Paths.Count > 0)
        {
            parts.AddRange([(Files, "walk paths"), (FilesSha256, "digest paths")]);
        }

        if (spec.SuidDirectories.Count > 0)
        {
            parts.AddRange([(Suid, "walk suid_dirs"), (SuidSha256, "digest suid_dirs")]);
        }

        if (spec.Services.Count > 0)
        {
            parts.Add((Lsb, "lsb"));
        }

        var supervisor = string.Join(' ', SupervisorClient.CommandWords("status", "", null).Select(Sh.Quote));
        return $"paths=({Words(spec.Paths)})\nsuid_dirs=({Words(spec.SuidDirectories)})\nservices=({Words(spec.Services)})\n" +
               $"supervisor() {{ have supervisorctl || unavailable 'supervisorctl is not installed'; timeout 30 {supervisor}; }}\n" +
               Functions +
               string.Concat(parts.Select(p => $"part {p.Name} {p.Function}\n")) +
               "wait\n" +
               $"for name in {string.Join(' ', parts.Select(p => p.Name))}; do emit \"$name\"; done\n";
    }

    /// <summary>What the journal shows for the script.</summary>
    public static string Display(FingerprintSpec spec) =>
        "fingerprint: packages, services, users, groups, sudoers, ports" +
        (spec.Paths.Count > 0 ? $"; paths {string.Join(' ', spec.Paths)}" : "") +
        (spec.SuidDirectories.Count > 0 ? $"; suid under {string.Join(' ', spec.SuidDirectories)}" : "") +
        (spec.Services.Count > 0 ? $"; init scripts {string.Join(' ', spec.Services)}" : "");

    private static string Words(IReadOnlyList<string> values) => string.Join(' ', values.Select(Sh.Quote));

    // find -printf: type letter, permission bits, owner, group, link target, path; each ended by NUL.
    private static readonly string Functions = $$"""
        umask 077
        d=$(mktemp -d "${TMPDIR:-/tmp}/downshift-fp.XXXXXX") || { echo "cannot make a temporary directory" >&2; exit 1; }
        trap 'rm -rf -- "$d"' EXIT
        have() { command -v "$1" >/dev/null 2>&1; }
        unavailable() { printf '%s\n' "$*" >&2; exit {{UnavailableExit}}; }
        part() { local name=$1; shift; ( ( "$@" ) >"$d/$name.out" 2>"$d/$name.err" </dev/null; echo $? >"$d/$name.rc" ) & }
        emit() {
          local rc; read -r rc <"$d/$1.rc" || rc=1
          printf '@@part %s %s %s %s\n' "$1" "$rc" "$(stat -c %s "$d/$1.out")" "$(stat -c %s "$d/$1.err")"
          cat "$d/$1.out" "$d/$1.err"
        }
        record() { find "$@" -printf '%y\0%m\0%u\0%g\0%l\0%p\0'; }
        walk() {
          local -n list=$1; local p
          for p in "${list[@]}"; do
            if [ "$1" = suid_dirs ]; then
              if [ -d "$p" ]; then record "$p" -xdev -type f \( -perm -4000 -o -perm -2000 \); else printf 'missing\0\0\0\0\0%s\0' "$p"; fi
            elif [ -e "$p" ] || [ -L "$p" ]; then record "$p"; else printf 'missing\0\0\0\0\0%s\0' "$p"; fi
          done
        }
        digest() {
          local -n list=$1; local p
          for p in "${list[@]}"; do
            if [ "$1" = suid_dirs ]; then [ -d "$p" ] && find "$p" -xdev -type f \( -perm -4000 -o -perm -2000 \) -print0
            elif [ -e "$p" ]; then find "$p" -type f -print0; fi
          done | xargs -0 -r sha256sum -z --
        }
        packages_dpkg() {
          have dpkg-query || unavailable "dpkg-query is not installed"
          dpkg-query -W -f='${db:Status-Abbrev}\t${binary:Package}\t${Version}\t${Architecture}\n'
        }
        packages_rpm() {
          have rpm || unavailable "rpm is not installed"
          local db; db=$(rpm --eval '%{_dbpath}' 2>/dev/null)
          [ -n "$db" ] && [ -d "$db" ] && [ -n "$(ls -A "$db" 2>/dev/null)" ] || unavailable "rpm has no database${db:+ in $db}"
          timeout 60 rpm -qa --qf '%{NAME}\t%|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}\t%{ARCH}\n'
        }
        sudoers() {
          local list=() p; for p in /etc/sudoers /etc/sudoers.d; do if [ -e "$p" ]; then list+=("$p"); fi; done
          [ ${#list[@]} -gt 0 ] || unavailable "neither /etc/sudoers nor /etc/sudoers.d exists (sudo is not installed)"
          record "${list[@]}" -maxdepth 1
        }
        sudoers_sha256() { find /etc/sudoers /etc/sudoers.d -maxdepth 1 -type f -print0 2>/dev/null | xargs -0 -r sha256sum -z --; }
        systemd() {
          [ -d /run/systemd/system ] || unavailable "systemd is not the init system (no /run/systemd/system)"
          have systemctl || unavailable "systemctl is not installed"
          timeout 30 systemctl list-units --type=service --all --no-legend --plain --no-pager --full || return
          echo '@@unit-files'
          timeout 30 systemctl list-unit-files --type=service --no-legend --no-pager --full
        }
        lsb() {
          local s rc
          for s in "${services[@]}"; do
            if [ -x "/etc/init.d/$s" ]; then timeout 10 "/etc/init.d/$s" status >/dev/null 2>&1; rc=$?; else rc=missing; fi
            printf '%s\t%s\n' "$s" "$rc"
          done
        }
        ports() {
          if have ss; then echo '@@ss'; ss -H -lntup; return; fi
          [ -r /proc/net/tcp ] || unavailable "neither ss nor /proc/net/tcp is there"
          local f c n
          for f in tcp tcp6 udp udp6; do if [ -r "/proc/net/$f" ]; then echo "@@$f"; cat "/proc/net/$f"; fi; done
          echo '@@sockets'; find /proc/[0-9]*/fd -lname 'socket:*' -printf '%h %l\n' 2>/dev/null
          echo '@@comm'; for c in /proc/[0-9]*/comm; do read -r n <"$c" 2>/dev/null && printf '%s %s\n' "${c//[!0-9]/}" "$n"; done
          return 0
        }

        """;
}
