using Downshift.IntegrationTests.TestSupport;

namespace Downshift.IntegrationTests.Shop;

/// <summary>
/// A real shopd 2.3.0 under its own supervisord in a temporary prefix, on a free port
/// (examples/shop/install-demo.sh), with its own journal and state directory for Downshift.
/// Disposing stops that supervisord (by its PID) and removes everything.
/// </summary>
public sealed class ShopInstall : IAsyncDisposable
{
    private readonly TempDirectory work = new("downshift-shop-");

    private ShopInstall(int port) => Port = port;

    public int Port { get; }

    public string Prefix => work.Combine("prefix");

    public string ConfigPath => Path.Combine(Prefix, "etc", "shopd.conf");

    public string CurrentPath => Path.Combine(Prefix, "current");

    public string Journal => work.Combine("journal.db");

    public string StateDirectory => work.Combine("state");

    public Uri BaseUri => new($"http://127.0.0.1:{Port}/");

    public IReadOnlyDictionary<string, string?> Environment => new Dictionary<string, string?>
    {
        ["DOWNSHIFT_JOURNAL"] = Journal,
        ["DOWNSHIFT_STATE_DIR"] = StateDirectory,
    };

    public string[] Vars => ["--var", $"prefix={Prefix}", "--var", $"port={Port}", "--var", $"dist={Prefix}/dist"];

    public static async Task<ShopInstall> StartAsync()
    {
        var install = new ShopInstall(Ports.GetFreeTcpPort());
        var result = await CliRunner.RunProcessAsync(
            Path.Combine(RepoRoot.Shop, "install-demo.sh"),
            [install.Prefix],
            new Dictionary<string, string?> { ["SHOP_PORT"] = install.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            timeout: TimeSpan.FromMinutes(3));
        Assert.True(result.ExitCode == 0, $"install-demo.sh failed: {result}");
        return install;
    }

    public Task<ProcessResult> CliAsync(params string[] args) =>
        CliRunner.RunAsync(args, Environment, RepoRoot.Path, TimeSpan.FromMinutes(2));

    public Task<ProcessResult> RunPlanAsync(string plan, IReadOnlyDictionary<string, string?>? extraEnvironment = null)
    {
        var environment = new Dictionary<string, string?>(Environment);
        foreach (var (key, value) in extraEnvironment ?? new Dictionary<string, string?>())
        {
            environment[key] = value;
        }

        return CliRunner.RunAsync(
            ["run", Path.Combine(RepoRoot.Shop, plan), "--json", .. Vars], environment, RepoRoot.Path, TimeSpan.FromMinutes(2));
    }

    /// <summary>The version shopd reports, read straight from the service (not through Downshift).</summary>
    public async Task<string?> VersionAsync()
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            var json = await client.GetStringAsync(new Uri(BaseUri, "health"));
            using var document = System.Text.Json.JsonDocument.Parse(json);
            return document.RootElement.GetProperty("version").GetString();
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    public async Task<int> PostOrderAsync()
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        using var body = new StringContent("""{"item":"test","qty":1}""", System.Text.Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(new Uri(BaseUri, "orders"), body);
        return (int)response.StatusCode;
    }

    public string CurrentTarget() => new FileInfo(CurrentPath).LinkTarget ?? "";

    public async ValueTask DisposeAsync()
    {
        await CliRunner.RunProcessAsync(Path.Combine(RepoRoot.Shop, "uninstall-demo.sh"), [Prefix], timeout: TimeSpan.FromMinutes(1));
        work.Dispose();
    }
}
