using System.Net.Sockets;
using System.Text;

namespace Downshift.Lab.Internal;

/// <summary>Waits until an sshd answers with its banner (<c>SSH-2.0-…</c>), not merely until the port accepts.</summary>
internal static class SshBanner
{
    public static async Task<bool> AnswersAsync(LabHost host, CancellationToken cancellationToken)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(host.Address, host.Port, attempt.Token);
            var buffer = new byte[64];
            var read = await client.GetStream().ReadAsync(buffer, attempt.Token);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("SSH-", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is SocketException or IOException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return false;
        }
    }

    /// <summary>Polls every host until all answer or <paramref name="limit"/> passes; returns the hosts that never answered.</summary>
    public static async Task<IReadOnlyList<LabHost>> WaitAllAsync(IReadOnlyList<LabHost> hosts, TimeSpan limit, CancellationToken cancellationToken)
    {
        var started = TimeProvider.System.GetTimestamp();
        var waiting = hosts.ToList();
        while (waiting.Count > 0 && TimeProvider.System.GetElapsedTime(started) < limit)
        {
            var answers = await Task.WhenAll(waiting.Select(h => AnswersAsync(h, cancellationToken)));
            waiting = waiting.Where((_, i) => !answers[i]).ToList();
            if (waiting.Count > 0)
            {
                await Task.Delay(100, cancellationToken);
            }
        }

        return waiting;
    }
}
