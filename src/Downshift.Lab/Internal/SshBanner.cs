using System.Net.Sockets;
using System.Text;

namespace Downshift.Lab.Internal;

/// <summary>Waits until an sshd answers with its banner (<c>SSH-2.0-…</c>), not merely until the port accepts.</summary>
internal static class SshBanner
{
    public static async Task<bool> AnswersAsync(LabHost host, CancellationToken cancellationToken)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(TimeSpan.FromMilliseconds(500)); // a host not up yet may not answer ARP: do not wait seconds for it
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

    /// <summary>Polls every host, each on its own, until all answer or <paramref name="limit"/> passes; returns the hosts that never answered.</summary>
    public static async Task<IReadOnlyList<LabHost>> WaitAllAsync(IReadOnlyList<LabHost> hosts, TimeSpan limit, CancellationToken cancellationToken)
    {
        var started = TimeProvider.System.GetTimestamp();
        var answered = await Task.WhenAll(hosts.Select(async host =>
        {
            while (TimeProvider.System.GetElapsedTime(started) < limit)
            {
                if (await AnswersAsync(host, cancellationToken))
                {
                    return true;
                }

                await Task.Delay(50, cancellationToken);
            }

            return false;
        }));
        return hosts.Where((_, i) => !answered[i]).ToList();
    }
}
