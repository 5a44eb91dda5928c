using System.Text.RegularExpressions;

namespace Downshift.Fingerprints.Internal;

/// <summary>Reads the service parts: supervisor's status lines, systemd's unit lists, LSB status exit codes.</summary>
internal static partial class ServiceLines
{
    /// <summary>
    /// <c>NAME STATE description</c> per program (<c>supervisorctl status</c> or the XML-RPC client);
    /// keys <c>supervisor:NAME</c>. The description (pid, uptime) is left out: it changes on every restart.
    /// Returns the lines that are not a program's status (an error, for the section's note).
    /// </summary>
    public static IReadOnlyList<string> AddSupervisor(IEnumerable<string> lines, IDictionary<string, ServiceEntry> entries)
    {
        var other = new List<string>();
        foreach (var line in lines)
        {
            if (SupervisorLine().Match(line) is { Success: true } match)
            {
                entries[$"supervisor:{match.Groups[1].Value}"] = new ServiceEntry(match.Groups[2].Value);
            }
            else
            {
                other.Add(line.Trim());
            }
        }

        return other;
    }

    /// <summary>
    /// <c>systemctl list-units --plain</c> (UNIT LOAD ACTIVE SUB …), then <c>@@unit-files</c> and
    /// <c>list-unit-files</c> (UNIT STATE …); keys <c>systemd:UNIT</c>, state <c>ACTIVE/SUB</c>, enabled from the unit file.
    /// </summary>
    public static void AddSystemd(IEnumerable<string> lines, IDictionary<string, ServiceEntry> entries)
    {
        var units = new Dictionary<string, string>(StringComparer.Ordinal);
        var enabled = new Dictionary<string, string>(StringComparer.Ordinal);
        var inFiles = false;
        foreach (var line in lines)
        {
            if (line == "@@unit-files")
            {
                inFiles = true;
                continue;
            }

            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (!inFiles && fields.Length >= 4)
            {
                units[fields[0]] = $"{fields[2]}/{fields[3]}";
            }
            else if (inFiles && fields.Length >= 2)
            {
                enabled[fields[0]] = fields[1];
            }
        }

        foreach (var unit in units.Keys.Union(enabled.Keys))
        {
            entries[$"systemd:{unit}"] = new ServiceEntry(units.GetValueOrDefault(unit, "inactive/dead")) { Enabled = enabled.GetValueOrDefault(unit) };
        }
    }

    /// <summary><c>NAME\tEXIT</c> of <c>/etc/init.d/NAME status</c> (or <c>missing</c>); keys <c>lsb:NAME</c>, the LSB meaning of the exit code.</summary>
    public static void AddLsb(IEnumerable<string> lines, IDictionary<string, ServiceEntry> entries)
    {
        foreach (var line in lines)
        {
            if (line.Split('\t') is [var name, var code])
            {
                entries[$"lsb:{name}"] = new ServiceEntry(code switch
                {
                    "0" => "running",
                    "1" => "dead (pid file exists)",
                    "2" => "dead (lock file exists)",
                    "3" => "stopped",
                    "4" => "unknown",
                    "124" => "status timed out",
                    "missing" => "missing",
                    _ => $"status exit {code}",
                });
            }
        }
    }

    [GeneratedRegex(@"^(\S+)\s+(RUNNING|STOPPED|STARTING|BACKOFF|STOPPING|EXITED|FATAL|UNKNOWN)(\s|$)")]
    private static partial Regex SupervisorLine();
}
