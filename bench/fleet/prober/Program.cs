// prober URL... : polls each URL every --interval (default 20 ms) with its own loop, until stdin
// closes or SIGTERM, then prints one JSON line per URL:
//   {"url", "probes", "failed", "downtimeMs", "longestOutageMs", "versions": [...]}
// downtimeMs sums every outage: from the first failed probe after a good one to the next good one.
// Once every URL has answered once, it writes "ready" to stderr (start the change after that).
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;

var interval = TimeSpan.FromMilliseconds(20);
var urls = new List<string>();
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--interval")
    {
        interval = TimeSpan.FromMilliseconds(double.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture));
    }
    else
    {
        urls.Add(args[i]);
    }
}

using var stop = new CancellationTokenSource();
using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
using var intr = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
_ = Task.Run(async () =>
{
    await Console.In.ReadToEndAsync();
    await stop.CancelAsync();
});

using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero, ConnectTimeout = TimeSpan.FromMilliseconds(300) })
{
    Timeout = TimeSpan.FromMilliseconds(500),
};
var answering = 0;
var results = await Task.WhenAll(urls.Select(url => ProbeAsync(url, stop.Token)));
foreach (var result in results)
{
    Console.WriteLine(JsonSerializer.Serialize(result));
}

async Task<ProbeResult> ProbeAsync(string url, CancellationToken token)
{
    var clock = Stopwatch.StartNew();
    var probes = 0;
    var failed = 0;
    double downtime = 0, longest = 0;
    double? outageStart = null;
    var versions = new List<string>();
    while (!token.IsCancellationRequested)
    {
        var at = clock.Elapsed.TotalMilliseconds;
        string? version = null;
        try
        {
            using var response = await http.GetAsync(url, CancellationToken.None);
            if (response.IsSuccessStatusCode)
            {
                using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(CancellationToken.None));
                version = doc.RootElement.TryGetProperty("version", out var v) ? v.GetString() ?? "?" : "?";
            }
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException or JsonException)
        {
            // IOException: the body broke off (HttpIOException), as when the service stops mid-answer. It
            // ended a run of the benchmark once (SIGABRT in Ansible's round): a failed probe, not a crash.
        }

        probes++;
        if (version is null)
        {
            // An outage counts from the first failure after a good answer (not the prober's own warm-up).
            failed += versions.Count > 0 ? 1 : 0;
            outageStart ??= versions.Count > 0 ? at : null;
        }
        else
        {
            if (outageStart is { } began)
            {
                downtime += at - began;
                longest = Math.Max(longest, at - began);
                outageStart = null;
            }

            if (versions.Count == 0 && Interlocked.Increment(ref answering) == urls.Count)
            {
                await Console.Error.WriteLineAsync("ready");
            }

            if (versions.Count == 0 || versions[^1] != version)
            {
                versions.Add(version);
            }
        }

        var next = at + interval.TotalMilliseconds - clock.Elapsed.TotalMilliseconds;
        if (next > 0)
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(next), token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    if (outageStart is { } open)
    {
        downtime += clock.Elapsed.TotalMilliseconds - open;
        versions.Add("DOWN at the end");
    }

    return new ProbeResult(url, probes, failed, Math.Round(downtime), Math.Round(longest), versions);
}

internal sealed record ProbeResult(
    [property: System.Text.Json.Serialization.JsonPropertyName("url")] string Url,
    [property: System.Text.Json.Serialization.JsonPropertyName("probes")] int Probes,
    [property: System.Text.Json.Serialization.JsonPropertyName("failed")] int Failed,
    [property: System.Text.Json.Serialization.JsonPropertyName("downtimeMs")] double DowntimeMs,
    [property: System.Text.Json.Serialization.JsonPropertyName("longestOutageMs")] double LongestOutageMs,
    [property: System.Text.Json.Serialization.JsonPropertyName("versions")] IReadOnlyList<string> Versions);
