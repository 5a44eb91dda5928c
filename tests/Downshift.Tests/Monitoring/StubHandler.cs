using System.Net;

namespace Downshift.Tests.Monitoring;

/// <summary>An HTTP handler whose answers the test decides (no socket): <see cref="Answer"/> gets each request.</summary>
internal sealed class StubHandler(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> answer) : HttpMessageHandler
{
    private int requests;

    public int Requests => Volatile.Read(ref requests);

    public List<HttpRequestMessage> Seen { get; } = [];

    public static Task<HttpResponseMessage> Status(int status) =>
        Task.FromResult(new HttpResponseMessage((HttpStatusCode)status) { Content = new StringContent("body") });

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref requests);
        lock (Seen)
        {
            Seen.Add(request);
        }

        return answer(request, cancellationToken);
    }
}
