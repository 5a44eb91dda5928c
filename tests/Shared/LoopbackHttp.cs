using System.Net;
using System.Net.Sockets;

namespace Downshift.Testing;

/// <summary>
/// A real HTTP server on 127.0.0.1, for plans with an <c>http-check</c> and for probes. By default every
/// request gets 200 "ok"; give <c>status</c> to choose each answer's status by the request's number (1, 2, …).
/// </summary>
public sealed class LoopbackHttp : IDisposable
{
    private readonly HttpListener listener = new();
    private readonly Func<int, int> status;
    private readonly Task serving;
    private int requests;

    public LoopbackHttp(Func<int, int>? status = null)
    {
        this.status = status ?? (_ => 200);
        Url = $"http://127.0.0.1:{FreePort()}/";
        listener.Prefixes.Add(Url);
        listener.Start();
        serving = Task.Run(ServeAsync);
    }

    public string Url { get; }

    /// <summary>How many requests were answered.</summary>
    public int Requests => Volatile.Read(ref requests);

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

            context.Response.StatusCode = status(Interlocked.Increment(ref requests));
            await context.Response.OutputStream.WriteAsync("ok"u8.ToArray());
            context.Response.Close();
        }
    }
}
