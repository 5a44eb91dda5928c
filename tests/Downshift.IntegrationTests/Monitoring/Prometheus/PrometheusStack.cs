using System.Globalization;
using Downshift.IntegrationTests.TestSupport;
using Downshift.Monitoring.Prometheus;

namespace Downshift.IntegrationTests.Monitoring.Prometheus;

/// <summary>
/// A real node_exporter and a real Prometheus from Debian's packages (<c>prometheus-node-exporter</c>,
/// <c>prometheus</c>), each on a free loopback port: Prometheus scrapes the exporter every second
/// (job <c>node</c>) into a temp storage directory. Start waits until <c>up</c> is 1 for the exporter
/// (Prometheus's service discovery holds the first scrape back about 5 s). The exporter's textfile
/// collector reads <see cref="TextfileDirectory"/>, so a test (or a plan's step) can publish a metric of
/// its own with <see cref="PublishAsync"/> or by writing a <c>*.prom</c> file there. Dispose stops both
/// processes it started, by their PIDs, and removes the directory.
/// </summary>
public sealed class PrometheusStack : IAsyncLifetime
{
    public const string Job = "node";
    private const string ExporterBinary = "/usr/bin/prometheus-node-exporter";
    private const string PrometheusBinary = "/usr/bin/prometheus";
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StopLimit = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    private readonly TempDirectory directory = new("downshift-prom-");
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private RunningProcess? exporter;
    private RunningProcess? prometheus;

    public int ExporterPort { get; private set; }

    public int PrometheusPort { get; private set; }

    /// <summary>The exporter as Prometheus labels it: <c>instance="127.0.0.1:PORT"</c>.</summary>
    public string ExporterInstance => $"127.0.0.1:{ExporterPort.ToString(CultureInfo.InvariantCulture)}";

    public Uri PrometheusUrl => new($"http://127.0.0.1:{PrometheusPort.ToString(CultureInfo.InvariantCulture)}/");

    /// <summary>The directory of the exporter's textfile collector: each <c>NAME.prom</c> in it is served with the exporter's metrics.</summary>
    public string TextfileDirectory => directory.Combine("textfile");

    /// <summary>
    /// Publishes <paramref name="text"/> (metrics in Prometheus's text format) as <c>NAME.prom</c>, written
    /// aside and renamed, so the exporter never reads half a file.
    /// </summary>
    public async Task PublishAsync(string name, string text, CancellationToken cancellationToken)
    {
        var path = Path.Combine(TextfileDirectory, name + ".prom");
        await File.WriteAllTextAsync(path + ".tmp", text, cancellationToken);
        File.Move(path + ".tmp", path, overwrite: true);
    }

    /// <summary>A stack of its own, for a test that stops part of it.</summary>
    public static async Task<PrometheusStack> StartAsync(CancellationToken cancellationToken)
    {
        var stack = new PrometheusStack();
        try
        {
            await stack.InitializeAsync().AsTask().WaitAsync(StartLimit * 2, cancellationToken);
            return stack;
        }
        catch
        {
            await stack.DisposeAsync();
            throw;
        }
    }

    /// <summary>A client of this Prometheus with a short timeout.</summary>
    public PrometheusClient Client(HttpClient client) => new(client, PrometheusUrl, TimeSpan.FromSeconds(2));

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        foreach (var binary in new[] { ExporterBinary, PrometheusBinary })
        {
            if (!File.Exists(binary))
            {
                Assert.Fail($"{binary} is missing: install prometheus and prometheus-node-exporter (test.sh does)");
            }
        }

        ExporterPort = Ports.GetFreeTcpPort();
        Directory.CreateDirectory(TextfileDirectory);
        exporter = RunningProcess.Start(
            ExporterBinary,
            [$"--web.listen-address={ExporterInstance}", "--collector.disable-defaults", "--collector.cpu", "--collector.loadavg", "--collector.meminfo",
             "--collector.textfile", $"--collector.textfile.directory={TextfileDirectory}"],
            environment: null, workingDirectory: directory.Path, Lifetime);
        await Poll.UntilAsync(
            () => AnswersAsync(new Uri($"http://{ExporterInstance}/metrics"), "node_load1", ct), StartLimit,
            () => $"node_exporter does not serve http://{ExporterInstance}/metrics\n{exporter.Stderr}", ct);

        PrometheusPort = Ports.GetFreeTcpPort();
        var config = directory.Combine("prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: {Job}
                static_configs:
                  - targets: ['{ExporterInstance}']
            """, ct);
        prometheus = RunningProcess.Start(
            PrometheusBinary,
            [$"--config.file={config}", $"--storage.tsdb.path={directory.Combine("data")}",
             $"--web.listen-address=127.0.0.1:{PrometheusPort.ToString(CultureInfo.InvariantCulture)}", "--log.level=warn"],
            environment: null, workingDirectory: directory.Path, Lifetime);
        var upQuery = Uri.EscapeDataString($"up{{job=\"{Job}\"}} == 1");
        await Poll.UntilAsync(
            () => AnswersAsync(new Uri(PrometheusUrl, $"api/v1/query?query={upQuery}"), "\"result\":[{", ct), StartLimit,
            () => $"Prometheus at {PrometheusUrl} does not see the exporter up\n{prometheus.Stderr}", ct);
    }

    /// <summary>Stops node_exporter (SIGTERM to the PID this fixture started) and waits until it has exited.</summary>
    public Task StopExporterAsync(CancellationToken cancellationToken) => StopAsync(exporter, cancellationToken);

    /// <summary>Stops Prometheus (SIGTERM to its PID) and waits until it has exited.</summary>
    public Task StopPrometheusAsync(CancellationToken cancellationToken) => StopAsync(prometheus, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        foreach (var process in new[] { prometheus, exporter })
        {
            if (process is null)
            {
                continue;
            }

            try
            {
                await StopAsync(process, CancellationToken.None);
            }
            catch (TimeoutException)
            {
                // Did not stop on SIGTERM: DisposeAsync below kills it.
            }

            await process.DisposeAsync();
        }

        http.Dispose();
        directory.Dispose();
    }

    private static async Task StopAsync(RunningProcess? process, CancellationToken cancellationToken)
    {
        if (process is null || process.HasExited)
        {
            return;
        }

        await process.KillAsync(Signal.Term, cancellationToken);
        await process.WaitForExitAsync(StopLimit, cancellationToken);
    }

    private async Task<bool> AnswersAsync(Uri url, string expected, CancellationToken cancellationToken)
    {
        try
        {
            var body = await http.GetStringAsync(url, cancellationToken);
            return body.Contains(expected, StringComparison.Ordinal);
        }
        catch (HttpRequestException)
        {
            return false; // not listening yet
        }
    }
}
