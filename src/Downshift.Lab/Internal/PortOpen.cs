using System.Net.Sockets;

namespace Downshift.Lab.Internal;

/// <summary>Waits until a TCP port accepts connections (bounded).</summary>
internal static class PortOpen
{
    public static async Task<bool> WaitAsync(LabHost endpoint, TimeSpan limit, CancellationToken cancellationToken)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (TimeProvider.System.GetElapsedTime(started) < limit)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(endpoint.Address, endpoint.Port, cancellationToken);
                return true;
            }
            catch (SocketException)
            {
                await Task.Delay(50, cancellationToken);
            }
        }

        return false;
    }
}
