using System.Net;
using System.Net.Sockets;

namespace Downshift.IntegrationTests.TestSupport;

/// <summary>Free TCP ports for servers that tests start.</summary>
public static class Ports
{
    /// <summary>
    /// A TCP port on 127.0.0.1 that was free a moment ago (the kernel picks it, so parallel tests
    /// do not collide; another process could still take it before the test binds it).
    /// </summary>
    public static int GetFreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
