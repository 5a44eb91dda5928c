using System.Globalization;

namespace Downshift.Lab.Internal;

/// <summary>What /proc says about a process. A zombie counts as gone (PID 1 here may never reap it).</summary>
internal static class Processes
{
    public static bool IsAlive(int pid)
    {
        var state = State(pid);
        return state is not null && state != 'Z' && state != 'X';
    }

    /// <summary>The command line, arguments joined by spaces; empty when the process is gone.</summary>
    public static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
        }
        catch (IOException)
        {
            return "";
        }
        catch (UnauthorizedAccessException)
        {
            return "";
        }
    }

    /// <summary>What /proc/PID/ns/net points at (<c>net:[INODE]</c>), or null when the process is gone.</summary>
    public static string? NetworkNamespace(int pid)
    {
        try
        {
            return new FileInfo($"/proc/{pid}/ns/net").LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The first child of PID (for a host: its PID 1, the child of unshare).</summary>
    public static int? FirstChild(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/task/{pid}/children");
            return text.Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Select(s => int.Parse(s, CultureInfo.InvariantCulture))
                .Cast<int?>()
                .FirstOrDefault();
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Resident memory in KiB (VmRSS), 0 when gone.</summary>
    public static long RssKilobytes(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>Sends a signal to each PID, with one <c>kill</c> (a PID that is gone is no error).</summary>
    public static async Task SignalAsync(IReadOnlyCollection<int> pids, string signal, CancellationToken cancellationToken)
    {
        if (pids.Count > 0)
        {
            await Run.CaptureAsync("kill", ["-s", signal, .. pids.Select(p => p.ToString(CultureInfo.InvariantCulture))], cancellationToken);
        }
    }

    /// <summary>Waits (bounded) until every PID is gone or a zombie; returns those still alive.</summary>
    public static async Task<IReadOnlyList<int>> WaitGoneAsync(IReadOnlyCollection<int> pids, TimeSpan limit, CancellationToken cancellationToken)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (true)
        {
            var alive = pids.Where(IsAlive).ToList();
            if (alive.Count == 0 || TimeProvider.System.GetElapsedTime(started) > limit)
            {
                return alive;
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    private static char? State(int pid)
    {
        try
        {
            // "PID (comm) S ..." — comm may hold spaces and parentheses: the state follows the last ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var close = stat.LastIndexOf(')');
            return close > 0 && close + 2 < stat.Length ? stat[close + 2] : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
