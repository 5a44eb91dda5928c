using System.Globalization;
using Downshift.Hosts;

namespace Downshift.Steps.Service.Internal;

/// <summary>
/// What a <see cref="ServiceScript"/> printed: <c>key=value</c> lines (manager, state, port, the
/// command's exit), then the command's output and the recent log after their markers.
/// </summary>
internal sealed record ServiceReport(string Manager, ServiceState State, bool? PortOpen, int? ExitCode, string Output, string Log)
{
    public const string OutputMarker = "@@downshift-output";
    public const string LogMarker = "@@downshift-log";

    public static ServiceReport Parse(CommandResult result)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var output = new List<string>();
        var log = new List<string>();
        List<string>? into = null;
        foreach (var line in result.StdoutText.Split('\n'))
        {
            if (line == OutputMarker || line == LogMarker)
            {
                into = line == OutputMarker ? output : log;
            }
            else if (into is not null)
            {
                into.Add(line);
            }
            else if (line.Split('=', 2) is [var key, var value])
            {
                values[key] = value;
            }
        }

        return new ServiceReport(
            values.GetValueOrDefault("manager", ""),
            ServiceStates.Parse(values.GetValueOrDefault("state")),
            values.GetValueOrDefault("port") switch { "open" => true, "closed" => false, _ => null },
            int.TryParse(values.GetValueOrDefault("exit"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var exit) ? exit : null,
            string.Join('\n', output).Trim(),
            string.Join('\n', log).Trim());
    }
}
