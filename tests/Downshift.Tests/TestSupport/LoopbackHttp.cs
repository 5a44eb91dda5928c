using System.Net;
using System.Net.Sockets;

namespace Downshift.Tests.TestSupport;

/// <summary>A real HTTP server on 127.0.0.1 that answers every request 200 "ok", for plans with an <c>http-check</c>.</summary>
internal sealed class LoopbackHttp : IDisposable
{
    private readonly HttpListener listener = new();
    private readonly Task serving;

    public LoopbackHttp()
    {
        Url = $"http://127.0.0.1:{FreePort()}/";
        listener.Prefixes.Add(Url);
        listener.Start();
        serving = Task.Run(ServeAsync);
    }

    public string Url { get; }

    public void Dispose()
    {
        listener.Stop();
        listener.Close();
        _ = serving.Exception; // stopped listening: GetContextAsync ends with an exception, observed here
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private async Task ServeAsync()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            context.Response.StatusCode = 200;
            await context.Response.OutputStream.WriteAsync("ok"u8.ToArray());
            context.Response.Close();
        }
    }
}
