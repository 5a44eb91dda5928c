using System.Globalization;
using System.Text;

namespace Downshift.Hosts.Ssh.Internal;

/// <summary>
/// The command line sent in the SSH exec request. The script travels in the command line (quoted with
/// <see cref="Sh"/>), so stdin stays free for binary data. Environment variables are exported by the
/// script itself (sshd's AcceptEnv cannot be relied on). The script runs under GNU <c>timeout</c>, which
/// puts it in its own process group and kills the whole group when the command's time is up or when
/// the controller cancels it (the wrapper reports the group's id on its first stderr line, and a second
/// channel kills the group: TERM, then KILL after <see cref="SshDefaults.KillAfterSeconds"/>).
/// With become, everything runs under <c>sudo -n</c>.
/// </summary>
internal static class RemoteCommand
{
    /// <summary>The first stderr line of every command: the process group to kill on cancel (removed from the result).</summary>
    public const string PidMarker = "downshift-pgid:";

    public static string Build(HostCommand command, bool become)
    {
        var script = new StringBuilder("export LC_ALL=C\n");
        foreach (var (key, value) in command.Environment ?? new Dictionary<string, string>())
        {
            if (!IsName(key))
            {
                throw DownshiftException.Internal($"'{key}' is not a valid environment variable name");
            }

            script.Append("export ").Append(key).Append('=').Append(Sh.Quote(value)).Append('\n');
        }

        script.Append(command.Script);
        var seconds = Math.Max(0.001, command.Timeout.TotalSeconds).ToString("0.###", CultureInfo.InvariantCulture);
        var noInput = command.Stdin is not { Length: > 0 } && command.StdinFrom is null ? " </dev/null" : "";
        var wrapper = $"printf '{PidMarker}%s\\n' $$ >&2; exec timeout -s TERM -k {SshDefaults.KillAfterSeconds} {seconds} bash -c \"$1\"{noInput}";
        var line = $"exec {(become ? "sudo -n " : "")}bash -c {Sh.Quote(wrapper)} downshift {Sh.Quote(script.ToString())}";
        return Encoding.UTF8.GetByteCount(line) > SshDefaults.MaxScriptBytes
            ? throw DownshiftException.Internal($"a script of {line.Length} bytes is too long for one SSH command line (pass file data on stdin): {command.DisplayText}")
            : line;
    }

    /// <summary>Kills the process group a command runs in: TERM, then KILL (run on a second channel on cancel).</summary>
    public static string Kill(int processGroup, bool become)
    {
        var sudo = become ? "sudo -n " : "";
        var group = $"-{processGroup.ToString(CultureInfo.InvariantCulture)}";
        return $"{sudo}kill -TERM -- {group} 2>/dev/null; for _ in $(seq {SshDefaults.KillAfterSeconds * 10}); do "
            + $"{sudo}kill -0 -- {group} 2>/dev/null || exit 0; sleep 0.1; done; {sudo}kill -KILL -- {group} 2>/dev/null; true";
    }

    private static bool IsName(string key) =>
        key.Length > 0 && !char.IsAsciiDigit(key[0]) && key.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
