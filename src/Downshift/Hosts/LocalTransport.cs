using System.Diagnostics;

namespace Downshift.Hosts;

/// <summary>
/// Runs commands on this machine with <c>bash -c</c>. The process group is killed when the command
/// times out or is cancelled, so nothing it started keeps running.
/// </summary>
public sealed class LocalTransport(TimeProvider timeProvider) : IHostTransport
{
    public string HostName => "local";

    public async Task<CommandResult> RunAsync(HostCommand command, CancellationToken cancellationToken)
    {
        var start = timeProvider.GetTimestamp();
        var info = new ProcessStartInfo("setsid")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("bash");
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(command.Script);
        info.Environment["LC_ALL"] = "C";
        foreach (var (key, value) in command.Environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info)
            ?? throw DownshiftException.HostUnreachable(HostName, "cannot start bash");
        using var timeout = new CancellationTokenSource(command.Timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            var stdout = CopyAsync(process.StandardOutput.BaseStream, command.StdoutTo, linked.Token);
            var stderr = CopyAsync(process.StandardError.BaseStream, null, linked.Token);
            await WriteStdinAsync(process, command, linked.Token);
            await process.WaitForExitAsync(linked.Token);
            var output = await stdout;
            var error = await stderr;
            return new CommandResult(
                process.ExitCode,
                output,
                System.Text.Encoding.UTF8.GetString(error),
                timeProvider.GetElapsedTime(start));
        }
        catch (OperationCanceledException)
        {
            KillGroup(process);
            if (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw DownshiftException.CommandTimedOut(HostName, command.DisplayText, command.Timeout);
            }

            throw;
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static async Task WriteStdinAsync(Process process, HostCommand command, CancellationToken cancellationToken)
    {
        try
        {
            if (command.StdinFrom is { } source)
            {
                await source.CopyToAsync(process.StandardInput.BaseStream, cancellationToken);
            }
            else if (command.Stdin is { } bytes)
            {
                await process.StandardInput.BaseStream.WriteAsync(bytes, cancellationToken);
            }

            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The command exited without reading all of its input; its exit code tells the story.
        }
    }

    private static async Task<byte[]> CopyAsync(Stream source, Stream? sink, CancellationToken cancellationToken)
    {
        if (sink is not null)
        {
            await source.CopyToAsync(sink, cancellationToken);
            return [];
        }

        using var buffer = new MemoryStream();
        await source.CopyToAsync(buffer, cancellationToken);
        return buffer.ToArray();
    }

    private static void KillGroup(Process process)
    {
        try
        {
            // setsid made the shell a process-group leader: end the whole group, then the shell.
            using var kill = Process.Start(new ProcessStartInfo("kill", ["-KILL", "--", $"-{process.Id}"]) { UseShellExecute = false });
            kill?.WaitForExit(2000);
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }
}
