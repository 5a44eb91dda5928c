using System.Net.Sockets;
using Downshift.Hosts.Ssh.Internal;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace Downshift.Hosts.Ssh;

/// <summary>
/// Runs commands on a host over one SSH connection, reused for every command of a run (one channel per
/// command). Behaves like <see cref="LocalTransport"/>: exit code, stdout bytes, stderr, binary stdin,
/// environment; a timeout or a cancellation kills the remote process group (see
/// <see cref="RemoteCommand"/>). A connection that breaks mid-command throws a transient
/// <see cref="DownshiftException"/> and the command is NOT run again: it may have taken effect, and only
/// the step's check can tell. The next command reconnects (with the connect retries).
/// </summary>
public sealed class SshTransport : IHostTransport, IHostKeyTrustReport
{
    private const int SudoFailed = 1;
    private const int TimeoutExit = 124;
    private const int KilledExit = 137;
    private static readonly TimeSpan KillBound = TimeSpan.FromSeconds(10);

    private readonly HostEntry host;
    private readonly SshClientOpener opener;
    private readonly TimeProvider timeProvider;
    private readonly SemaphoreSlim reconnect = new(1, 1);
    private SshClient client;
    private bool broken;

    internal SshTransport(HostEntry host, SshClient client, SshClientOpener opener, TimeProvider timeProvider, HostKeyTrusted? trusted)
    {
        this.host = host;
        this.client = client;
        this.opener = opener;
        this.timeProvider = timeProvider;
        NewlyTrustedKey = trusted;
    }

    public string HostName => host.Name;

    public HostKeyTrusted? NewlyTrustedKey { get; }

    public async Task<CommandResult> RunAsync(HostCommand command, CancellationToken cancellationToken)
    {
        var line = RemoteCommand.Build(command, host.Become);

        // One bound for the whole command, a reconnect included: a host that went away cannot hold a
        // step for the connect retries' minute on top of the command's own time.
        using var overdue = new CancellationTokenSource(command.Timeout + SshDefaults.CommandGrace, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, overdue.Token);
        var connection = await ConnectedClientAsync(command, overdue, linked.Token);
        var start = timeProvider.GetTimestamp();
        // Disposing the command on every way out ends its streams, and with them the ChannelReader threads.
        using var ssh = connection.CreateCommand(line);
        var stderr = new MarkedStderr();
        try
        {
            // Cancellation is ours to do (kill the process group), not a signal over the channel.
            var execution = ssh.ExecuteAsync(CancellationToken.None);
            var stdout = CopyAsync(ChannelReader.Start(ssh.OutputStream, $"ssh {host.Name} stdout").Output, command.StdoutTo);
            var errors = ReadStderrAsync(stderr, ChannelReader.Start(ssh.ExtendedOutputStream, $"ssh {host.Name} stderr").Output);
            await WriteStdinAsync(ssh, command, linked.Token);
            await execution.WaitAsync(linked.Token);
            var result = new CommandResult(ssh.ExitStatus ?? -1, await stdout, await errors, timeProvider.GetElapsedTime(start));
            return await JudgeAsync(command, connection, ssh, result);
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            await KillAsync(connection, stderr.ProcessGroup);
            if (overdue.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                // The remote timeout did not answer in time: the connection is in doubt. Start afresh next time.
                await DropAsync(connection);
                throw DownshiftException.CommandTimedOut(HostName, command.DisplayText, command.Timeout);
            }

            throw;
        }
        catch (Exception e) when (e is SshException or SocketException or IOException or ObjectDisposedException)
        {
            await DropAsync(connection);
            throw DownshiftException.ConnectionLost(HostName, command.DisplayText, e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await reconnect.WaitAsync();
        try
        {
            Close();
        }
        finally
        {
            reconnect.Release();
            reconnect.Dispose();
        }
    }

    private async Task<CommandResult> JudgeAsync(HostCommand command, SshClient connection, SshCommand ssh, CommandResult result)
    {
        if (ssh.ExitStatus is null && ssh.ExitSignal is null)
        {
            // The channel closed without an exit status: the connection went away under the command.
            await DropAsync(connection);
            throw DownshiftException.ConnectionLost(HostName, command.DisplayText);
        }

        if (result.Duration >= command.Timeout && (ssh.ExitStatus is null or TimeoutExit or KilledExit))
        {
            throw DownshiftException.CommandTimedOut(HostName, command.DisplayText, command.Timeout);
        }

        if (host.Become && result.ExitCode == SudoFailed && result.Stderr.StartsWith("sudo: ", StringComparison.Ordinal)
            && result.Stderr.Contains("password", StringComparison.OrdinalIgnoreCase))
        {
            throw DownshiftException.BecomeFailed(HostName, host.User ?? opener.Options.User,
                $"{result.Stderr.Trim()} (give the user passwordless sudo: '{host.User ?? opener.Options.User} ALL=(ALL) NOPASSWD: ALL' in /etc/sudoers.d/)");
        }

        // Killed by a signal: report it the way bash does (128 + n), as LocalTransport's exit code would.
        return ssh.ExitStatus is null ? result with { ExitCode = 128 + SignalNumber(ssh.ExitSignal) } : result;
    }

    /// <summary>The open connection, or a new one (within the command's bound: past it the host counts as unreachable).</summary>
    private async Task<SshClient> ConnectedClientAsync(HostCommand command, CancellationTokenSource overdue, CancellationToken cancellationToken)
    {
        if (!broken && client.IsConnected)
        {
            return client;
        }

        await reconnect.WaitAsync(cancellationToken);
        try
        {
            if (broken || !client.IsConnected)
            {
                Close();
                (client, _) = await opener.OpenAsync(host, cancellationToken);
                broken = false;
            }

            return client;
        }
        catch (OperationCanceledException) when (overdue.IsCancellationRequested)
        {
            throw DownshiftException.HostUnreachable(
                HostName, $"no new connection within {(command.Timeout + SshDefaults.CommandGrace).TotalSeconds:0.#}s, the bound of: {command.DisplayText}");
        }
        finally
        {
            reconnect.Release();
        }
    }

    /// <summary>
    /// Marks the connection a failed command used as broken — only if it is still the current one: another
    /// command may have reconnected meanwhile, and its fresh connection must not be closed by a late failure.
    /// </summary>
    private async Task DropAsync(SshClient used)
    {
        await reconnect.WaitAsync(CancellationToken.None);
        try
        {
            if (ReferenceEquals(client, used))
            {
                Close();
            }
        }
        finally
        {
            reconnect.Release();
        }
    }

    private void Close()
    {
        broken = true;
        try
        {
            client.Dispose();
        }
        catch (Exception e) when (e is SshException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // Already broken; nothing to close.
        }
    }

    /// <summary>Best effort: kill the command's process group over a second channel (the connection may be gone).</summary>
    private async Task KillAsync(SshClient connection, Task<int?> processGroup)
    {
        try
        {
            if (await processGroup.WaitAsync(KillBound) is not { } group)
            {
                return;
            }

            using var kill = connection.CreateCommand(RemoteCommand.Kill(group, host.Become));
            await kill.ExecuteAsync(CancellationToken.None).WaitAsync(KillBound);
        }
        catch (Exception e) when (e is TimeoutException or SshException or SocketException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The connection is gone: the remote timeout still ends the command when its time is up.
        }
    }

    private static async Task WriteStdinAsync(SshCommand ssh, HostCommand command, CancellationToken cancellationToken)
    {
        try
        {
            await using var input = ssh.CreateInputStream();
            if (command.StdinFrom is { } source)
            {
                await source.CopyToAsync(input, cancellationToken);
            }
            else if (command.Stdin is { } bytes)
            {
                await input.WriteAsync(bytes, cancellationToken);
            }
        }
        catch (Exception e) when (e is IOException or SshException or ObjectDisposedException or InvalidOperationException)
        {
            // The command ended without reading all of its input; its exit code tells the story.
        }
    }

    private static async Task<byte[]> CopyAsync(Stream channel, Stream? sink)
    {
        await using var source = channel;
        if (sink is not null)
        {
            await source.CopyToAsync(sink);
            return [];
        }

        using var buffer = new MemoryStream();
        await source.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    private static async Task<string> ReadStderrAsync(MarkedStderr stderr, Stream channel)
    {
        await using var source = channel;
        return await stderr.ReadAsync(source, CancellationToken.None);
    }

    private static int SignalNumber(string? signal) => signal switch
    {
        "HUP" => 1,
        "INT" => 2,
        "QUIT" => 3,
        "ABRT" => 6,
        "KILL" => 9,
        "SEGV" => 11,
        "PIPE" => 13,
        "ALRM" => 14,
        "TERM" => 15,
        _ => 0,
    };
}
