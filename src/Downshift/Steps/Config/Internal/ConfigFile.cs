using System.Text;
using Downshift.Hosts;
using Downshift.Steps.Internal;

namespace Downshift.Steps.Config.Internal;

/// <summary>What one command reads of a config file: its stat, its bytes (a regular file only) and the package leftovers beside it.</summary>
internal sealed record ConfigFile(PathStat Stat, byte[]? Content, IReadOnlyList<Leftover> Leftovers)
{
    public static async Task<ConfigFile> ReadAsync(IHostTransport host, string path, CancellationToken cancellationToken)
    {
        var p = Sh.Quote(path);
        var script = string.Concat(Leftover.All.Select(l => $"if [ -e {Sh.Quote(path + l.Suffix)} ]; then printf '%s ' {l.Suffix}; fi; ")) + "echo; " +
                     $"if [ -L {p} ] || [ -e {p} ]; then stat -c '%F|%a|%u|%g|%s' -- {p} || exit 1; else echo missing; fi; " +
                     $"if [ -f {p} ] && ! [ -L {p} ]; then cat -- {p}; fi";
        var result = await host.RunAsync(new HostCommand(script) { Journaled = false }, cancellationToken);
        var bytes = result.Stdout;
        var first = Array.IndexOf(bytes, (byte)'\n');
        var second = first < 0 ? -1 : Array.IndexOf(bytes, (byte)'\n', first + 1);
        if (!result.Succeeded || second < 0)
        {
            throw DownshiftException.InvalidState($"cannot read '{path}' on '{host.HostName}': {result.Stderr.Trim()}");
        }

        var present = Encoding.UTF8.GetString(bytes, 0, first).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var stat = HostFiles.ParseStat(path, Encoding.UTF8.GetString(bytes, first + 1, second - first - 1));
        return new ConfigFile(
            stat,
            stat.Type == PathType.File ? bytes[(second + 1)..] : null,
            [.. Leftover.All.Where(l => present.Contains(l.Suffix))]);
    }
}
