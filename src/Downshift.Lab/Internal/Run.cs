using System.Diagnostics;
using Downshift.Hosts;

namespace Downshift.Lab.Internal;

/// <summary>What a finished command left: exit code and both streams.</summary>
internal sealed record RunResult(int ExitCode, string Stdout, string Stderr)
{
    public bool Succeeded => ExitCode == 0;
}

/// <summary>
/// Runs the machine's tools (ip, unshare, nsenter, tar, debootstrap…) for the lab: the one place the
/// lab starts a process. No shell unless a method says so; cancellation kills the process tree.
/// </summary>
internal static class Run
{
    /// <summary>
    /// Runs FILE ARGS (with <paramref name="standardInput"/> on stdin, if given), waits, and returns what
    /// it wrote. <paramref name="onLine"/> sees stdout lines as they come.
    /// </summary>
    public static async Task<RunResult> CaptureAsync(
        string file, IEnumerable<string> args, CancellationToken cancellationToken, Action<string>? onLine = null, string? standardInput = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["LC_ALL"] = "C";
        using var process = Process.Start(info) ?? throw DownshiftException.Internal($"could not start {file}");
        if (standardInput is not null)
        {
            await process.StandardInput.WriteAsync(standardInput.AsMemory(), cancellationToken);
        }

        process.StandardInput.Close();
        var stdout = new System.Text.StringBuilder();
        var readOut = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync(CancellationToken.None) is { } line)
            {
                stdout.Append(line).Append('\n');
                onLine?.Invoke(line);
            }
        }, CancellationToken.None);
        var readErr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        await readOut;
        return new RunResult(process.ExitCode, stdout.ToString(), await readErr);
    }

    /// <summary>Runs FILE ARGS and throws with its stderr when it fails.</summary>
    public static async Task<string> CheckedAsync(string file, IEnumerable<string> args, CancellationToken cancellationToken)
    {
        var list = args.ToList();
        var result = await CaptureAsync(file, list, cancellationToken);
        return result.Succeeded
            ? result.Stdout
            : throw DownshiftException.InvalidState(
                $"'{file} {string.Join(' ', list.Select(Sh.Quote))}' failed (exit {result.ExitCode}): {(result.Stderr + result.Stdout).Trim()}");
    }

    /// <summary>Runs a shell script (sh -c) and throws when it fails.</summary>
    public static Task<string> ShellAsync(string script, CancellationToken cancellationToken) =>
        CheckedAsync("/bin/sh", ["-c", script], cancellationToken);

    /// <summary>
    /// Starts each COMMAND (a shell command line) in its own session, detached from this process (its
    /// parent becomes init), stdin from /dev/null and output to its log; returns their PIDs in order.
    /// They outlive this process: <c>downshift lab up</c> exits, the hosts stay.
    /// </summary>
    public static async Task<IReadOnlyList<int>> StartDetachedAsync(IReadOnlyList<(string Command, string LogPath)> commands, CancellationToken cancellationToken)
    {
        // A background job of a non-interactive sh is not a group leader, so setsid does not fork: $! is the PID.
        var script = string.Concat(commands.Select(c => $"setsid {c.Command} </dev/null >{Sh.Quote(c.LogPath)} 2>&1 & echo $!\n"));
        var output = await ShellAsync(script, cancellationToken);
        var pids = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(p => int.Parse(p.Trim(), System.Globalization.CultureInfo.InvariantCulture)).ToList();
        return pids.Count == commands.Count
            ? pids
            : throw DownshiftException.InvalidState($"started {commands.Count} processes but got {pids.Count} PIDs: {output}");
    }

    public static async Task<int> StartDetachedAsync(string command, string logPath, CancellationToken cancellationToken) =>
        (await StartDetachedAsync([(command, logPath)], cancellationToken))[0];
}
